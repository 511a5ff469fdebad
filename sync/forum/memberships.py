"""`campus members`: put everyone of roster.csv in their cooperative's group and their role group.

The forum is read cheaply: the admin user list once (`show_emails=true`, 100 people a request)
to find people by username or email, and the members of each Campus-managed group (1,000 a
request). The pure `plan_memberships` compares them with the roster; `apply_memberships` sends
one request per group (at most 1,000 usernames each, Discourse's limit), without notifying anyone.

People the forum does not know are listed, and invited by email into their groups with `invite`.
Before inviting, the API user's pending invitations are read once (`/u/{username}/invited.json`,
40 a request): an address already invited is not invited again, because Discourse would re-send
the e-mail (up to three times a day) instead of refusing. Discourse refuses (422) an address that
already has an account (one created since the list was read, or a secondary address): it is reported.
People in a managed group whom the roster no longer lists are reported, and removed only with
`prune`. A second run right after the first sends no write request, invitations included.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from core.errors import CampusError
from core.i18n import _, ngettext
from sync.discourse.exceptions import DiscourseError
from sync.forum.inputs import Cooperative, RosterEntry
from sync.settings import ForumTemplate

log = logging.getLogger(__name__)

MAX_USERNAMES_PER_REQUEST = 1000  # Discourse's GroupsController::ADD_MEMBERS_LIMIT
UNKNOWN_SHOWN = 30  # unknown people listed in the text output (all of them with --json)


def managed_groups(cooperatives: Sequence[Cooperative], template: ForumTemplate) -> list[str]:
    """The groups whose membership the roster decides: each cooperative's, then the role groups."""
    names = [coop.slug for coop in cooperatives] + list(template.role_groups.values())
    return list(dict.fromkeys(names))


# --- what the forum has --------------------------------------------------------------------


@dataclass
class MembershipState:
    """Active users (with emails), and the ids and member usernames of the managed groups."""

    users: list[dict]
    group_ids: dict[str, int]
    members: dict[str, set[str]]


def read_membership_state(
    client, groups: Sequence[str], progress: Callable[[str], None] | None = None
) -> MembershipState:
    """The admin user list once, and the members of each managed group (CampusError if absent)."""
    ids = {}
    for page in client.iter_groups():
        for group in page:
            ids[group["name"].lower()] = group["id"]
    missing = [name for name in groups if name.lower() not in ids]
    if missing:
        raise CampusError(
            _(
                "Groupe(s) absent(s) du forum : {groups}. Lancez d'abord « campus provision ».",
                groups=", ".join(missing),
            )
        )
    users = []
    for page in client.iter_users("active", show_emails="true"):
        users.extend(page)
        if progress is not None:
            progress(_("Membres du forum lus : {count}", count=len(users)))
    members = {}
    for name in groups:
        members[name] = {
            member["username"] for page in client.iter_group_members(name) for member in page
        }
        if progress is not None:
            progress(
                _("Groupe lu : {group} ({count} membres)", group=name, count=len(members[name]))
            )
    return MembershipState(
        users=users, group_ids={name: ids[name.lower()] for name in groups}, members=members
    )


# --- the plan ------------------------------------------------------------------------------


@dataclass
class MembersPlan:
    """Usernames to add and not listed, per group; unknown people and their invitations."""

    additions: dict[str, list[str]] = field(default_factory=dict)
    not_listed: dict[str, list[str]] = field(default_factory=dict)
    in_place: dict[str, int] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    invitations: dict[str, list[str]] = field(default_factory=dict)
    uninvitable: list[str] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(len(names) for names in self.additions.values())

    @property
    def unchanged(self) -> int:
        """Memberships the roster asks for that the forum already has."""
        return sum(self.in_place.values())

    @property
    def leaving(self) -> list[str]:
        """The people `prune` would remove from at least one group (sorted, each once)."""
        return sorted({name for names in self.not_listed.values() for name in names}, key=str.lower)

    def describe_removals(self) -> str:
        """Who `prune` would remove from which group, for a person to check before it happens."""
        lines = [
            ngettext(
                "{n} personne serait retirée de groupes du forum :",
                "{n} personnes seraient retirées de groupes du forum :",
                len(self.leaving),
            )
        ]
        for group, names in sorted(self.not_listed.items()):
            lines.append(f"  {group} : {', '.join(names)}")
        return "\n".join(lines)


def _index_users(users: Iterable[dict]) -> tuple[dict[str, str], dict[str, str]]:
    """(lowercase username → username, lowercase email → username), secondary emails included."""
    by_name, by_email = {}, {}
    for user in users:
        by_name[user["username"].lower()] = user["username"]
        for email in [user.get("email"), *(user.get("secondary_emails") or [])]:
            if email:
                by_email[email.lower()] = user["username"]
    return by_name, by_email


