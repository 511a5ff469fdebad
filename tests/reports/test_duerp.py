"""`campus report --duerp`: the DUERP drafts, parsed back from the `.odt` (DESIGN §14).

A synthetic mirror of a year (three cooperatives of 25 members), actions recorded in the log,
then the command: every cooperative gets its draft, with the six Gollac axes, the figures the
monthly report published (masked ones stay masked), its own actions in the form its head count
calls for, the sources and the draft's mark; no member's username or name anywhere in it.
"""

from __future__ import annotations

import json
import re
import sqlite3
import zipfile
from pathlib import Path

import pytest
from odf import teletype
from odf.opendocument import load
from odf.table import Table, TableRow
from odf.text import H, P

from app import actions
from bench.report_mirror import fill_mirror
from core.vocabulary import AXIS_LABELS
from reports.formatting import Formatter
from reports.wording import label
from sync.mirror.db import connect
from tests.conftest import run_campus
from tests.support.campus import make_campus
from tests.support.clock import FIXTURE_NOW, frozen_at

MONTH = "2026-10"
YEAR = tuple(f"2025-{m:02d}" for m in (11, 12)) + tuple(f"2026-{m:02d}" for m in range(1, 11))
COOPERATIVES_CSV = (
    "slug,name,region,color,employees\n"
    "coop-01,Coopérative 1,Bretagne,,60\n"
    "coop-02,Coopérative 2,Bretagne,,\n"
    "coop-03,Coopérative 3,Occitanie,,\n"
)
HOSTILE_TITLE = "Charte <b>de</b> déconnexion | 20 h"


def network(folder: Path, members_per_coop: int) -> Path:
    """A mirror of a year, cooperatives.csv with coop-01's head count, and campus.toml."""
    engine = connect(f"sqlite:///{folder / 'campus.db'}")
    fill_mirror(engine, cooperatives=3, members_per_coop=members_per_coop, months=YEAR)
    engine.dispose()
    (folder / "cooperatives.csv").write_text(COOPERATIVES_CSV, encoding="utf-8")
    config = folder / "campus.toml"
    config.write_text('[database]\nurl = "sqlite:///campus.db"\n[reports]\nmin_group_size = 5\n')
    return config


def record(folder: Path, cooperative: str, **fields) -> None:
    """An action in the log, recorded the way the web page records it."""
    engine = connect(f"sqlite:///{folder / 'campus.db'}")
    campus = make_campus(folder, engine=engine)
    campus.clock = lambda: FIXTURE_NOW
    actions.record_action(
        campus,
        cooperative,
        MONTH,
        author=actions.Author(7, "membre7"),
        **fields,
    )
    engine.dispose()


