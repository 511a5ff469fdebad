"""The linkage attack on `campus lab export` (issue 22): a forum reader without the key.

The attacker sees what every member of the forum sees: every public post with its author and
time, its likes, the solutions, the members' cooperative and role groups. From the mirror alone
they compute every variable the export releases, for every member (those who never posted
included), per month and per quarter, then match each pseudonym's whole released trajectory
against every member, reading each released value as an interval of possible values (an exact
number, a band such as `3-5` or `11+`, a share band such as `]0;0.5[`). Across two successive
exports made with the same key they intersect the candidate sets. No pseudonym may be left with
fewer than `min_group_size` candidates.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, text

from analytics.research_panels import pseudonym
from bench.report_mirror import fill_mirror
from sync.mirror.db import connect
from tests.conftest import run_campus
from tests.support.clock import frozen_at

pytestmark = pytest.mark.dated

KEY = "cle-de-recherche-du-dpo-2026"
K = 5
TZ = "Europe/Paris"
MONTHS = tuple(f"2026-{m:02d}" for m in range(1, 11))
LURKERS = 40  # members who never post: part of the crowd
KEYS = {"person", "month", "quarter", "cooperative", "role"}
MERGED_ROLE, UNKNOWN_ROLE, MERGED_COOPERATIVE = "regroupe", "inconnu", "regroupee"


@pytest.fixture(scope="module")
def forum(tmp_path_factory) -> tuple[Path, Engine]:
    """A forum shaped like a real one: a few very active members, most quiet, some silent."""
    folder = tmp_path_factory.mktemp("campus")
    engine = connect(f"sqlite:///{folder / 'campus.db'}")
    fill_mirror(engine, cooperatives=4, members_per_coop=30, topics=1500, months=MONTHS, seed=22)
    rng = np.random.default_rng(22)
    with engine.begin() as conn:
        ids = [row[0] for row in conn.execute(text("SELECT id FROM posts ORDER BY id"))]
        likes = rng.geometric(0.45, size=len(ids)) - 1  # most posts 0–2 likes, a long tail
        conn.exec_driver_sql(
            "UPDATE posts SET like_count = ? WHERE id = ?",
            list(zip(likes.tolist(), ids, strict=True)),
        )
        conn.execute(
            text("UPDATE posts SET accepted_answer = 1 WHERE id IN (SELECT post_id FROM solutions)")
        )
        roles = ["entrepreneur"] * 8 + ["appui"] * 2
        conn.exec_driver_sql(
            "INSERT INTO users (id, username, name, trust_level, admin, moderator, active, "
            "staged, suspended, deleted, cooperative, role, created_at) "
            "VALUES (?, ?, NULL, 1, 0, 0, 1, 0, 0, 0, ?, ?, '2025-06-01 00:00:00')",
            [
                (1000 + i, f"discret{i}", f"coop-{i % 4 + 1:02d}", roles[i % len(roles)])
                for i in range(LURKERS)
            ],
        )
    path = folder / "campus.toml"
    path.write_text(f'[database]\nurl = "sqlite:///campus.db"\n[reports]\nmin_group_size = {K}\n')
    return path, engine


def export(config: Path, out: Path, now: datetime) -> Path:
    """`campus lab export` as run on the given day (it exports up to the month before)."""
    with frozen_at(now):
        result = run_campus(
            "--config", str(config), "lab", "export", "--out", str(out),
            env={"CAMPUS_RESEARCH_KEY": KEY},
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    return out / "person_month.csv"


# --- what a forum reader computes -------------------------------------------------------------


def public_monthly(engine: Engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Members (id, cooperative, role) and their public activity per month, in raw counts."""
    with engine.connect() as conn:
        members = pd.read_sql(
            "SELECT id, cooperative, role FROM users WHERE id > 0 AND cooperative IS NOT NULL "
            "AND staged = 0 AND deleted = 0",
            conn,
        )
        posts = pd.read_sql(
            "SELECT p.id, p.topic_id, p.post_number, p.reply_to_post_number, p.user_id, "
            "p.created_at, p.like_count, p.accepted_answer, t.user_id AS topic_user, "
            "c.accepted_answers AS solvable FROM posts p JOIN topics t ON t.id = p.topic_id "
            "JOIN categories c ON c.id = t.category_id WHERE p.post_type = 1 "
            "AND p.deleted_at IS NULL AND t.deleted_at IS NULL AND p.user_id > 0",
            conn,
        )
    local = pd.to_datetime(posts["created_at"]).dt.tz_localize("UTC").dt.tz_convert(TZ)
    posts["month"] = local.dt.strftime("%Y-%m")
    posts["after_hours"] = (local.dt.hour >= 20) | (local.dt.hour < 7) | (local.dt.day_of_week >= 5)
    posts["is_reply"] = posts["post_number"] > 1
    authors = posts.set_index(["topic_id", "post_number"])["user_id"]
    replied = pd.MultiIndex.from_arrays(
        [posts["topic_id"], posts["reply_to_post_number"].fillna(-1).astype("int64")]
    )
    addressee = pd.Series(authors.reindex(replied).to_numpy(), index=posts.index)
    coop = members.set_index("id")["cooperative"]
    addressee_coop = addressee.fillna(posts["topic_user"]).map(coop).where(posts["is_reply"])
    author_coop = posts["user_id"].map(coop)
    posts["addressed"] = addressee_coop.notna()
    posts["cross"] = posts["addressed"] & (addressee_coop != author_coop)
    posts["question"] = ~posts["is_reply"] & (posts["solvable"] == 1)
    by = ["user_id", "month"]
    counts = posts.groupby(by).agg(
        posts=("id", "size"),
        replies=("is_reply", "sum"),
        questions=("question", "sum"),
        accepted_answers=("accepted_answer", "sum"),
        likes_received=("like_count", "sum"),
        after_hours=("after_hours", "sum"),
        addressed=("addressed", "sum"),
        cross=("cross", "sum"),
    )
    ordered = posts.sort_values(["created_at", "id"], kind="stable")
    responses = ordered[ordered["is_reply"] & (ordered["user_id"] != ordered["topic_user"])]
    first = responses.drop_duplicates("topic_id")
    first = first[first["solvable"] == 1]
    counts["first_responses"] = first.groupby(by).size()
    return members, counts.fillna(0)


