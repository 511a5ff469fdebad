"""Periods of the analytics (`YYYY-MM`, `YYYY`, `last30`, `all`), cut in the network's time zone.

A month of a French network starts at midnight in Paris, not in UTC: a post written on
1 March at 00:30 (Paris) belongs to March although it is still 28 February in UTC. Every period is
returned as a half-open interval `[start, end)` of tz-aware UTC datetimes, ready to compare with
the mirror's UTC timestamps.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sync.errors import InputError
from sync.i18n import translate

ALL_START = datetime(1970, 1, 1, tzinfo=UTC)
LAST_DAYS = 30

MESSAGES = {
    "fr": {
        "bad_period": "Période « {period} » invalide : attendu AAAA-MM (ex. 2026-03), AAAA (ex. 2026), last30 ou all.",
        "bad_month": "Mois « {month} » invalide : attendu AAAA-MM avec un mois de 01 à 12 (ex. 2026-03).",
        "bad_timezone": "Fuseau horaire « {tz} » inconnu : indiquez un nom IANA dans [network] timezone (ex. Europe/Paris).",
    },
    "en": {
        "bad_period": "Invalid period '{period}': expected YYYY-MM (e.g. 2026-03), YYYY (e.g. 2026), last30 or all.",
        "bad_month": "Invalid month '{month}': expected YYYY-MM with a month from 01 to 12 (e.g. 2026-03).",
        "bad_timezone": "Unknown time zone '{tz}': set an IANA name in [network] timezone (e.g. Europe/Paris).",
    },
}

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_YEAR = re.compile(r"\d{4}")


def zone(tz: str) -> ZoneInfo:
    """The `ZoneInfo` named `tz`, or an `InputError` saying how to fix the configuration."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(translate(MESSAGES, "bad_timezone", tz=tz)) from None


def _local_midnight(year: int, month: int, day: int, tz: ZoneInfo) -> datetime:
    return datetime(year, month, day, tzinfo=tz).astimezone(UTC)


def month_bounds(month: str, tz: str) -> tuple[datetime, datetime]:
    """`[first day 00:00, first day of next month 00:00)` of `month` ("YYYY-MM") in `tz`, in UTC."""
    match = _MONTH.fullmatch(month.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise InputError(translate(MESSAGES, "bad_month", month=month))
    year, number = int(match.group(1)), int(match.group(2))
    zone_info = zone(tz)
    next_year, next_month = (year + 1, 1) if number == 12 else (year, number + 1)
    return (
        _local_midnight(year, number, 1, zone_info),
        _local_midnight(next_year, next_month, 1, zone_info),
    )


def parse_period(period: str, tz: str, now: datetime) -> tuple[datetime, datetime]:
    """The UTC interval `[start, end)` that `period` names, cut at midnight in `tz`.

    - `YYYY-MM`: that calendar month; `YYYY`: that calendar year;
    - `last30`: the last 30 calendar days, today included: from local midnight 29 days before
      today up to `now`;
    - `all`: everything up to `now` (from 1970-01-01).
    `now` must be tz-aware. A bad period raises `InputError` (exit 2) with the accepted forms.
    """
    text = period.strip().lower()
    zone_info = zone(tz)
    if text == "all":
        return ALL_START, now.astimezone(UTC)
    if text == "last30":
        today = now.astimezone(zone_info).date() - timedelta(days=LAST_DAYS - 1)
        return _local_midnight(today.year, today.month, today.day, zone_info), now.astimezone(UTC)
    if _YEAR.fullmatch(text):
        year = int(text)
        return _local_midnight(year, 1, 1, zone_info), _local_midnight(year + 1, 1, 1, zone_info)
    if _MONTH.fullmatch(text):
        return month_bounds(text, tz)  # refuses a month outside 01–12
    raise InputError(translate(MESSAGES, "bad_period", period=period))
