"""Points de vigilance raised by configurable thresholds (DESIGN §7)."""

from __future__ import annotations

import dataclasses

from analytics.indicators import DEFINITIONS, Indicator
from analytics.settings import IndicatorSettings
from analytics.vigilance import RULES, vigilance_points


def row(key: str, value: float | None, n: int = 10, suppressed: bool = False) -> Indicator:
    definition = DEFINITIONS[key]
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


def plain(value: float, unit: str) -> str:
    return f"{value:.2f}"


def test_every_rule_names_an_indicator_and_a_setting():
    names = {field.name for field in dataclasses.fields(IndicatorSettings)}
    for rule in RULES:
        assert rule.indicator in DEFINITIONS
        assert rule.field in names


def test_a_share_below_its_minimum_raises_a_point_on_its_axis():
    points = vigilance_points([row("answered_48h", 0.5)], IndicatorSettings())
    assert [(p.indicator, p.axis) for p in points] == [("answered_48h", "rapports_sociaux")]
    sentence = points[0].sentence("fr", plain)
    assert "0.50" in sentence and "0.70" in sentence


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


def test_pulse_points_speak_english_when_asked():
    points = vigilance_points([row("pulse_autonomie", 2.4)], IndicatorSettings())
    assert (
        points[0].sentence("en", plain).startswith("Average pulse answer of 2.40 (threshold: 3.00)")
    )


def test_a_share_just_under_its_threshold_is_told_with_a_decimal():
    def rounded(value: float, unit: str) -> str:
        return f"{value:.1%}" if unit == "share_precise" else f"{value:.0%}"

    point = vigilance_points([row("answered_48h", 0.698)], IndicatorSettings())[0]
    assert point.sentence("en", rounded).startswith("Only 69.8% of questions")
