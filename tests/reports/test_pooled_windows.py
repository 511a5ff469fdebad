"""Pooled windows in the published reports (DESIGN §7, small groups): twelve monthly reports of a
small, sparse synthetic forum, every figure with its window in the CSV and the JSON, one
granularity growing over the year, and a differencing attack on everything published."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import pytest
from markupsafe import escape

from analytics.catalogue import CATALOGUE
from analytics.indicators import Activity
from analytics.pooling import span
from bench.report_mirror import fill_mirror
from reports.render import build_model, build_report
from reports.settings import ReportSettings
from sync.mirror.db import connect
from sync.mirror.loader import load_forum

MONTHS = tuple(f"2026-{month:02d}" for month in range(1, 13))
NOW = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)  # after the mirror's last sync (2 January)
K = ReportSettings().min_group_size
ORDER = ("month", "quarter", "semester", "year")


@pytest.fixture(scope="module")
def activity(tmp_path_factory) -> Activity:
    """4 cooperatives of 40 members, a year of sparse activity (a few people a month each)."""
    engine = connect(f"sqlite:///{tmp_path_factory.mktemp('mirror') / 'campus.db'}")
    fill_mirror(
        engine,
        cooperatives=4,
        members_per_coop=40,
        topics=160,
        replies_per_topic=1.0,
        months=MONTHS,
    )
    return Activity(load_forum(engine))


@pytest.fixture(scope="module")
def folders(activity: Activity, tmp_path_factory) -> dict[str, Path]:
    """The twelve monthly reports, January to December."""
    out = tmp_path_factory.mktemp("out")
    return {month: build_report(activity, month, out, now=NOW) for month in MONTHS}


def documents(folders: dict[str, Path]) -> dict[str, dict]:
    return {
        month: json.loads((folder / "indicators.json").read_text())
        for month, folder in folders.items()
    }


def published(folders: dict[str, Path]) -> list[dict]:
    """Every figure shown by the twelve reports: scope, indicator, window, value and n."""
    seen = {}
    for month, document in documents(folders).items():
        for scope in document["scopes"]:
            for row in scope["indicators"]:
                if row["suppressed"] or row["value"] is None:
                    continue
                key = (scope["scope"], row["id"], row["window_start"], row["window_end"])
                seen[key] = {
                    "month": month,
                    "scope": scope["scope"],
                    "indicator": row["id"],
                    "months": months_of(row["window_start"], row["window_end"]),
                    "value": row["value"],
                    "n": row["n"],
                    "granularity": row["window"],
                }
    return list(seen.values())


def months_of(start: str, end: str) -> frozenset[str]:
    return frozenset(month for month in MONTHS if start <= month <= end)


def people(activity: Activity, scope: str, indicator: str, months: frozenset[str]) -> int:
    """The true number of people behind `months` (a lower bound when they are not contiguous:
    the largest contiguous run's)."""
    runs, run = [], []
    for month in MONTHS:
        if month in months:
            run.append(month)
        elif run:
            runs.append(run)
            run = []
    runs += [run] if run else []
    key = None if scope == "network" else scope
    return max(
        (activity.figures(span(run[0], run[-1]))[key][indicator].n for run in runs), default=0
    )


def test_pooling_happens_on_this_forum(folders):
    pooled = [figure for figure in published(folders) if figure["granularity"] != "month"]
    assert len({(f["scope"], f["indicator"]) for f in pooled}) >= 4


def test_every_figure_carries_its_window_in_the_json(folders):
    for month, document in documents(folders).items():
        for scope in document["scopes"]:
            for row in scope["indicators"]:
                assert row["window"] in ORDER
                assert row["window_months"] == len(
                    months_of(row["window_start"], row["window_end"])
                )
                assert row["window_end"] <= month
                if row["window"] == "month":
                    assert (row["window_months"], row["window_label"]) == (1, "")
                else:
                    assert row["window_label"].startswith("sur ")


def test_every_figure_carries_its_window_in_the_csv(folders):
    sizes = set()
    for folder in folders.values():
        with (folder / "indicators.csv").open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert rows and all(row["window_months"] for row in rows)
        sizes |= {int(row["window_months"]) for row in rows if row["value"]}
    assert 1 in sizes and max(sizes) > 1


def test_the_html_and_markdown_say_the_window_beside_the_value(folders):
    december = folders["2026-12"]
    shown = [
        (scope["scope"], row)
        for scope in documents({"2026-12": december})["2026-12"]["scopes"]
        for row in scope["indicators"]
        if row["window"] != "month" and not row["suppressed"] and row["value"] is not None
    ]
    assert shown
    slug, row = shown[0]
    page = "network" if slug == "network" else f"cooperatives/{slug}"
    assert str(escape(row["window_label"])) in (december / f"{page}.html").read_text()
    assert row["window_label"] in (december / f"{page}.md").read_text()


def test_one_granularity_per_scope_and_indicator_growing_over_the_year(folders):
    series: dict[tuple[str, str], list[str]] = {}
    for document in documents(folders).values():
        for scope in document["scopes"]:
            for row in scope["indicators"]:
                if row["window"] != "month" or not row["suppressed"]:
                    series.setdefault((scope["scope"], row["id"]), []).append(row["window"])
    for windows in series.values():
        ranks = [ORDER.index(window) for window in windows]
        assert ranks == sorted(ranks)


def test_counts_and_the_barometer_are_published_month_by_month(folders):
    for figure in published(folders):
        spec = CATALOGUE[figure["indicator"]]
        if spec.additive or spec.family == "pulse":
            assert figure["granularity"] == "month"


def test_the_history_shows_only_what_each_month_published(folders):
    by_month = documents(folders)
    december = by_month["2026-12"]
    for scope in december["scopes"]:
        for row in scope["indicators"]:
            for month, value in zip(december["months"], row["history"], strict=True):
                if value is None or month not in by_month:
                    continue
                then = next(s for s in by_month[month]["scopes"] if s["scope"] == scope["scope"])
                shown = next(r for r in then["indicators"] if r["id"] == row["id"])
                assert (shown["window_start"], shown["window_end"]) == (month, month)
                assert shown["value"] == value


def test_no_subtraction_of_published_windows_isolates_fewer_than_k_people(activity, folders):
    """The attack: for every scope and indicator, take each published window and subtract each
    published window inside it, and all of them at once: what is left is about 0 or ≥ k people."""
    figures = published(folders)
    groups: dict[tuple[str, str], list[frozenset[str]]] = {}
    for figure in figures:
        groups.setdefault((figure["scope"], figure["indicator"]), []).append(figure["months"])
    attempts = 0
    for (scope, indicator), windows in groups.items():
        for outer in set(windows):
            inner = [w for w in set(windows) if w < outer]
            rests = [outer - w for w in inner]
            rests += [outer - frozenset().union(*inner)] if inner else []
            for rest in rests:
                attempts += 1
                behind = people(activity, scope, indicator, rest)
                assert behind == 0 or behind >= K, (scope, indicator, sorted(rest))
    assert attempts > 0


def test_consecutive_reports_of_the_same_window_add_k_people_or_none(activity, folders):
    figures = published(folders)
    by_key: dict[tuple[str, str], list[dict]] = {}
    for figure in sorted(figures, key=lambda f: f["month"]):
        by_key.setdefault((figure["scope"], figure["indicator"]), []).append(figure)
    for (scope, indicator), series in by_key.items():
        for before, after in pairwise(series):
            if before["months"] < after["months"]:
                behind = people(activity, scope, indicator, after["months"] - before["months"])
                assert behind == 0 or behind >= K


def test_the_network_minus_the_cooperatives_gives_no_hidden_cooperative(activity, folders):
    """For every count, month by month: if exactly one cooperative is not shown, the network
    minus the others would give it, so it must be about 0 or ≥ k people."""
    for month, document in documents(folders).items():
        scopes = {scope["scope"]: scope for scope in document["scopes"]}
        truth = activity.figures(month)
        for key in CATALOGUE.additive():
            hidden = [
                slug
                for slug, scope in scopes.items()
                if slug != "network"
                and next(r for r in scope["indicators"] if r["id"] == key)["value"] is None
                and truth[slug][key].n > 0
            ]
            network = next(r for r in scopes["network"]["indicators"] if r["id"] == key)
            if len(hidden) == 1 and network["value"] is not None:
                assert truth[hidden[0]][key].n >= K, (month, key, hidden)


@pytest.fixture(scope="module")
def sparse(tmp_path_factory) -> Activity:
    """20 cooperatives of 200 members, about 1 % of members writing in a month."""
    engine = connect(f"sqlite:///{tmp_path_factory.mktemp('sparse') / 'campus.db'}")
    fill_mirror(
        engine,
        cooperatives=20,
        members_per_coop=200,
        topics=380,
        replies_per_topic=0.8,
        months=MONTHS,
        seed=3,
    )
    return Activity(load_forum(engine))


def test_a_sparse_network_gets_its_answer_share_over_at_most_a_year(sparse):
    rates = [sparse.figures(month)[None]["participation_rate"].value for month in MONTHS]
    assert sum(rates) / len(rates) < 0.015  # about 1 % of members write in a month
    report = build_model(sparse, "2026-12", now=NOW)
    rows = [scope.row("answered_48h") for scope in report.cooperatives]
    monthly = [row for row in rows if row.window.months == 1 and not row.suppressed]
    shown = [row for row in rows if not row.suppressed and row.value is not None]
    assert len(monthly) <= len(rows) // 4  # the month alone is not enough for most
    assert len(shown) >= 0.8 * len(rows)
    assert all(row.window.months <= 12 for row in shown)
