"""The noise rule and the better direction of the report's trends, on hand-built months."""

from __future__ import annotations

import pytest

from analytics.catalogue import CATALOGUE
from analytics.trends import judge


def test_every_indicator_declares_its_better_direction():
    better = CATALOGUE.better()
    assert set(better) == set(CATALOGUE)
    assert set(better.values()) <= {"up", "down", None}


def test_two_more_active_members_out_of_780_is_no_change():
    trend = judge("people", "up", 783, 781)
    assert (trend.direction, trend.verdict) == ("flat", "stable")


def test_a_count_far_beyond_its_poisson_interval_is_a_change():
    trend = judge("count", "down", 60, 20)  # 1.96 × √80 ≈ 17.5 < 40
    assert (trend.direction, trend.verdict) == ("up", "worse")


def test_a_falling_median_wait_is_better_and_a_rising_one_worse():
    steady = [10.0, 11.0, 10.0, 11.0, 10.0]  # month-to-month changes of 1 h
    assert judge("hours", "down", 4.0, 10.0, history=steady).verdict == "better"
    assert judge("hours", "down", 22.0, 10.0, history=steady).verdict == "worse"


def test_a_move_within_the_past_spread_is_stable():
    wobbly = [10.0, 16.0, 9.0, 15.0, 10.0]  # changes of 5–7 h: noise = 2 × 6 h
    assert judge("hours", "down", 20.0, 10.0, history=wobbly).verdict == "stable"


def test_hours_without_three_past_changes_are_not_judged():
    trend = judge("hours", "down", 40.0, 10.0, history=[12.0, 10.0])
    assert trend.direction is None and trend.verdict is None


def test_a_share_change_is_judged_against_its_population():
    small = judge("share", "up", 0.8, 0.6, n=10, previous_n=10)  # interval ≈ 0.39
    large = judge("share", "up", 0.8, 0.6, n=1000, previous_n=1000)  # interval ≈ 0.04
    assert small.verdict == "stable"
    assert large.verdict == "better"


def test_a_change_with_no_better_direction_is_neutral():
    assert judge("count", None, 300, 100).verdict == "neutral"


@pytest.mark.parametrize("value, previous", [(None, 3.0), (3.0, None)])
def test_a_missing_month_is_not_judged(value, previous):
    assert judge("count", "up", value, previous).direction is None
