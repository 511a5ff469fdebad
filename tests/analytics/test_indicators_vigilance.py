"""Points de vigilance raised by configurable thresholds (DESIGN §7)."""

from __future__ import annotations

import dataclasses

from analytics.catalogue import CATALOGUE
from analytics.indicators import Indicator
from analytics.settings import IndicatorSettings
from analytics.vigilance import vigilance_points, vigilance_rules


def row(key: str, value: float | None, n: int = 10, suppressed: bool = False) -> Indicator:
    definition = CATALOGUE[key]
    return Indicator(
        id=key,
        axis=definition.axis,
        unit=definition.unit,
        value=value,
        n=n,
        suppressed=suppressed,
        previous=None,
        previous_n=0,
        previous_suppressed=True,
        mean_3m=value,
    )


def test_every_rule_names_an_indicator_and_a_setting():
    names = {field.name for field in dataclasses.fields(IndicatorSettings)}
    for rule in vigilance_rules():
        assert rule.indicator in CATALOGUE
        assert rule.field in names


def test_a_share_below_its_minimum_raises_a_point_on_its_axis():
    points = vigilance_points([row("answered_48h", 0.5)], IndicatorSettings())
    assert [(p.indicator, p.axis) for p in points] == [("answered_48h", "rapports_sociaux")]
    assert (points[0].figure, points[0].threshold, points[0].text_key) == (0.5, 0.7, "answered_48h")


def test_a_figure_within_its_threshold_raises_nothing():
    assert vigilance_points([row("answered_48h", 0.9)], IndicatorSettings()) == []


def test_thresholds_come_from_the_settings():
    settings = IndicatorSettings(answered_48h_min=0.95)
    assert len(vigilance_points([row("answered_48h", 0.9)], settings)) == 1


def test_a_suppressed_figure_never_raises_a_point():
    points = vigilance_points(
        [row("overloaded_helpers", None, n=3, suppressed=True)], IndicatorSettings()
    )
    assert points == []


def test_counts_per_person_are_compared_as_shares():
    points = vigilance_points([row("authors_without_reply", 2, n=5)], IndicatorSettings())
    assert points[0].figure == 0.4
    assert points[0].unit == "share"


def test_pulse_points_share_one_text_key():
    points = vigilance_points([row("pulse_autonomie", 2.4)], IndicatorSettings())
    assert [(p.indicator, p.text_key) for p in points] == [("pulse_autonomie", "pulse")]


def test_overloaded_helpers_are_compared_as_a_share_of_the_repliers():
    quiet = vigilance_points([row("overloaded_helpers", 1, n=100)], IndicatorSettings())
    raised = vigilance_points([row("overloaded_helpers", 9, n=100)], IndicatorSettings())
    assert quiet == []
    assert (raised[0].figure, raised[0].value) == (0.09, 9)
