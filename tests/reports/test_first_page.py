"""The director's first page: ranking, key figures with coloured trends, points explained."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import pytest

from analytics.catalogue import CATALOGUE
from analytics.indicators import Activity
from analytics.vigilance import VigilancePoint
from bench.report_mirror import fill_mirror
from reports.render import View, build_model, build_report
from sync.mirror.db import connect
from sync.mirror.loader import load_forum

NOW = datetime(2026, 11, 10, tzinfo=UTC)


@pytest.fixture(scope="module")
def activity(tmp_path_factory) -> Activity:
    engine = connect(f"sqlite:///{tmp_path_factory.mktemp('first') / 'campus.db'}")
    fill_mirror(engine, cooperatives=4, topics=800)
    return Activity(load_forum(engine))


@pytest.fixture(scope="module")
def folder(activity, tmp_path_factory) -> Path:
    return build_report(activity, "2026-10", tmp_path_factory.mktemp("out"), now=NOW)


def test_the_page_opens_on_where_to_look_first(folder: Path):
    html = unescape((folder / "network.html").read_text())
    order = [html.index(f'id="{name}"') for name in ("attention", "chiffres-cles", "vigilance")]
    assert order == sorted(order)
    assert order[0] < html.index('id="detail"')


def test_the_ranking_lists_the_cooperatives_by_points(activity, folder: Path):
    model = build_model(activity, "2026-10", now=NOW)
    points = {coop.slug: len(coop.points) for coop in model.cooperatives}
    assert [item.points for item in model.ranking] == sorted(
        (n for n in points.values() if n), reverse=True
    )
    html = unescape((folder / "network.html").read_text())
    section = html[html.index('id="attention"') : html.index('id="chiffres-cles"')]
    names = re.findall(r'href="cooperatives/(coop-\d+)\.html"', section)
    assert names == [item.slug for item in model.ranking]


def test_every_key_figure_has_a_card_with_a_judged_trend(folder: Path):
    html = unescape((folder / "network.html").read_text())
    section = html[html.index('id="chiffres-cles"') : html.index('id="vigilance"')]
    assert section.count('class="card"') == len(CATALOGUE.key_figures())
    classes = re.findall(r'class="trend (good|bad|flat|none)"', section)
    assert len(classes) == len(CATALOGUE.key_figures())


def test_the_noise_rule_is_explained_on_the_page(folder: Path):
    html = unescape((folder / "network.html").read_text())
    assert "bruit d'un mois à l'autre" in html
    assert "Poisson" in html


def test_each_point_says_why_and_what_to_do_with_its_source(folder: Path):
    html = unescape((folder / "network.html").read_text())
    section = html[html.index('id="vigilance"') : html.index('id="graphiques"')]
    points = section.count("<li>")
    assert points >= 1
    assert section.count("Pourquoi c'est important") == points
    assert section.count("Ce que la direction peut faire") == points
    assert section.count("Source :") == points


def test_no_jargon_absence_factor_is_renamed_and_explained(folder: Path):
    html = unescape((folder / "network.html").read_text())
    assert "Facteur d'absence" not in html
    assert "Personnes qui écrivent la moitié des réponses" in html
    assert "« facteur d'absence » de CHAOSS" in html  # explained in the annex


def test_a_cooperative_is_shown_beside_the_network_with_its_year(folder: Path):
    html = (folder / "cooperatives" / "coop-02.html").read_text()
    assert "<th>Réseau</th>" in html
    assert "<th>12 mois</th>" in html
    assert "<polyline" in html  # its trends, drawn


def test_a_count_of_people_is_shown_the_same_way_in_table_and_point(activity):
    model = build_model(activity, "2026-10", now=NOW)
    view = View(model, "fr")
    row = model.network.row("authors_without_reply")
    assert re.fullmatch(r"\d+ sur \d+ \(\d+\s%\)", view.shown(row))
    point = VigilancePoint("authors_without_reply", row.axis, "share", 0.3, 0.2, "max", 40, 12)
    assert "12 sur 40 (30" in view.point(point).sentence


def test_a_share_just_under_its_threshold_is_told_with_a_decimal(activity):
    model = build_model(activity, "2026-10", now=NOW)
    point = VigilancePoint(
        "answered_48h", "rapports_sociaux", "share", 0.698, 0.7, "min", 50, 0.698
    )
    assert "69,8" in View(model, "fr").point(point).sentence
