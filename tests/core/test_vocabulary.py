"""Periods of `core.vocabulary`: cut at midnight in the network's time zone (Europe/Paris), returned in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.errors import InputError
from core.vocabulary import ALL_START, month_bounds, parse_period

PARIS = "Europe/Paris"
NOW = datetime(2026, 3, 15, 10, 0, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_month_starts_and_ends_at_paris_midnight_across_the_dst_change():
    # 1 March 00:00 CET = 28 Feb 23:00 UTC; 1 April 00:00 CEST = 31 March 22:00 UTC
    assert month_bounds("2026-03", PARIS) == (utc(2026, 2, 28, 23), utc(2026, 3, 31, 22))


def test_december_ends_on_the_first_of_january():
    assert month_bounds("2025-12", PARIS) == (utc(2025, 11, 30, 23), utc(2025, 12, 31, 23))


def test_period_month_is_the_month_bounds():
    assert parse_period("2026-03", PARIS, NOW) == month_bounds("2026-03", PARIS)


def test_period_year_is_cut_at_paris_midnight():
    assert parse_period("2026", PARIS, NOW) == (utc(2025, 12, 31, 23), utc(2026, 12, 31, 23))


def test_last30_is_thirty_calendar_days_up_to_now():
    # today is 15 March (Paris): the 30 days are 14 February .. 15 March, from 00:00 CET
    assert parse_period("last30", PARIS, NOW) == (utc(2026, 2, 13, 23), NOW)


def test_all_goes_from_1970_to_now():
    assert parse_period("all", PARIS, NOW) == (ALL_START, NOW)


@pytest.mark.parametrize("period", ["2026-3", "march", "26-03", "last31", ""])
def test_bad_period_says_which_forms_are_accepted(period):
    with pytest.raises(InputError, match="AAAA-MM"):
        parse_period(period, PARIS, NOW)


def test_month_13_is_refused():
    with pytest.raises(InputError, match="de 01 à 12"):
        parse_period("2026-13", PARIS, NOW)


def test_unknown_time_zone_names_the_setting_to_fix():
    with pytest.raises(InputError, match=r"\[network\] timezone"):
        parse_period("2026-03", "Europe/Lutece", NOW)
