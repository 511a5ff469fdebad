"""The report's charts and its printed page (issue 19, part 5): the barometer drawn from the
anonymous barometer's counts, the report month coloured as the legend says, no trend before the
mirror's first month, one "top 10 %", links that survive the PDF, print breaks, each definition
once and plural agreement."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from analytics.indicators import Activity, top_repliers
from analytics.report_model import MonthReport, ScopeModel
from analytics.vigilance import VigilancePoint
from bench.report_mirror import fill_mirror
from core.vocabulary import AXES
from reports import charts
from reports.render import View, build_model, build_report, render_html
from reports.sparkline import sparkline
from sync.mirror import barometer_store
from sync.mirror.db import connect
from sync.mirror.loader import load_forum
from tests.support.clock import FIXTURE_NOW

MONTH = "2026-10"  # the fixtures' last month; the mirror starts in August 2026
BASE_URL = "https://campus.example.org/qvt"


@pytest.fixture(scope="module")
def activity(tmp_path_factory) -> Activity:
    """Three cooperatives over Aug–Oct 2026 (with Discourse pulse polls), and October's
    anonymous barometer: 12 answers in coop-02 (all « 4 » on every axis), 3 in coop-03."""
    engine = connect(f"sqlite:///{tmp_path_factory.mktemp('mirror') / 'campus.db'}")
    fill_mirror(engine)
    barometer_store.open_month(engine, MONTH, date(2026, 10, 1))
    barometer_store.add_batch(
        engine, MONTH, "coop-02", "entrepreneur", [dict.fromkeys(AXES, 4)] * 12
    )
    barometer_store.add_batch(
        engine, MONTH, "coop-03", "entrepreneur", [dict.fromkeys(AXES, 2)] * 3
    )
    return Activity(load_forum(engine))


@pytest.fixture(scope="module")
def model(activity) -> MonthReport:
    return build_model(activity, MONTH, now=FIXTURE_NOW)


@pytest.fixture(scope="module")
def folder(activity, tmp_path_factory) -> Path:
    return build_report(activity, MONTH, tmp_path_factory.mktemp("out"), now=FIXTURE_NOW)


def test_the_barometer_counts_are_drawn_where_the_k_rule_allows(model: MonthReport):
    coop = next(scope for scope in model.cooperatives if scope.slug == "coop-02")
    assert coop.charts["pulse"]["autonomie"][-1] == pytest.approx([0, 0, 0, 1, 0])
    small = next(scope for scope in model.cooperatives if scope.slug == "coop-03")
    assert small.charts["pulse"]["autonomie"][-1] is None  # 3 answers: withheld
    network = model.network.charts["pulse"]["autonomie"][-1]
    assert network == pytest.approx([0, 3 / 15, 0, 12 / 15, 0])  # the network pools every group


def test_the_network_report_draws_the_barometer(folder: Path):
    html = (folder / "network.html").read_text()
    section = html[html.index('id="barometre"') : html.index('id="detail"')]
    assert "<svg" in section
    assert "Pas encore de résultat du baromètre" not in section


def _with_verdict(report: MonthReport, verdict: str) -> MonthReport:
    rows = [replace(row, trend=replace(row.trend, verdict=verdict)) for row in report.network.rows]
    network = ScopeModel(None, "", rows, [], report.network.charts)
    return replace(report, network=network)


def _fills(svg: str, colour: str) -> int:
    return len(re.findall(rf"fill: ?{colour}", svg))


def test_the_report_month_is_coloured_only_where_it_is_judged(model: MonthReport):
    fmt = View(model, "fr").fmt
    drawn = {
        verdict: charts.key_figures_chart(_with_verdict(model, verdict), fmt).svg
        for verdict in ("better", "worse", "stable", "neutral")
    }
    legend = _fills(drawn["stable"], charts.GOOD)  # the legend's green mark
    assert legend == _fills(drawn["neutral"], charts.GOOD) == _fills(drawn["worse"], charts.GOOD)
    assert _fills(drawn["better"], charts.GOOD) > legend
    assert _fills(drawn["worse"], charts.BAD) > _fills(drawn["stable"], charts.BAD)
    assert _fills(drawn["better"], charts.BAD) == _fills(drawn["stable"], charts.BAD)
    assert "#d1495b" not in drawn["stable"]  # the old red dot of every current month


@pytest.mark.parametrize(
    ("verdict", "paint"),
    [
        ("better", 'fill="#1e7b3a"'),
        ("worse", 'fill="#b3261e"'),
        ("stable", 'fill="white"'),
        (None, 'fill="white"'),
    ],
)
def test_the_tables_lines_colour_their_last_month_as_judged(verdict, paint):
    line = sparkline([1.0, 2.0, 3.0], "count", verdict)
    assert "<circle" in line and paint in line
    assert "#d1495b" not in line


def test_a_line_ending_before_the_report_month_is_not_judged():
    assert 'fill="white"' in sparkline([1.0, 2.0, None], "count", "worse")


def test_months_before_the_mirror_are_no_trend(model: MonthReport):
    assert model.first_month == "2026-08"
    history = dict(zip(model.months, model.network.row("active_members").history, strict=True))
    assert history["2026-07"] is None  # not 0: the mirror knows nothing of July
    assert history["2026-08"] is not None
    newcomers = dict(zip(model.months, model.network.row("new_contributors").history, strict=True))
    assert newcomers["2026-08"] is None  # everyone posting in the first month looks new
    assert newcomers["2026-09"] is not None
    alt = charts.key_figures_chart(model, View(model, "fr").fmt).alt
    assert "Le miroir commence en" in alt


@pytest.mark.parametrize(("repliers", "top"), [(1, 1), (9, 1), (10, 1), (15, 2), (70, 7), (71, 8)])
def test_top_ten_percent_is_the_ceiling_of_a_tenth(repliers: int, top: int):
    assert top_repliers(repliers) == top


def test_the_concentration_chart_gives_the_key_figure(model: MonthReport):
    view = View(model, "fr")
    curve = model.network.charts["load"]
    repliers = len(curve) - 1
    assert repliers % 10, "the case where reading the curve at 10 % differs"
    alt = charts.load_chart(curve, view.fmt).alt
    assert view.shown(model.network.row("top_decile_share")) in alt
    assert f"sur {repliers}" in alt


def test_the_printed_page_links_to_the_web_pages_or_nowhere(model: MonthReport):
    printed = render_html(model, model.network, "fr", printed=True, base_url=BASE_URL + "/")
    links = re.findall(r'<a href="([^"]*)"', printed)
    assert links and all(link.startswith(f"{BASE_URL}/rapports/{MONTH}/") for link in links)
    assert f"{BASE_URL}/rapports/{MONTH}/coop-02" in links
    coop = render_html(model, model.cooperatives[0], "fr", printed=True, base_url=BASE_URL)
    assert f'href="{BASE_URL}/rapports/{MONTH}/reseau"' in coop
    assert "<a href" not in render_html(model, model.network, "fr", printed=True)
    assert 'href="cooperatives/coop-02.html"' in render_html(model, model.network, "fr")


def test_cards_and_headings_do_not_break_across_pages(folder: Path):
    style = (folder / "network.html").read_text().split("</style>")[0]
    assert re.search(r"h2, h3, h3 \+ \.note \{ break-after: avoid", style)
    assert re.search(r"\.card, tr \{ break-inside: avoid", style)


def test_each_definition_is_given_once(folder: Path):
    html = (folder / "network.html").read_text()
    annex = html[html.index('id="annexe"') :]
    assert annex.count("Moyenne des réponses au sondage du mois sur cet axe") == 1
    assert "Chacun des six axes" in annex


@pytest.mark.parametrize(("count", "text"), [(1, "1 personne écrit"), (3, "3 personnes écrivent")])
def test_people_agree_in_number(model: MonthReport, count: int, text: str):
    point = VigilancePoint(
        "absence_factor",
        "intensite",
        "2026-10",
        "threshold",
        "people",
        count,
        4,
        4,
        "min",
        30,
        count,
    )
    sentence = View(model, "fr").point(point).sentence
    assert sentence.startswith(text)
    assert "(s)" not in sentence
    english = View(model, "en").point(point).sentence
    assert english.startswith(f"{count} {'person writes' if count == 1 else 'people write'}")
