"""Points de vigilance raised by configurable thresholds (DESIGN §7)."""

from __future__ import annotations

import dataclasses

from analytics.catalogue import CATALOGUE
from analytics.settings import IndicatorSettings
from analytics.vigilance import Observation, month_points, vigilance_rules


def points(key: str, value: float | None, n: int = 1000, settings=None):
    """The candidate points of one scope's month where only `key` is observed."""
    return month_points(
        "2026-10", {key: Observation(value, n)}, settings or IndicatorSettings(), {}
    )


def test_every_rule_names_an_indicator_and_a_setting():
    names = {field.name for field in dataclasses.fields(IndicatorSettings)}
    for rule in vigilance_rules():
        assert rule.indicator in CATALOGUE
        assert rule.field in names


def test_a_share_below_its_minimum_raises_a_point_on_its_axis():
    found = points("answered_48h", 0.5)
    assert [(p.indicator, p.axis, p.basis) for p in found] == [
        ("answered_48h", "rapports_sociaux", "threshold")
    ]
    assert (found[0].figure, found[0].threshold, found[0].text_key) == (0.5, 0.7, "answered_48h")


def test_a_figure_within_its_threshold_raises_nothing():
    assert points("answered_48h", 0.9) == []


def test_thresholds_come_from_the_settings():
    assert len(points("answered_48h", 0.9, settings=IndicatorSettings(answered_48h_min=0.95))) == 1


def test_a_suppressed_figure_never_raises_a_point():
    assert points("overloaded_helpers", None, n=3) == []


def test_counts_per_person_are_compared_as_shares():
    (found,) = points("authors_without_reply", 400)
    assert found.figure == 0.4
    assert found.unit == "share"


def test_pulse_points_share_one_text_key():
    found = points("pulse_autonomie", 2.4)
    assert [(p.indicator, p.text_key) for p in found] == [("pulse_autonomie", "pulse")]


def test_overloaded_helpers_are_compared_as_a_share_of_the_repliers():
    assert points("overloaded_helpers", 40) == []
    (raised,) = points("overloaded_helpers", 90)
    assert (raised.figure, raised.value) == (0.09, 90)
