"""`campus lab export`: a pseudonymised research extract with no identity, no small cell, a
codebook for every column, stable keyed pseudonyms, a manifest, and nothing half-written."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

from analytics.indicators import Activity
from analytics.research_panels import generalised_groups, person_panel, pseudonym
from bench.report_mirror import fill_mirror
from reports import research_export
from sync.mirror.db import connect
from tests.conftest import run_campus
from tests.support.clock import frozen_at
from tests.support.forum_builder import ForumBuilder, ts

pytestmark = pytest.mark.dated

KEY = "cle-de-recherche-du-dpo-2026"
OTHER_KEY = "une-autre-cle-de-recherche-0001"
SHIFT = 7_340_000  # account ids that cannot be mistaken for counts
OPTED_OUT = SHIFT + 30  # a member of coop-02 who left the scores (campus-optout)
LATE_ACCOUNT = SHIFT + 26  # its account date in the mirror is later than its first posts
MONTHS = ("2026-07", "2026-08", "2026-09", "2026-10")


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("campus")
    engine = connect(f"sqlite:///{folder / 'campus.db'}")
    fill_mirror(engine, cooperatives=4, members_per_coop=24, topics=900, months=MONTHS, seed=9)
    with engine.begin() as conn:
        for table, column in (("users", "id"), ("posts", "user_id"), ("topics", "user_id")):
            conn.execute(text(f"UPDATE {table} SET {column} = {column} + {SHIFT}"))
        late = f"UPDATE users SET created_at = '2026-10-20 00:00:00' WHERE id = {LATE_ACCOUNT}"
        conn.execute(text(late))
        conn.execute(
            text(
                "INSERT INTO groups (id, name, automatic, user_count) VALUES (90, 'campus-optout', 0, 1)"
            )
        )
        conn.execute(
            text(f"INSERT INTO group_memberships (group_id, user_id) VALUES (90, {OPTED_OUT})")
        )
    path = folder / "campus.toml"
    path.write_text('[database]\nurl = "sqlite:///campus.db"\n[reports]\nmin_group_size = 5\n')
    return path


def export(config: Path, out: Path, key: str | None = KEY):
    env = {"CAMPUS_RESEARCH_KEY": key}
    with frozen_at():  # the mirror's months run to October 2026: export them as of November
        return run_campus("--config", str(config), "lab", "export", "--out", str(out), env=env)


@pytest.fixture(scope="module")
def extract(config: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("exports") / "extract"
    result = export(config, out)
    assert result.exit_code == 0, result.output
    return out


def identities(config: Path) -> tuple[list[str], list[int]]:
    engine = connect(f"sqlite:///{config.parent / 'campus.db'}")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT username, id FROM users")).all()
    return [row[0] for row in rows], [row[1] for row in rows]


def test_the_extract_has_its_files(extract: Path):
    assert sorted(p.name for p in extract.iterdir()) == [
        "README.md",
        "codebook.csv",
        "cooperative_month.csv",
        "manifest.json",
        "person_month.csv",
    ]


def test_no_username_email_discourse_id_or_key_in_any_file(config: Path, extract: Path):
    usernames, ids = identities(config)
    for path in extract.iterdir():
        content = path.read_text(encoding="utf-8")
        tokens = set(re.findall(r"[\w.@-]+", content))
        assert not tokens & set(usernames), path.name
        assert not tokens & {str(i) for i in ids}, path.name
        assert not any(str(i) in content for i in ids), path.name
        assert "@" not in content, path.name
        assert KEY not in content, path.name


def test_every_column_is_in_the_codebook(extract: Path):
    book = pd.read_csv(extract / "codebook.csv")
    for name in ("person_month.csv", "cooperative_month.csv"):
        columns = set(pd.read_csv(extract / name, nrows=0).columns)
        documented = set(book.loc[book["file"] == name, "column"])
        assert columns == documented, name
    assert book["definition"].str.len().min() > 10
    assert book["unit"].notna().all() and book["source"].notna().all()
    features = book[
        (book["file"] == "person_month.csv")
        & ~book["column"].isin(["person", "quarter", "cooperative", "role"])
    ]
    assert features["gollac_axis"].notna().all()


def test_no_quarter_cooperative_role_cell_under_the_group_size(extract: Path):
    people = pd.read_csv(extract / "person_month.csv")
    cells = people.groupby(["quarter", "cooperative", "role"])["person"].nunique()
    assert cells.min() >= 5


def test_small_roles_are_merged_then_small_cooperatives_then_left_out():
    members = pd.DataFrame(
        {
            "id": range(14),
            "cooperative": ["a"] * 8 + ["b"] * 4 + ["c"] * 2,
            "role": ["entrepreneur"] * 6 + ["direction"] * 2 + ["appui"] * 4 + [None] * 2,
        }
    )
    released = generalised_groups(members, 5).set_index("id")
    assert released.loc[0].tolist() == ["a", "entrepreneur"]
    for member in (6, 8, 12):  # a's 2 directors, b's 4 appui, c's 2 without role: 8 together
        assert released.loc[member].tolist() == ["regroupee", "regroupe"]
    assert len(released) == 14
    # without c, the 2 + 4 left are too few even together: left out
    assert generalised_groups(members.iloc[:10], 5)["id"].tolist() == list(range(6))


def test_cooperative_figures_under_the_group_size_are_empty(extract: Path):
    coops = pd.read_csv(extract / "cooperative_month.csv")
    small = coops[coops["cooperative"] == "coop-01"]  # 4 barometer voters every month
    assert small["pulse_autonomie"].isna().all() and small["pulse_autonomie_n"].isna().all()
    shown = coops[coops["cooperative"] == "coop-02"]
    assert shown["pulse_autonomie"].notna().all()
    for column in [c for c in coops.columns if c.endswith("_n")]:
        values = coops[column].dropna()
        assert ((values == 0) | (values >= 5)).all(), column


def test_manifest_hashes_every_file(extract: Path):
    manifest = json.loads((extract / "manifest.json").read_text())
    assert set(manifest["files"]) == {
        "person_month.csv",
        "cooperative_month.csv",
        "codebook.csv",
        "README.md",
    }
    for name, entry in manifest["files"].items():
        assert entry["sha256"] == hashlib.sha256((extract / name).read_bytes()).hexdigest()
    assert manifest["min_group_size"] == 5


def test_pseudonyms_are_stable_for_one_key_and_differ_across_keys(
    config: Path, extract: Path, tmp_path: Path
):
    assert export(config, tmp_path / "again").exit_code == 0
    assert export(config, tmp_path / "other", key=OTHER_KEY).exit_code == 0
    first = pd.read_csv(extract / "person_month.csv")
    again = pd.read_csv(tmp_path / "again" / "person_month.csv")
    other = pd.read_csv(tmp_path / "other" / "person_month.csv")
    assert first["person"].tolist() == again["person"].tolist()
    assert not set(first["person"]) & set(other["person"])
    assert first["person"].str.fullmatch(r"[0-9a-f]{20}").all()


def test_members_who_opted_out_are_not_in_the_person_panel(extract: Path):
    people = pd.read_csv(extract / "person_month.csv")
    assert pseudonym(KEY.encode(), OPTED_OUT) not in set(people["person"])
    assert (people["cooperative"] == "coop-02").any()


def test_every_released_person_has_every_complete_quarter(extract: Path):
    """Rows no longer start with the account (its date is public): July–September is the only
    complete quarter of the fixture, October waits for the next export."""
    people = pd.read_csv(extract / "person_month.csv", dtype=str)
    assert set(people["quarter"]) == {"2026-T3"}
    assert people.groupby("person").size().eq(1).all()
    assert set(people["posts"]) <= {"0", "1-5", "6-20", "21+"}


def test_posts_before_the_account_date_are_not_lost():
    """A member whose account date is later than their first posts is counted from the posts."""
    builder = ForumBuilder().user(1, created_at=ts("2026-10-20T00:00Z"))
    for day in range(1, 8):
        builder.topic(1, f"2026-07-{day:02d}T10:00Z")
    panel = person_panel(Activity(builder.build()), ["2026-07", "2026-08", "2026-09"], b"k", 1)
    assert panel[["quarter", "posts"]].to_dict("records") == [
        {"quarter": "2026-T3", "posts": "6-20"}
    ]


def test_without_the_key_exit_2_and_nothing_written(config: Path, tmp_path: Path):
    result = export(config, tmp_path / "out", key=None)
    assert result.exit_code == 2
    assert "CAMPUS_RESEARCH_KEY" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_key_with_a_line_break_inside_is_refused_and_never_printed(config: Path, tmp_path: Path):
    result = export(config, tmp_path / "out", key=KEY[:8] + "\n" + KEY[8:])
    assert result.exit_code == 2
    assert KEY[:8] not in result.output and KEY[8:] not in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_key_pasted_with_a_line_break_around_it_is_trimmed(config: Path, tmp_path: Path):
    assert export(config, tmp_path / "out", key=" " + KEY + "\n").exit_code == 0


def test_an_existing_folder_is_never_overwritten(config: Path, tmp_path: Path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("x")
    result = export(config, tmp_path / "out")
    assert result.exit_code == 2
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["keep.txt"]


def test_an_error_while_writing_leaves_nothing(config: Path, tmp_path: Path, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(research_export, "_sha256", broken)
    result = export(config, tmp_path / "out")
    assert result.exit_code != 0
    assert list(tmp_path.iterdir()) == []


def test_csv_cells_never_start_a_formula(extract: Path):
    for name in ("person_month.csv", "cooperative_month.csv", "codebook.csv"):
        with (extract / name).open(encoding="utf-8") as handle:
            for row in csv.reader(handle):
                assert not any(cell.startswith(("=", "+", "@")) for cell in row), name
