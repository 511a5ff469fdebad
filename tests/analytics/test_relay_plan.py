"""The pure rules of `campus relay`: working hours, quiet hours, reading rights, settings."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from analytics.relay_plan import can_read, granted_groups, is_working_time, working_hours_between
from analytics.settings import RelaySettings
from core.errors import InputError

PARIS = ZoneInfo("Europe/Paris")
TZ = "Europe/Paris"


def paris(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PARIS).astimezone(UTC)


def test_a_working_day_counts_thirteen_hours():
    assert working_hours_between(paris("2026-03-10 00:00"), paris("2026-03-11 00:00"), TZ) == 13


def test_nights_do_not_count():
    assert working_hours_between(paris("2026-03-10 19:00"), paris("2026-03-11 08:00"), TZ) == 2


def test_weekends_do_not_count():
    friday_to_monday = working_hours_between(
        paris("2026-03-06 18:00"), paris("2026-03-09 09:00"), TZ
    )
    assert friday_to_monday == 4


def test_spring_daylight_saving_change_counts_wall_clock_hours():
    # clocks go forward on Sunday 29 March 2026: Monday 07:00–09:00 CEST is 2 working hours
    assert working_hours_between(paris("2026-03-27 19:00"), paris("2026-03-30 09:00"), TZ) == 3


def test_autumn_daylight_saving_change_counts_wall_clock_hours():
    # clocks go back on Sunday 25 October 2026
    assert working_hours_between(paris("2026-10-23 19:00"), paris("2026-10-26 09:00"), TZ) == 3


def test_quiet_hours_follow_the_local_clock_across_daylight_saving_changes():
    assert is_working_time(paris("2026-03-30 07:30"), TZ)  # 05:30 UTC, CEST
    assert not is_working_time(paris("2026-03-30 06:59"), TZ)
    assert is_working_time(paris("2026-10-26 19:30"), TZ)  # 18:30 UTC, CET
    assert not is_working_time(paris("2026-10-26 20:00"), TZ)


def test_weekends_are_quiet():
    assert not is_working_time(paris("2026-03-28 11:00"), TZ)
    assert not is_working_time(paris("2026-03-29 15:00"), TZ)


FRENCH_HOLIDAYS = RelaySettings().closed_days()


def test_french_public_holidays_do_not_count():
    # Friday 1 May 2026 (fête du Travail): Thursday 19:00 → Monday 09:00 is 1 + 2 hours
    thursday_to_monday = (paris("2026-04-30 19:00"), paris("2026-05-04 09:00"), TZ, 7, 20)
    assert working_hours_between(*thursday_to_monday, FRENCH_HOLIDAYS) == 3
    assert working_hours_between(*thursday_to_monday) == 16  # without holidays, Friday counts


def test_public_holidays_are_quiet():
    assert not is_working_time(paris("2026-07-14 10:00"), TZ, 7, 20, FRENCH_HOLIDAYS)
    assert is_working_time(paris("2026-07-15 10:00"), TZ, 7, 20, FRENCH_HOLIDAYS)


def test_no_holiday_counts_when_the_setting_is_empty():
    assert date(2026, 7, 14) not in RelaySettings(public_holidays="").closed_days()


def test_a_category_is_read_by_its_groups_staff_or_trust_levels():
    granted = granted_groups(
        pd.DataFrame(
            {
                "category_id": [1, 1, 2, 3],
                "group_name": ["coop-a", "staff", "everyone", "trust_level_2"],
            }
        )
    )
    assert can_read(granted[1], frozenset({"coop-a"}), staff=False, trust_level=0)
    assert not can_read(granted[1], frozenset({"coop-b"}), staff=False, trust_level=4)
    assert can_read(granted[1], frozenset(), staff=True, trust_level=0)
    assert can_read(granted[2], frozenset(), staff=False, trust_level=0)
    assert can_read(granted[3], frozenset(), staff=False, trust_level=2)
    assert not can_read(granted[3], frozenset(), staff=False, trust_level=1)


def test_a_category_without_known_permissions_is_read_by_nobody():
    granted = granted_groups(pd.DataFrame({"category_id": [], "group_name": []}))
    assert not can_read(granted.get(9, frozenset()), frozenset({"coop-a"}), True, trust_level=4)


@pytest.mark.parametrize(
    "values",
    [
        {"per_week": 0},
        {"per_question": -1},
        {"day_start_hour": 20, "day_end_hour": 7},
        {"public_holidays": "France"},
    ],
)
def test_bad_settings_are_refused_with_the_key(values):
    with pytest.raises(InputError, match=r"\[relay\]"):
        RelaySettings(**values)