def quarter_of(month: str) -> str:
    year, number = month.split("-")
    return f"{year}-T{(int(number) - 1) // 3 + 1}"


def features(counts: pd.DataFrame, period: str) -> pd.DataFrame:
    """Every released variable per member and period (`month` or `quarter`), exact values."""
    frame = counts.reset_index()
    frame["period"] = frame["month"] if period == "month" else frame["month"].map(quarter_of)
    frame = frame.drop(columns="month").groupby(["user_id", "period"]).sum()
    frame["topics"] = frame["posts"] - frame["replies"]
    frame["after_hours_share"] = (frame["after_hours"] / frame["posts"]).where(frame["posts"] > 0)
    frame["cross_coop_reply_share"] = (frame["cross"] / frame["addressed"]).where(
        frame["addressed"] > 0
    )
    return frame


# --- the matching -----------------------------------------------------------------------------

INTERVAL = re.compile(r"^([\[\]])([-\d.]+);([-\d.]+)([\[\]])$")


def admits(released: object, value: float) -> bool:
    """Whether an exact public value is one the released value allows (an interval match)."""
    if released is None or (isinstance(released, float) and math.isnan(released)):
        return bool(pd.isna(value))
    if pd.isna(value):
        return False
    label = str(released).strip()
    if match := INTERVAL.match(label):
        low_bracket, low, high, high_bracket = match.groups()
        above = value >= float(low) if low_bracket == "[" else value > float(low)
        below = value <= float(high) if high_bracket == "]" else value < float(high)
        return above and below
    if label.endswith("+"):
        return value >= float(label[:-1])
    if re.fullmatch(r"\d+-\d+", label):
        low, high = label.split("-")
        return float(low) <= value <= float(high)
    return math.isclose(float(label), value, rel_tol=1e-5, abs_tol=1e-9)


def candidates(release: pd.DataFrame, members: pd.DataFrame, exact: pd.DataFrame) -> dict:
    """For each pseudonym, the members whose public activity fits its whole released trajectory."""
    period = "quarter" if "quarter" in release.columns else "month"
    variables = [c for c in release.columns if c not in KEYS]
    found = {}
    for person, rows in release.groupby("person"):
        coop, role = rows["cooperative"].iloc[0], rows["role"].iloc[0]
        pool = members
        if coop != MERGED_COOPERATIVE:
            pool = pool[pool["cooperative"] == coop]
        if role == UNKNOWN_ROLE:
            pool = pool[pool["role"].isna()]
        elif role != MERGED_ROLE:
            pool = pool[pool["role"] == role]
        fits = set()
        for member in pool["id"].tolist():
            ok = True
            for row in rows.itertuples(index=False):
                key = (member, getattr(row, period))
                public = exact.loc[key] if key in exact.index else None
                for variable in variables:
                    value = float("nan") if public is None else public[variable]
                    if variable not in ("after_hours_share", "cross_coop_reply_share"):
                        value = 0.0 if pd.isna(value) else value
                    if not admits(getattr(row, variable), value):
                        ok = False
                        break
                if not ok:
                    break
            if ok:
                fits.add(member)
        found[person] = fits
    return found


def test_no_pseudonym_is_linkable_by_a_forum_reader_even_across_two_exports(forum, tmp_path):
    config, engine = forum
    members, monthly = public_monthly(engine)
    september = pd.read_csv(export(config, tmp_path / "sept", datetime(2026, 9, 5, tzinfo=UTC)))
    november = pd.read_csv(export(config, tmp_path / "nov", datetime(2026, 11, 5, tzinfo=UTC)))
    period = "quarter" if "quarter" in november.columns else "month"
    exact = features(monthly, period)
    first = candidates(september, members, exact)
    second = candidates(november, members, exact)
    truth = {
        pseudonym(  # the key, which the attacker lacks, only checks the attack
            KEY.encode(), int(i)
        ): int(i)
        for i in members["id"]
    }
    for found in (first, second):  # the attacker is right: the person is among the candidates
        assert all(truth[person] in fits for person, fits in found.items())
    both = {p: first.get(p, set(members["id"])) & fits for p, fits in second.items()}
    sizes = pd.Series({p: len(fits) for p, fits in {**first, **both}.items()})
    linked = int((sizes < K).sum())
    unique = int((sizes == 1).sum())
    assert linked == 0, f"{linked} of {len(sizes)} pseudonyms under {K} candidates ({unique} alone)"
    # and the export still says something: most members are in it
    assert november["person"].nunique() >= len(members) // 2
