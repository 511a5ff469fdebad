"""Re-measure (DESIGN §14): each cooperative report shows, beside its points or axes, the actions
its direction took and the course of their indicators since each started — the figure its
report published for the month before the start, then this month's, judged with the report's
noise rule, over pooled windows when a month is too thin; the network report counts the
network's actions by kind and status and names none."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from markupsafe import escape

from analytics.action_course import ACTION_COLUMNS
from analytics.indicators import Activity
from analytics.trends import judge
from bench.report_mirror import fill_mirror
from reports.render import build_model, build_report
from sync.mirror.db import connect
from sync.mirror.loader import load_forum

MONTHS = tuple(f"2026-{month:02d}" for month in range(1, 11))
NOW = datetime(2026, 11, 5, 9, 0, tzinfo=UTC)
MONTH = "2026-10"


def action(id_, coop, axis, indicator, kind, title, started, status) -> dict:
    return {
        "id": id_,
        "cooperative": coop,
        "axis": axis,
        "indicator": indicator,
        "kind": kind,
        "title": title,
        "started": started,
        "status": status,
        "start_month": started.strftime("%Y-%m"),
    }


ACTIONS = pd.DataFrame(
    [
        action(
            1,
            "coop-01",
            "intensite",
            "after_hours",
            "deconnexion",
            "Charte <soirées> sans messages",
            date(2026, 8, 10),
            "en_cours",
        ),
        action(
            2,
            "coop-01",
            "rapports_sociaux",
            "answered_48h",
            "entraide",
            "Binômes d'entraide",
            date(2026, 6, 1),
            "faite",
        ),
        action(
            3,
            "coop-01",
            "autonomie",
            None,
            "formation",
            "Formation prévue",
            date(2026, 12, 1),
            "prevue",
        ),
        action(
            4,
            "coop-02",
            "intensite",
            "after_hours",
            "edt",
            "Réunion mensuelle des équipes",
            date(2026, 9, 15),
            "abandonnee",
        ),
        action(
            5,
            "coop-03",
            "intensite",
            None,
            "edt",
            "Action de novembre",
            date(2026, 11, 2),
            "en_cours",
        ),  # after the report month: not shown
    ],
    columns=ACTION_COLUMNS,
)


@pytest.fixture(scope="module")
def activity(tmp_path_factory) -> Activity:
    engine = connect(f"sqlite:///{tmp_path_factory.mktemp('mirror') / 'campus.db'}")
    fill_mirror(engine, cooperatives=3, members_per_coop=40, topics=900, months=MONTHS, seed=3)
    return Activity(load_forum(engine))


@pytest.fixture(scope="module")
def model(activity):
    return build_model(activity, MONTH, now=NOW, actions=ACTIONS)


def test_each_action_carries_the_course_its_reports_published(activity, model):
    coop = next(scope for scope in model.cooperatives if scope.slug == "coop-01")
    entries = {entry.id: entry for entry in coop.actions}
    assert sorted(entries) == [1, 2, 3]  # its own actions, started by October or planned

    (course,) = entries[1].courses
    july_report = build_model(activity, "2026-07", now=NOW)
    july = next(s for s in july_report.cooperatives if s.slug == "coop-01").row("after_hours")
    row = coop.row("after_hours")
    assert course.before_month == "2026-07"
    assert (course.before.value, course.before.window) == (july.value, july.window)
    assert (course.after.value, course.after.window) == (row.value, row.window)
    expected = judge(
        "share",
        "down",
        row.value,
        july.value,
        n=row.n,
        previous_n=july.n,
        history=[v for m, v in zip(model.months, row.history, strict=True) if m <= "2026-07"],
    )
    assert course.trend == expected
    assert entries[3].courses == ()  # planned: nothing to measure yet


def test_the_cooperative_report_shows_its_actions_and_their_course(activity, tmp_path):
    folder = build_report(activity, MONTH, tmp_path, now=NOW, actions=ACTIONS)
    page = (folder / "cooperatives" / "coop-01.html").read_text(encoding="utf-8")
    markdown = (folder / "cooperatives" / "coop-01.md").read_text(encoding="utf-8")

    assert str(escape("Charte <soirées> sans messages")) in page  # escaped
    assert "<soirées>" not in page
    assert "Binômes d&#39;entraide" in page or "Binômes d'entraide" in page
    assert "Droit à la déconnexion, en cours (début le 10 août 2026)" in page
    assert "Messages en soirée, la nuit ou le week-end : " in page and " → " in page
    assert "en juillet 2026" in page or "trimestre" in page
    assert "Formation, prévue à partir du 1 décembre 2026" in page
    assert "Action de novembre" not in page
    assert "Réunion mensuelle" not in page  # coop-02
    assert "Charte \\<soirées\\>" in markdown or "Charte" in markdown

    other = (folder / "cooperatives" / "coop-02.html").read_text(encoding="utf-8")
    assert "Réunion mensuelle" in other and "Charte" not in other


def test_the_network_report_counts_actions_by_kind_and_status_and_names_none(activity, tmp_path):
    folder = build_report(activity, MONTH, tmp_path, now=NOW, actions=ACTIONS)
    page = (folder / "network.html").read_text(encoding="utf-8")
    counts = json.loads((folder / "indicators.json").read_text())["action_counts"]

    assert counts["deconnexion"] == {"prevue": 0, "en_cours": 1, "faite": 0, "abandonnee": 0}
    assert counts["entraide"]["faite"] == 1
    assert counts["formation"]["prevue"] == 1
    assert counts["edt"] == {"prevue": 0, "en_cours": 0, "faite": 0, "abandonnee": 1}
    assert "Actions décidées dans les coopératives" in page
    for title in ("Charte", "Binômes", "Réunion mensuelle", "Formation prévue"):
        assert title not in page


def test_without_an_action_log_the_reports_say_nothing_of_actions(activity, tmp_path):
    folder = build_report(activity, MONTH, tmp_path, now=NOW)
    assert "Actions décidées" not in (folder / "network.html").read_text(encoding="utf-8")
    assert json.loads((folder / "indicators.json").read_text())["action_counts"] is None


def test_a_thin_cooperative_is_re_measured_on_the_pooled_windows_it_published(tmp_path):
    """A sparse year: a figure too thin for its month is published over a window; the course
    compares those published windows, says so, and never shows what the report masked."""
    engine = connect(f"sqlite:///{tmp_path / 'campus.db'}")
    year = tuple(f"2026-{month:02d}" for month in range(1, 13))
    fill_mirror(
        engine, cooperatives=4, members_per_coop=40, topics=160, replies_per_topic=1.0, months=year
    )
    activity = Activity(load_forum(engine))
    now = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)
    plain = build_model(activity, "2026-12", now=now)
    pooled = [
        (scope.slug, row)
        for scope in plain.cooperatives
        for row in scope.rows
        if row.window is not None and row.window.granularity != "month" and not row.suppressed
    ]
    assert pooled, "the sparse year pools some figure"
    slug, row = pooled[0]
    actions = pd.DataFrame(
        [action(1, slug, row.axis, row.id, "autre", "Action suivie", date(2026, 11, 3), "faite")],
        columns=ACTION_COLUMNS,
    )

    model = build_model(activity, "2026-12", now=now, actions=actions)
    (entry,) = next(scope for scope in model.cooperatives if scope.slug == slug).actions
    (course,) = entry.courses
    october = build_model(activity, "2026-10", now=now)
    before = next(scope for scope in october.cooperatives if scope.slug == slug).row(row.id)

    assert (course.after.value, course.after.window) == (row.value, row.window)
    assert course.before.window == before.window
    assert course.before.value == (None if before.suppressed else before.value)
    folder = build_report(activity, "2026-12", tmp_path / "out", now=now, actions=actions)
    page = (folder / "cooperatives" / f"{slug}.html").read_text(encoding="utf-8")
    assert "Action suivie" in page
    words = ("trimestre", "semestre", "l&#39;année", "l'année")
    line = next(line for line in page.splitlines() if " → " in line and "<li>" in line)
    assert any(word in line for word in words), line
