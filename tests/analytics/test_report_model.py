"""Thresholds that could never be quiet (the ranking: tests/analytics/test_vigilance_status.py)."""

from __future__ import annotations

import pytest

from analytics.settings import IndicatorSettings
from core.errors import InputError


@pytest.mark.parametrize(
    "field, value",
    [
        ("flagged_posts_max", 0),  # any flag anywhere would raise it every month
        ("overloaded_helpers_share_max", 0),
        ("after_hours_max", 0),
        ("answered_48h_min", 1),  # below 100 %: nearly always
        ("pulse_min", 5),
        ("first_response_hours_max", 0),
    ],
)
def test_a_threshold_that_can_never_be_quiet_is_refused(field, value):
    with pytest.raises(InputError, match=field):
        IndicatorSettings(**{field: value})


def test_the_default_thresholds_are_valid():
    assert IndicatorSettings().overloaded_helpers_share_max == 0.05
