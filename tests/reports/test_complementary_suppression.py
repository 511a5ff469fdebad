"""Complementary suppression in every output: a cooperative of 4 members is hidden, and so is the
next smallest, so the network minus the shown cooperatives gives neither of them."""

from __future__ import annotations

import csv
import dataclasses
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from analytics.catalogue import CATALOGUE
from analytics.indicators import Activity
from bench.report_mirror import fill_mirror
from reports.render import build_report
from sync.mirror.db import connect
from sync.mirror.loader import load_forum

NOW = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
SMALL, NEXT = "coop-04", "coop-02"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """4 cooperatives of 25; coop-04 keeps 4 members (11 go to coop-01, 10 to coop-03), so
    members are 36, 25, 35 and 4, and coop-02 is the next smallest."""
    engine = connect(f"sqlite:///{tmp_path_factory.mktemp('mirror') / 'campus.db'}")
    fill_mirror(engine, cooperatives=4)
    forum = load_forum(engine)
    users = forum.users.copy()
    moved = users.index[users["cooperative"] == SMALL][4:]
    users.loc[moved[:11], "cooperative"] = "coop-01"
    users.loc[moved[11:], "cooperative"] = "coop-03"
    activity = Activity(dataclasses.replace(forum, users=users))
    return build_report(activity, "2026-10", tmp_path_factory.mktemp("out"), now=NOW)


def json_rows(folder: Path, indicator: str) -> dict[str, dict]:
    data = json.loads((folder / "indicators.json").read_text())
    return {
        scope["scope"]: next(row for row in scope["indicators"] if row["id"] == indicator)
        for scope in data["scopes"]
    }


def test_the_small_cooperative_and_the_next_smallest_are_hidden_in_the_json(folder: Path):
    rows = json_rows(folder, "members")
    hidden = {scope for scope, row in rows.items() if row["suppressed"]}
    assert hidden == {SMALL, NEXT}
    for scope in hidden:
        assert (rows[scope]["value"], rows[scope]["n"]) == (None, None)


def test_they_are_empty_and_flagged_in_the_csv(folder: Path):
    with (folder / "indicators.csv").open() as handle:
        rows = {
            row["scope"]: row for row in csv.DictReader(handle) if row["indicator"] == "members"
        }
    for scope in (SMALL, NEXT):
        assert (rows[scope]["value"], rows[scope]["n"], rows[scope]["suppressed"]) == (
            "",
            "",
            "true",
        )
    assert rows["coop-01"]["value"] == "36"


def test_they_are_marked_in_the_html_and_markdown_of_the_network(folder: Path):
    html = (folder / "network.html").read_text()
    html = html[html.index('id="cooperatives"') :]  # the list of cooperatives and their members
    markdown = (folder / "network.md").read_text()
    for number, scope in ((4, SMALL), (2, NEXT)):
        cell = re.search(
            rf'{scope}\.html">Coopérative {number}</a></td>\s*(<td[^>]*>[^<]*</td>)', html
        )
        assert cell.group(1) == '<td class="num suppressed">masqué</td>'
        assert f"| Coopérative {number} | *masqué* |" in markdown
    assert "| Coopérative 1 | 36 |" in markdown


def test_the_complement_is_marked_in_its_own_report(folder: Path):
    html = (folder / "cooperatives" / f"{NEXT}.html").read_text()
    row = re.search(r"<td>Membres</td>(.*?)</tr>", html, re.DOTALL).group(1)
    assert row.count('<td class="num suppressed">masqué</td>') == 3  # value, n, previous month
    markdown = (folder / "cooperatives" / f"{NEXT}.md").read_text()
    # value, n, then the network's figure beside it, then the previous month
    assert re.search(
        r"\| Membres \| \*masqué\* \| \*masqué\* \| [\d\u202f ]+ \| \*masqué\* \|", markdown
    )
    assert "Masquage complémentaire" in markdown


def test_the_network_minus_the_shown_cooperatives_gives_neither(folder: Path):
    rows = json_rows(folder, "members")
    shown = sum(row["value"] for scope, row in rows.items() if scope != "network" and row["value"])
    assert rows["network"]["value"] - shown == 4 + 25  # both together, never one alone


def test_their_population_is_not_given_back_by_the_participation_rate(folder: Path):
    rows = json_rows(folder, "participation_rate")
    assert {scope for scope, row in rows.items() if row["n"] is None} == {SMALL, NEXT}


def test_no_additive_figure_is_the_only_one_hidden(folder: Path):
    for indicator in CATALOGUE.additive():
        rows = json_rows(folder, indicator)
        hidden = [scope for scope, row in rows.items() if row["suppressed"] and row["n"] is None]
        assert len(hidden) != 1, (indicator, hidden)


def test_rates_and_medians_of_the_complement_stay_shown(folder: Path):
    for indicator in ("answered_48h", "first_response_hours", "top_decile_share"):
        row = json_rows(folder, indicator)[NEXT]
        assert not row["suppressed"] and row["value"] is not None, indicator
