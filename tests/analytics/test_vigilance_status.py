"""Vigilance as a signal (DESIGN §7, « Small groups and signal »): the bases of a point, the
precision rule, the confirmation of a candidate, the status of a card month after month, one card
per scope and axis, severity and the ranking."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from analytics.coverage import Coverage
from analytics.report_model import MonthReport, ScopeModel
from analytics.vigilance import (
    Context,
    Observation,
    VigilancePoint,
    as_shown,
    confirmed,
    peer_groups,
    raise_rule,
    vigilance_rules,
)
from analytics.vigilance_status import Card, ranking, scope_cards
from reports.formatting import Formatter
from reports.render import View

MONTHS = ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]


def rule(indicator: str):
    return next(rule for rule in vigilance_rules() if rule.indicator == indicator)


def point(
    indicator: str = "answered_48h",
    axis: str = "rapports_sociaux",
    month: str = "2026-10",
    figure: float = 0.4,
    limit: float = 0.7,
    n: int = 40,
    z: float | None = 4.0,
) -> VigilancePoint:
    return VigilancePoint(
        indicator, axis, month, "threshold", "share", figure, limit, 0.7, "min", n, figure, z
    )


def cards_over(raised: list[bool], worse: frozenset[str] = frozenset(), **changes) -> list[Card]:
    """The cards of October after `raised` months (one per month of `MONTHS`)."""
    points = {
        month: [point(month=month, **changes)] if flag else []
        for month, flag in zip(MONTHS, raised, strict=True)
    }
    return scope_cards("coop-a", MONTHS, points, set(worse))


def view(lang: str = "fr") -> View:
    """A view over an empty report of October, to word the cards."""
    moment = datetime(2026, 11, 5, tzinfo=UTC)
    coverage = Coverage("2026-10", moment, moment, False)
    network = ScopeModel(None, "", [])
    report = MonthReport("2026-10", MONTHS, moment, coverage, 5, "Europe/Paris", network, [], [])
    return View(report, lang)


# --- bases and the precision rule ----------------------------------------------------------


@pytest.mark.parametrize("value", [0.0049, 0.125, 0.285, 0.6949999, 0.695, 0.699, 0.7])
def test_figures_are_rounded_as_the_report_shows_them(value):
    fmt = Formatter("fr")
    assert fmt.value(as_shown(value, "share"), "share") == fmt.value(value, "share")
    assert fmt.value(as_shown(value * 5, "scale"), "scale") == fmt.value(value * 5, "scale")


def test_a_figure_shown_at_its_threshold_is_not_past_it():
    pulse = rule("pulse_autonomie")
    shown_at = raise_rule(pulse, Observation(2.99, 10_000), 3.0, Context(), "2026-10")
    assert shown_at is None  # 2,99 is shown « 3,0 »: not below a 3,0 threshold
    below = raise_rule(pulse, Observation(2.9, 10_000), 3.0, Context(), "2026-10")
    assert below is not None and below.basis == "threshold"
    share = rule("answered_48h")
    assert raise_rule(share, Observation(0.696, 10_000), 0.7, Context(), "2026-10") is None


def test_a_handful_of_people_cannot_tell_a_figure_from_its_threshold():
    share = rule("authors_without_reply")
    few = raise_rule(share, Observation(2, 5), 0.2, Context(), "2026-10")  # 40 % of 5 people
    assert few is not None and few.z < 2
    assert not confirmed(few, few, raised_before=False)  # not even two months in a row
    many = raise_rule(share, Observation(40, 100), 0.2, Context(), "2026-10")
    assert many is not None and (many.figure, many.unit) == (0.4, "share")
    assert confirmed(many, many, raised_before=False)


def test_a_change_beyond_the_noise_against_its_own_past_is_a_basis():
    past = [
        Observation(0.82, 60),
        Observation(0.78, 60),
        Observation(0.8, 60),
        Observation(0.8, 60),
    ]
    found = raise_rule(
        rule("answered_48h"), Observation(0.5, 60), 0.3, Context(past=past), "2026-10"
    )
    assert found is not None and found.basis == "own_past"
    assert found.limit == pytest.approx(0.8)
    assert found.z > 3


def test_a_cooperative_worse_than_its_peers_is_raised_on_that_basis():
    peers = [Observation(0.9, 50)] * 5
    found = raise_rule(rule("answered_48h"), Observation(0.55, 50), 0.3, Context(peers=peers), "m")
    assert found is not None and found.basis == "peers"
    few = raise_rule(
        rule("answered_48h"),
        Observation(0.55, 50),
        0.3,
        Context(peers=peers[:2], network=Observation(0.9, 900)),
        "m",
    )
    assert few is not None and few.basis == "network"


def test_peer_groups_cut_by_size_and_region():
    members = {f"c{i:02d}": 10 * i for i in range(1, 16)}
    groups = peer_groups(members)
    assert "c01" not in groups["c01"]
    assert set(groups["c01"]) == {"c02", "c03", "c04", "c05"}  # the smallest tercile
    regions = {slug: "nord" if i % 2 else "sud" for i, slug in enumerate(sorted(members))}
    assert peer_groups(members, regions)["c01"] == groups["c01"]  # too few in its region


def test_a_candidate_needs_a_strong_break_or_two_months():
    assert confirmed(point(z=6.0), None, raised_before=False)
    assert not confirmed(point(z=3.0), None, raised_before=False)
    assert confirmed(point(z=3.0), point(z=2.5), raised_before=False)
    assert confirmed(point(z=1.5), point(z=1.5), raised_before=True)  # hysteresis
    assert not confirmed(point(z=None), None, raised_before=False)  # hours: two months
    assert confirmed(point(z=None), point(z=None), raised_before=False)


# --- status, cards, severity, ranking -----------------------------------------------------------


def test_status_goes_new_then_continuing_then_resolved():
    new = cards_over([False] * 5 + [True])
    assert [(c.status, c.since, c.months) for c in new] == [("new", "2026-10", 1)]
    continuing = cards_over([False] * 4 + [True, True])
    assert [(c.status, c.since, c.months) for c in continuing] == [("continuing", "2026-09", 2)]
    resolved = cards_over([False] * 3 + [True, True, False])
    assert [(c.status, c.since, c.months) for c in resolved] == [("resolved", "2026-08", 2)]
    assert cards_over([False] * 6) == []


def test_a_standing_condition_is_told_once_with_its_duration():
    (card,) = cards_over([True] * 6)
    assert (card.status, card.since, card.months, card.standing) == (
        "continuing",
        "2026-05",
        6,
        True,
    )


def test_worsening_needs_a_change_beyond_the_noise_and_a_higher_severity():
    points = {
        "2026-09": [point(month="2026-09", figure=0.62, n=8)],
        "2026-10": [point(month="2026-10", figure=0.2, n=80)],
    }
    (card,) = scope_cards("coop-a", MONTHS, points, {"answered_48h"})
    assert card.status == "worsening"
    (quiet,) = scope_cards("coop-a", MONTHS, points, set())
    assert quiet.status == "continuing"


def test_points_of_one_scope_and_one_axis_form_one_card():
    month = "2026-10"
    points = {
        month: [
            point("after_hours", "intensite", month, 0.5, 0.25),
            point("after_hours_entrepreneur", "intensite", month, 0.5, 0.25),
            point("after_hours_appui", "intensite", month, 0.5, 0.25),
            point("answered_48h", "rapports_sociaux", month),
        ]
    }
    cards = scope_cards("coop-a", MONTHS, points, set())
    assert sorted(card.axis for card in cards) == ["intensite", "rapports_sociaux"]
    intensity = next(card for card in cards if card.axis == "intensite")
    assert len(intensity.indicators) == 3


def test_severity_grows_with_the_gap_the_people_and_the_duration():
    (slight,) = cards_over([False] * 5 + [True], figure=0.62, n=6)
    (far,) = cards_over([False] * 5 + [True], figure=0.2, n=200)
    assert (slight.severity, far.severity) == ("low", "high")
    (long,) = cards_over([True] * 6, figure=0.5, n=30)
    (short,) = cards_over([False] * 5 + [True], figure=0.5, n=30)
    assert long.level > short.level


def test_the_ranking_puts_news_before_standing_features():
    standing = cards_over([True] * 6, figure=0.2, n=200)
    news = cards_over([False] * 4 + [True, True], figure=0.2, n=200)
    calm = cards_over([False] * 4 + [True, False])
    ranked = ranking(
        {"ancienne": standing, "nouvelle": news, "calme": calm},
        {"ancienne": "Ancienne", "nouvelle": "Nouvelle", "calme": "Calme"},
    )
    assert [item.scope for item in ranked] == ["nouvelle", "ancienne"]  # resolved: not ranked
    assert ranked[0].severity == ranked[1].severity == "high"
    assert ranked[0].news and not ranked[1].news


def test_every_status_has_its_words():
    paths = ([False] * 5 + [True], [False] * 4 + [True] * 2, [True] * 6, [True] * 5 + [False])
    for lang in ("fr", "en"):
        words = {view(lang).status(card) for raised in paths for card in cards_over(raised)}
        assert len(words) == 4


def test_peers_of_one_region_when_it_has_enough_of_them():
    members = {f"c{i:02d}": 10 * i for i in range(1, 31)}  # ten per size band
    regions = {
        slug: "nord" if i < 5 or 10 <= i < 15 else "sud" for i, slug in enumerate(sorted(members))
    }
    group = peer_groups(members, regions)["c01"]
    assert set(group) == {"c02", "c03", "c04", "c05"}  # its band's northern cooperatives


def test_a_card_says_each_why_once():
    month = "2026-10"
    roles = [
        "after_hours",
        "after_hours_entrepreneur",
        "after_hours_appui",
        "after_hours_direction",
    ]
    points = {month: [point(key, "intensite", month, 0.5, 0.25) for key in roles]}
    (card,) = scope_cards("coop-a", MONTHS, points, set())
    texts = view().card(card)
    assert len(texts.sentences) == 4
    assert len(texts.advice) == 1
