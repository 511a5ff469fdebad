"""The work units of a cooperative's DUERP draft (DESIGN §14), and the form of its action plan.

INRS's RPS-DU method (ED 6140) assesses the psychosocial factors per work unit, a group of people
sharing the same work situation. In a CAE the roles are those situations: the entrepreneurs-salariés,
the support team (`appui`) and the direction. A unit of fewer than `min_group_size` people would
let its figures, and even its head count, point at a few people, so `appui` and `direction` are
merged into one unit when either is under the size; a unit still under it keeps its place but its
head count is not shown (`head_count` None), and then neither is any other unit's: the document
states the cooperative's total, from which the one hidden count would follow by subtraction.

From 50 employees the DUERP feeds a yearly programme of prevention (PAPRIPACT: measures,
resources, timetable); below, a list of prevention actions (loi n° 2021-1018 du 2 août 2021).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from core.vocabulary import ROLES

PAPRIPACT_FROM = 50  # employees
SUPPORT_ROLES = ("appui", "direction")


@dataclass(frozen=True)
class WorkUnit:
    """One work unit: the roles it gathers and its head count (None: under the group size)."""

    roles: tuple[str, ...]
    head_count: int | None

    @property
    def merged(self) -> bool:
        return len(self.roles) > 1


def work_units(role_counts: Mapping[str, int], min_group_size: int) -> list[WorkUnit]:
    """The units of a cooperative from its head count by role (roles with nobody left out).

    `appui` and `direction` form one unit when either has fewer than `min_group_size` people."""
    counts = {role: int(role_counts.get(role, 0)) for role in ROLES}
    support = [role for role in SUPPORT_ROLES if counts[role] > 0]
    if any(counts[role] < min_group_size for role in support) and len(support) > 1:
        groups = [("entrepreneur",), tuple(support)]
    else:
        groups = [("entrepreneur",), *((role,) for role in support)]
    sizes = {roles: sum(counts[role] for role in roles) for roles in groups}
    sizes = {roles: size for roles, size in sizes.items() if size > 0}
    shown = all(size >= min_group_size for size in sizes.values())
    return [WorkUnit(roles, size if shown else None) for roles, size in sizes.items()]


def papripact(employees: int) -> bool:
    """Whether the action plan takes the PAPRIPACT's form (50 employees and more)."""
    return employees >= PAPRIPACT_FROM
