"""The director's first page: ranking, key figures with coloured trends, cards explained."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import pytest

from analytics.catalogue import CATALOGUE
from analytics.indicators import Activity
from analytics.vigilance import BASES, VigilancePoint
from analytics.vigilance_status import SEVERITIES, STATUSES
from bench.report_mirror import fill_mirror
from core.vocabulary import AXES
from reports.render import View, build_model, build_report, render_html, render_markdown
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


def test_the_ranking_lists_the_cooperatives_by_severity(activity, folder: Path):
    model = build_model(activity, "2026-10", now=NOW)
    assert model.ranking
    levels = [item.rank_level for item in model.ranking]
    assert levels == sorted(levels, reverse=True)
    html = unescape((folder / "network.html").read_text())
    section = html[html.index('id="attention"') : html.index('id="chiffres-cles"')]
    names = re.findall(r'<h3><a href="cooperatives/(coop-\d+)\.html"', section)
    assert names == [item.scope for item in model.ranking[:10]]


def test_the_first_page_shows_three_cards_per_scope_and_folds_the_rest(activity):
    model = build_model(activity, "2026-10", now=NOW)
    coop = next(c for c in model.cooperatives if c.slug == model.ranking[0].scope)
    card = coop.active_cards[0]
    coop.cards = [dataclasses.replace(card, axis=axis) for axis in AXES[:5]]
    html = unescape(render_html(model, model.network, "fr"))
    section = html[html.index('id="attention"') : html.index('id="chiffres-cles"')]
    first = section[: section.index("</article>")]
    assert first.count('<li class="card-') == 5
    folded = first[first.index("<details>") :]
    assert folded.count('<li class="card-') == 2
    assert "… et 2 autres points de vigilance" in folded
    markdown = render_markdown(model, model.network, "fr")
    block = markdown[markdown.index(f"### {coop.name}") :]
    block = block[: block.index("\n### ") if "\n### " in block else len(block)]
    assert block.count("\n- **") == 3
    assert "… et 2 autres points de vigilance" in block


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


def test_each_card_says_why_and_what_to_do_once_with_its_source(activity, folder: Path):
    model = build_model(activity, "2026-10", now=NOW)
    view = View(model, "fr")
    html = unescape((folder / "network.html").read_text())
    section = html[html.index('id="vigilance"') : html.index('id="graphiques"')]
    cards = model.network.cards
    assert cards
    assert section.count('<li class="card-') == len(cards)
    advice = sum(len(view.card(card).advice) for card in cards if card.status != "resolved")
    assert section.count("Pourquoi c'est important :") == advice
    assert section.count("Ce que la direction peut faire") == advice
    assert section.count("Source :") == advice
    for card in cards:  # the after-hours roles share their « why »: said once per card
        whys = [why for why, _action, _source in view.card(card).advice]
        assert len(whys) == len(set(whys))


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
    point = VigilancePoint(
        "authors_without_reply", row.axis, "2026-10", "threshold", "share", 0.3, 0.2, 0.2,
        "max", 40, 12,
    )  # fmt: skip
    assert "12 sur 40 (30" in view.point(point).sentence


def test_a_point_tells_what_it_was_compared_with(activity):
    model = build_model(activity, "2026-10", now=NOW)
    view = View(model, "fr")
    point = VigilancePoint(
        "answered_48h", "rapports_sociaux", "2026-10", "peers", "share", 0.4, 0.82, 0.3,
        "min", 50, 0.4, 5.0,
    )  # fmt: skip
    assert "coopératives comparables" in view.basis(point)
    assert "82\u00a0%" in view.basis(point)


def test_indicators_json_carries_the_cards_and_the_ranking(folder: Path):
    data = json.loads((folder / "indicators.json").read_text())
    slugs = {scope["scope"] for scope in data["scopes"]}
    assert data["vigilance"]
    keys = {"scope", "axis", "indicators", "status", "since", "severity", "basis", "window_months"}
    for card in data["vigilance"]:
        assert keys <= card.keys()
        assert card["scope"] in slugs and card["axis"] in AXES
        assert card["status"] in STATUSES and card["severity"] in SEVERITIES
        assert card["basis"] in BASES
        assert re.fullmatch(r"\d{4}-\d{2}", card["since"])
        assert card["window_months"] >= 1 and card["indicators"]
    pairs = [(card["scope"], card["axis"]) for card in data["vigilance"]]
    assert len(pairs) == len(set(pairs))  # one card per scope and axis
    assert all({"scope", "severity"} <= item.keys() for item in data["ranking"])
    assert all("vigilance" not in scope for scope in data["scopes"])  # no per-scope lists