def plan_memberships(
    roster: Sequence[RosterEntry],
    cooperatives: Sequence[Cooperative],
    template: ForumTemplate,
    state: MembershipState,
) -> MembersPlan:
    """Who must join which group, who is not listed any more, who is unknown. Pure."""
    by_name, by_email = _index_users(state.users)
    wanted: dict[str, set[str]] = {name: set() for name in managed_groups(cooperatives, template)}
    plan = MembersPlan()
    for entry in roster:
        groups = [entry.cooperative, template.role_groups[entry.role]]
        username = (entry.username and by_name.get(entry.username.lower())) or (
            entry.email and by_email.get(entry.email)
        )
        if username:
            for group in groups:
                wanted[group].add(username)
            continue
        if entry.who not in plan.unknown:
            plan.unknown.append(entry.who)
        if entry.email:
            invited = plan.invitations.setdefault(entry.email, [])
            invited.extend(group for group in groups if group not in invited)
        elif entry.who not in plan.uninvitable:
            plan.uninvitable.append(entry.who)
    for group, usernames in wanted.items():
        current = state.members.get(group, set())
        current_lower = {name.lower() for name in current}
        wanted_lower = {name.lower() for name in usernames}
        to_add = sorted(name for name in usernames if name.lower() not in current_lower)
        extra = sorted(name for name in current if name.lower() not in wanted_lower)
        plan.in_place[group] = len(usernames) - len(to_add)
        if to_add:
            plan.additions[group] = to_add
        if extra:
            plan.not_listed[group] = extra
    return plan


# --- applying it ---------------------------------------------------------------------------


@dataclass
class MembersResult:
    """What was written: removals (with --prune) and invitations (with --invite); addresses
    already invited (pending) and those the forum refused because they have an account."""

    removed: int = 0
    cancelled: bool = False  # a person declined the removals: nothing was written
    invited: list[str] = field(default_factory=list)
    already_invited: list[str] = field(default_factory=list)
    has_account: list[str] = field(default_factory=list)


def _chunks(names: Sequence[str]) -> Iterable[list[str]]:
    for start in range(0, len(names), MAX_USERNAMES_PER_REQUEST):
        yield list(names[start : start + MAX_USERNAMES_PER_REQUEST])


def read_pending_invitations(client) -> set[str]:
    """Lowercase e-mails of the invitations the API user sent that are still pending."""
    return {
        invite["email"].lower()
        for page in client.iter_pending_invites(client.api_username)
        for invite in page
        if invite.get("email")
    }


def apply_memberships(
    client,
    plan: MembersPlan,
    group_ids: dict[str, int],
    *,
    prune: bool = False,
    invite: bool = False,
    progress: Callable[[str], None] | None = None,
    steps: Callable[[int, int], None] | None = None,
) -> MembersResult:
    """Add (and with `prune` remove) members group by group; invite unknown people with `invite`,
    except those with a pending invitation. `steps(done, total)` follows the batched writes."""
    result = MembersResult()
    batches = sum(len(list(_chunks(names))) for names in plan.additions.values())
    if prune:
        batches += sum(len(list(_chunks(names))) for names in plan.not_listed.values())
    done = 0
    for group, usernames in plan.additions.items():
        for chunk in _chunks(usernames):
            client.add_group_members_by_id(group_ids[group], chunk)
            done += 1
            if steps is not None:
                steps(done, batches)
        if progress is not None:
            progress(_("Ajoutés à {group} : {count}", group=group, count=len(usernames)))
    if prune:
        for group, usernames in plan.not_listed.items():
            for chunk in _chunks(usernames):
                client.remove_group_members_by_id(group_ids[group], chunk)
                result.removed += len(chunk)
                done += 1
                if steps is not None:
                    steps(done, batches)
            if progress is not None:
                progress(_("Retirés de {group} : {count}", group=group, count=len(usernames)))
    if invite and plan.invitations:
        pending = read_pending_invitations(client)
        for email, groups in plan.invitations.items():
            if email.lower() in pending:
                result.already_invited.append(email)
                continue
            try:
                client.invite(email, groups)
            except DiscourseError as error:
                if error.status != 422:
                    raise
                log.info(
                    _(
                        "Invitation de {email} refusée par le forum : {error}",
                        email=email,
                        error=error,
                    )
                )
                result.has_account.append(email)
            else:
                result.invited.append(email)
            if progress is not None:
                progress(_("Invitation : {email}", email=email))
    return result


