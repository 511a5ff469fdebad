"""The DUERP's work units (DESIGN §14): the roles, `appui` and `direction` merged when either is
under `min_group_size`, and no unit's head count shown once one is under it."""

from __future__ import annotations

import pytest

from analytics.work_units import WorkUnit, papripact, work_units


def test_three_roles_each_large_enough_are_three_units():
    units = work_units({"entrepreneur": 40, "appui": 6, "direction": 5}, 5)
    assert units == [
        WorkUnit(("entrepreneur",), 40),
        WorkUnit(("appui",), 6),
        WorkUnit(("direction",), 5),
    ]


def test_a_small_direction_is_merged_with_the_support_team():
    units = work_units({"entrepreneur": 40, "appui": 6, "direction": 2}, 5)
    assert units == [WorkUnit(("entrepreneur",), 40), WorkUnit(("appui", "direction"), 8)]
    assert units[1].merged


def test_a_unit_still_under_the_size_hides_every_head_count():
    # 40 + 3 = 43 would give the merged unit's 3 by subtraction from the cooperative's total
    units = work_units({"entrepreneur": 40, "appui": 1, "direction": 2}, 5)
    assert units == [WorkUnit(("entrepreneur",), None), WorkUnit(("appui", "direction"), None)]


def test_roles_with_nobody_are_left_out():
    assert work_units({"entrepreneur": 12, "direction": 7}, 5) == [
        WorkUnit(("entrepreneur",), 12),
        WorkUnit(("direction",), 7),
    ]
    assert work_units({}, 5) == []


@pytest.mark.parametrize(("employees", "form"), [(0, False), (49, False), (50, True), (800, True)])
def test_the_papripact_form_from_50_employees(employees, form):
    assert papripact(employees) is form
