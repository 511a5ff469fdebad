"""Who sees what (DESIGN §10): the one place the access rules are written.

Discourse admins (animators) see everything; members of the directions group see the network
report and the reports of their own cooperative(s) — the groups they belong to that are
cooperative slugs; every logged-in member sees « Mes données »; visitors, the home page.
"""

from __future__ import annotations

from web.auth import Member
from web.services import GroupNames


def is_director(member: Member, groups: GroupNames) -> bool:
    """The member belongs to the directions group."""
    return groups.directions in member.groups


def can_read_reports(member: Member | None, groups: GroupNames) -> bool:
    """Animators and directors may open the report pages."""
    return member is not None and (member.admin or is_director(member, groups))


def readable_cooperatives(member: Member, groups: GroupNames) -> list[str]:
    """The cooperative slugs whose report `member` may read (sorted)."""
    if member.admin:
        return sorted(groups.cooperatives)
    if is_director(member, groups):
        return groups.cooperatives_of(member.groups)
    return []


def is_animator(member: Member | None) -> bool:
    """Discourse admins are the network's animators: the dashboard `/animation` is theirs."""
    return member is not None and member.admin


def action_log_cooperatives(member: Member, groups: GroupNames) -> list[str]:
    """The cooperative slugs whose action log `member` may read and write (DESIGN §10): every
    cooperative for animators, their own for directors, none for anyone else."""
    return readable_cooperatives(member, groups)