@pytest.fixture(scope="module")
def drafts(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("duerp")
    config = network(folder, 25)
    record(
        folder,
        "coop-01",
        axis="intensite",
        indicator="after_hours",
        kind="edt",
        title="Espace de discussion sur les horaires",
        started="2026-09-15",
        status="en_cours",
    )
    record(
        folder,
        "coop-02",
        axis="intensite",
        indicator=None,
        kind="deconnexion",
        title=HOSTILE_TITLE,
        started="2026-11-20",
        status="prevue",
    )
    with frozen_at():
        result = run_campus("--config", str(config), "report", "--month", MONTH, "--duerp")
    assert result.exit_code == 0, result.output
    return Path(result.output.strip())


def text_of(path: Path) -> list[str]:
    """Every heading, paragraph and table cell of the document, in order."""
    document = load(str(path))
    return [teletype.extractText(node) for node in document.getElementsByType(P)] + [
        teletype.extractText(node) for node in document.getElementsByType(H)
    ]


def tables(path: Path) -> dict[str, list[list[str]]]:
    """Each table of the document by name: its rows of cell texts, header row first."""
    document = load(str(path))
    result = {}
    for table in document.getElementsByType(Table):
        rows = [
            [teletype.extractText(cell) for cell in row.childNodes]
            for row in table.getElementsByType(TableRow)
        ]
        result[table.getAttribute("name")] = rows
    return result


def test_only_the_drafts_are_written_one_per_cooperative(drafts: Path):
    assert drafts.name == "duerp" and drafts.parent.name == MONTH
    assert sorted(path.name for path in drafts.iterdir()) == [
        "coop-01.odt",
        "coop-02.odt",
        "coop-03.odt",
    ]
    assert not (drafts.parent / "network.html").exists()
    with zipfile.ZipFile(drafts / "coop-01.odt") as odt:
        assert odt.read("mimetype") == b"application/vnd.oasis.opendocument.text"


def test_the_draft_has_the_six_axes_its_mark_and_its_sources(drafts: Path):
    text = "\n".join(text_of(drafts / "coop-01.odt"))
    for axis in AXIS_LABELS["fr"].values():
        assert axis in text
    assert "PROJET À COMPLÉTER PAR LA DIRECTION ET À PRÉSENTER AU CSE" in text
    assert "ED 6140" in text and "Gollac" in text and "ANACT" in text
    assert "novembre 2025 à octobre 2026" in text
    # the mark is in the header and footer of every page too
    document = load(str(drafts / "coop-01.odt"))
    marks = [teletype.extractText(p) for p in document.masterstyles.getElementsByType(P)]
    assert marks == ["Projet à compléter par la direction et à présenter au CSE"] * 2


def test_the_figures_are_those_the_monthly_report_published(drafts: Path, tmp_path: Path):
    config = drafts.parent.parent.parent / "campus.toml"
    with frozen_at():
        result = run_campus(
            "--config", str(config), "report", "--month", MONTH, "--out", str(tmp_path)
        )
    assert result.exit_code == 0, result.output
    published = json.loads((tmp_path / MONTH / "indicators.json").read_text())
    scope = next(s for s in published["scopes"] if s["scope"] == "coop-01")
    rows = {
        row[0]: row
        for name, table in tables(drafts / "coop-01.odt").items()
        if name.startswith("axe-")
        for row in table[1:]
    }
    fmt = Formatter("fr")
    checked = 0
    for indicator in scope["indicators"]:
        if indicator["unit"] != "share" or indicator["id"].startswith("pulse_"):
            continue
        cells = rows[label(indicator["id"], "fr")]
        if indicator["suppressed"] or indicator["value"] is None:
            assert not re.search(r"\d", cells[1]), cells
        else:
            assert cells[1].startswith(fmt.value(indicator["value"], "share")), cells
            checked += 1
        shown = [value for value in indicator["history"] if value is not None]
        if shown:
            mean = fmt.value(sum(shown) / len(shown), "share")
            assert cells[2] == f"{mean} ({len(shown)} mois sur 12)", cells
        else:
            assert cells[2] == "non publié"
    assert checked >= 3


def test_actions_in_the_papripact_form_from_50_employees(drafts: Path):
    table = tables(drafts / "coop-01.odt")["papripact"]
    assert table[1][:5] == [
        "Espace de discussion sur le travail",
        "Espace de discussion sur les horaires",
        "Intensité et temps de travail",
        "En cours",
        "15 septembre 2026",
    ]
    assert table[1][5] == "Messages en soirée, la nuit ou le week-end"
    assert HOSTILE_TITLE not in "\n".join(text_of(drafts / "coop-01.odt"))


def test_below_50_employees_actions_are_a_list(drafts: Path):
    text = text_of(drafts / "coop-02.odt")
    assert "papripact" not in tables(drafts / "coop-02.odt")
    assert "Actions prévues" in text
    line = next(item for item in text if HOSTILE_TITLE in item)
    assert line.startswith("Droit à la déconnexion : ")
    assert "prévue, début le 20 novembre 2026" in line
    assert "Espace de discussion sur les horaires" not in "\n".join(text)  # coop-01's
    # the 25 members of the forum are its head count: the entrepreneurs' unit is shown
    units = tables(drafts / "coop-02.odt")["unites"]
    assert units[0] == ["Unité de travail", "Effectif"]
    assert units[1][0] == "Entrepreneur·es"


def test_no_member_is_named(drafts: Path):
    with sqlite3.connect(drafts.parent.parent.parent / "campus.db") as db:
        people = {word for row in db.execute("SELECT username, name FROM users") for word in row}
    people.discard(None)
    people.discard("")
    for path in drafts.iterdir():
        with zipfile.ZipFile(path) as odt:
            content = " ".join(
                odt.read(name).decode("utf-8") for name in ("content.xml", "styles.xml")
            )
        assert not any(re.search(rf"\b{re.escape(who)}\b", content) for who in people), path


def test_a_cooperative_under_the_group_size_shows_no_masked_figure(tmp_path: Path):
    config = network(tmp_path, 3)  # 3 members a cooperative: their figures about people are masked
    out = tmp_path / "report"
    with frozen_at():
        result = run_campus(
            "--config", str(config), "report", "--month", MONTH, "--duerp", "--coop", "coop-03"
        )
        report = run_campus("--config", str(config), "report", "--month", MONTH, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert report.exit_code == 0, report.output
    draft = Path(result.output.strip()) / "coop-03.odt"
    assert [path.name for path in draft.parent.iterdir()] == ["coop-03.odt"]
    published = json.loads((out / MONTH / "indicators.json").read_text())
    scope = next(s for s in published["scopes"] if s["scope"] == "coop-03")
    found = tables(draft)
    rows = {row[0]: row for name, t in found.items() if name.startswith("axe-") for row in t[1:]}
    masked = 0
    for indicator in scope["indicators"]:
        if indicator["id"].startswith("pulse_"):
            continue  # one label for six rows: each axis's table has its own
        cells = rows[label(indicator["id"], "fr")]
        if indicator["value"] is None:
            assert not re.search(r"\d", cells[1]), cells
        if all(value is None for value in indicator["history"]):
            assert cells[2] == "non publié", cells
            masked += 1
    assert masked >= 15
    assert all("non indiqué" in row[1] for row in found["unites"][1:])


def test_bad_options_and_inputs_exit_2_with_nothing_written(tmp_path: Path):
    config = network(tmp_path, 3)
    out = tmp_path / "out"
    with frozen_at():
        combined = run_campus(
            "--config", str(config), "report", "--month", MONTH, "--duerp", "--publish"
        )
        unknown = run_campus(
            "--config", str(config), "report", "--duerp", "--coop", "nope", "--out", str(out)
        )
        (tmp_path / "cooperatives.csv").write_text(
            COOPERATIVES_CSV.replace(",,60", ",,soixante"), encoding="utf-8"
        )
        bad = run_campus("--config", str(config), "report", "--duerp", "--out", str(out))
    assert combined.exit_code == 2 and "--publish" in combined.output
    assert unknown.exit_code == 2 and "nope" in unknown.output
    assert bad.exit_code == 2, bad.output
    assert "cooperatives.csv:2:" in bad.output and "employees" in bad.output
    assert "soixante" in bad.output and "Traceback" not in bad.output
    assert not out.exists()


def test_a_later_report_of_the_month_keeps_the_drafts(drafts: Path):
    before = {path.name: path.read_bytes() for path in drafts.iterdir()}
    config = drafts.parent.parent.parent / "campus.toml"
    with frozen_at():
        result = run_campus("--config", str(config), "report", "--month", MONTH)
    assert result.exit_code == 0, result.output
    assert (drafts.parent / "network.html").is_file()
    assert {path.name: path.read_bytes() for path in drafts.iterdir()} == before
