"""Recognising peer helpers on the forum: the transformers group and a badge (`score --apply`).

The tool proposes, a person decides: `plan_recognition` only reads the forum and says what would
change; `apply_recognition` makes exactly those changes. Both are idempotent: people already in
the group or already holding the badge are left alone, so a second run writes nothing. Nothing
is ever removed: leaving the group or losing the badge is a human decision made in Discourse.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.errors import CampusError
from core.i18n import _, ngettext
from sync.discourse.client import DiscourseAPI
from sync.discourse.exceptions import DiscourseNotFound


@dataclass(frozen=True)
class RecognitionPlan:
    """What `apply_recognition` would do; `badge` is None when no badge is granted."""

    group: str
    group_id: int
    to_add: tuple[str, ...]
    already_members: tuple[str, ...]
    badge: str | None = None
    badge_id: int | None = None  # None: the badge must be created first
    to_grant: tuple[str, ...] = ()
    already_granted: tuple[str, ...] = ()

    @property
    def has_changes(self) -> bool:
        return bool(self.to_add or self.to_grant)

    def describe(self) -> str:
        """The plan in the user's language, one line per change (French first)."""
        if not self.has_changes:
            return _("Rien à faire : la reconnaissance est déjà en place.")
        lines = [
            ngettext(
                "Groupe « {group} » : {n} personne à ajouter{names}.",
                "Groupe « {group} » : {n} personnes à ajouter{names}.",
                len(self.to_add),
                group=self.group,
                names=_names(self.to_add),
            )
            if self.to_add
            else _("Groupe « {group} » : tout le monde en fait déjà partie.", group=self.group)
        ]
        if self.badge is not None:
            created = _(" (sera créé)") if self.badge_id is None else ""
            lines.append(
                ngettext(
                    "Badge « {badge} »{created} : {n} personne à qui l'attribuer{names}.",
                    "Badge « {badge} »{created} : {n} personnes à qui l'attribuer{names}.",
                    len(self.to_grant),
                    badge=self.badge,
                    created=created,
                    names=_names(self.to_grant),
                )
                if self.to_grant
                else _("Badge « {badge} » : tout le monde l'a déjà.", badge=self.badge)
            )
        return "\n".join(lines)


@dataclass(frozen=True)
class RecognitionResult:
    """What `apply_recognition` did."""

    group: str
    added: tuple[str, ...]
    badge: str | None
    badge_created: bool
    granted: tuple[str, ...]

    def describe(self) -> str:
        created = _(", badge « {badge} » créé", badge=self.badge) if self.badge_created else ""
        return " ".join(
            [
                ngettext(
                    "Fait : {n} ajout au groupe « {group} »,",
                    "Fait : {n} ajouts au groupe « {group} »,",
                    len(self.added),
                    group=self.group,
                ),
                ngettext(
                    "{n} badge attribué{created}.",
                    "{n} badges attribués{created}.",
                    len(self.granted),
                    created=created,
                ),
            ]
        )


def _names(usernames: Sequence[str]) -> str:
    return _(" : {names}", names=", ".join(usernames)) if usernames else ""


def plan_recognition(
    client: DiscourseAPI,
    usernames: Sequence[str],
    *,
    group: str,
    badge: str | None,
) -> RecognitionPlan:
    """Read the forum and plan: who joins `group`, who gets `badge` (None: no badge).

    Reads the group, its members, the badges and each proposed person's badges; writes nothing.
    Usernames are compared case-insensitively, as Discourse does.
    """
    try:
        group_id = int(client.group(group)["group"]["id"])
    except DiscourseNotFound:
        raise CampusError(
            _(
                "Le groupe « {group} » n'existe pas sur le forum : créez-le avec « campus provision ».",
                group=group,
            )
        ) from None
    members = {
        member["username"].lower() for page in client.iter_group_members(group) for member in page
    }
    to_add = tuple(name for name in usernames if name.lower() not in members)
    already = tuple(name for name in usernames if name.lower() in members)
    if badge is None:
        return RecognitionPlan(group, group_id, to_add, already)

    badge_id = next(
        (b["id"] for b in client.list_badges() if b["name"].lower() == badge.lower()), None
    )
    holders: set[str] = set()
    if badge_id is not None:
        for name in usernames:
            grants = client.user_badges(name).get("user_badges") or []
            if any(grant["badge_id"] == badge_id for grant in grants):
                holders.add(name.lower())
    to_grant = tuple(name for name in usernames if name.lower() not in holders)
    granted = tuple(name for name in usernames if name.lower() in holders)
    return RecognitionPlan(group, group_id, to_add, already, badge, badge_id, to_grant, granted)


def apply_recognition(
    client: DiscourseAPI, plan: RecognitionPlan, *, badge_description: str = ""
) -> RecognitionResult:
    """Make the changes of `plan`: add to the group, create the badge if needed, grant it."""
    if plan.to_add:
        client.add_group_members_by_id(plan.group_id, list(plan.to_add))
    badge_id, created = plan.badge_id, False
    if plan.badge is not None and plan.to_grant and badge_id is None:
        badge_id = int(client.create_badge(plan.badge, badge_description)["id"])
        created = True
    for name in plan.to_grant:
        client.grant_badge(name, badge_id)
    return RecognitionResult(plan.group, plan.to_add, plan.badge, created, plan.to_grant)