def run_members(
    client,
    roster: Sequence[RosterEntry],
    cooperatives: Sequence[Cooperative],
    template: ForumTemplate,
    *,
    dry_run: bool = False,
    prune: bool = False,
    invite: bool = False,
    progress: Callable[[str], None] | None = None,
    steps: Callable[[int, int], None] | None = None,
    confirm: Callable[[MembersPlan], bool] | None = None,
    confirm_above: int = 5,
) -> tuple[MembersPlan, MembersResult]:
    """Read the forum, plan, and apply unless `dry_run` (which sends no write request).

    With `prune`, when more than `confirm_above` people would be removed, `confirm(plan)` decides
    before anything is written (it may also raise to refuse); without `confirm`, or when it says
    no, nothing at all is written and the result says `cancelled`.
    """
    state = read_membership_state(client, managed_groups(cooperatives, template), progress)
    plan = plan_memberships(roster, cooperatives, template, state)
    if dry_run:
        return plan, MembersResult()
    asks = prune and len(plan.leaving) > confirm_above
    if asks and (confirm is None or not confirm(plan)):
        return plan, MembersResult(cancelled=True)
    return plan, apply_memberships(
        client, plan, state.group_ids, prune=prune, invite=invite, progress=progress, steps=steps
    )


# --- reporting -----------------------------------------------------------------------------


def members_json(
    plan: MembersPlan, result: MembersResult, *, dry_run: bool, requests: int, writes: int
) -> dict:
    """The `members --json` object (DESIGN §3), with details per group and the request counts."""
    return {
        "added": plan.added,
        "removed": result.removed,
        "cancelled": result.cancelled,
        "unchanged": plan.unchanged,
        "unknown_users": list(plan.unknown),
        "not_listed": {group: list(names) for group, names in plan.not_listed.items()},
        "invited": list(result.invited),
        "already_invited": list(result.already_invited),
        "has_account": list(result.has_account),
        "not_invitable": list(plan.uninvitable),
        "dry_run": dry_run,
        "requests": requests,
        "write_requests": writes,
    }


def format_members(plan: MembersPlan, result: MembersResult, *, dry_run: bool = False) -> str:
    """A French table of the groups that change, the totals, and the unknown people."""
    groups = sorted(set(plan.additions) | set(plan.not_listed))
    lines = []
    if groups:
        header = (_("Groupe"), _("À ajouter"), _("Déjà membres"), _("Hors fichier"))
        rows = [
            (
                group,
                str(len(plan.additions.get(group, []))),
                str(plan.in_place.get(group, 0)),
                str(len(plan.not_listed.get(group, []))),
            )
            for group in groups
        ]
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
        for row in [header, *rows]:
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            lines.append("  ".join(cells).rstrip())
    extra = sum(len(names) for names in plan.not_listed.values())
    suffix = ""
    if result.removed:
        suffix = _(", dont {removed} retiré(s) (--prune)", removed=result.removed)
    elif extra:
        suffix = _(" (conservés ; --prune pour les retirer)")
    lines.append(
        _(
            "Total : {added} ajout(s), {unchanged} adhésion(s) déjà en place, {extra} membre(s) hors fichier{pruned}.",
            added=plan.added,
            unchanged=plan.unchanged,
            extra=extra,
            pruned=suffix,
        )
    )
    if plan.unknown:
        shown = plan.unknown[:UNKNOWN_SHOWN]
        more = len(plan.unknown) - len(shown)
        lines.append(
            _(
                "Inconnus du forum ({count}) : {names}{more}",
                count=len(plan.unknown),
                names=", ".join(shown),
                more=_(" … et {count} autre(s) (--json pour la liste complète)", count=more)
                if more
                else "",
            )
        )
        if result.invited or result.already_invited:
            lines.append(
                _(
                    "Invitation(s) envoyée(s) : {count} ; déjà invité(s) : {already}.",
                    count=len(result.invited),
                    already=len(result.already_invited),
                )
            )
        elif plan.invitations and not result.has_account:
            lines.append(
                _("Relancez avec --invite pour les inviter par e-mail dans leurs groupes.")
            )
        if result.has_account:
            lines.append(
                _(
                    "Adresse(s) déjà liée(s) à un compte du forum (inactif ou non confirmé ?), non invitée(s) : {emails}",
                    emails=", ".join(result.has_account),
                )
            )
        if plan.uninvitable:
            lines.append(
                _("Sans e-mail, impossible d'inviter : {names}", names=", ".join(plan.uninvitable))
            )
    if dry_run:
        lines.append(_("Simulation (--dry-run) : rien n'a été écrit sur le forum."))
    if result.cancelled:
        lines.append(_("Annulé : rien n'a été modifié sur le forum."))
    return "\n".join(lines)
