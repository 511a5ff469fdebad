"""`campus provision`: keep the forum's groups and categories as cooperatives.csv and the template say.

Declarative and idempotent (DESIGN §4): read what the forum has (`/site.json` once, `/groups.json`
pages), compute a `Plan` with the pure `plan_structure`, print it, and apply it unless dry-run.
Things are identified by name (groups) and slug under their parent (categories), never created
blindly, and written in dependency order (groups before the categories that grant them access,
parents before children): a run interrupted half-way and run again finishes the job without a
duplicate. Nothing is ever deleted: what the forum has beyond the files is reported as orphaned.

Real Discourse's `/site.json` does not list a category's group permissions (only `read_restricted`
and the API user's own `permission`); when they are missing, permissions are compared through
`read_restricted`, unless `check_permissions` asks for one `/c/{id}/show.json` per category.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sync.errors import DiscourseError, DiscourseNotFound
from sync.i18n import translate
from sync.inputs import Cooperative, read_cooperatives
from sync.settings import ROLES, CategorySpec, ForumTemplate

log = logging.getLogger(__name__)

CREATE, UPDATE, UNCHANGED, ORPHANED = "create", "update", "unchanged", "orphaned"
GROUP, CATEGORY = "group", "category"
WRITE_OPS = (CREATE, UPDATE)
EVERYONE = {"everyone": 1}
ACCEPTED_ANSWERS_FIELD = "enable_accepted_answers"
UNCATEGORIZED_SLUG = "uncategorized"
FULL_ACCESS = 1

MESSAGES = {
    "fr": {
        "op_create": "créer",
        "op_update": "modifier",
        "op_unchanged": "inchangé",
        "op_orphaned": "orphelin (conservé)",
        "kind_group": "groupe",
        "kind_category": "catégorie",
        "header_op": "Opération",
        "header_kind": "Type",
        "header_name": "Nom",
        "header_detail": "Détail",
        "change_full_name": "nom complet",
        "change_public_admission": "adhésion libre",
        "change_public_exit": "départ libre",
        "change_name": "nom",
        "change_color": "couleur",
        "change_permissions": "permissions",
        "change_accepted_answers": "réponses acceptées",
        "totals": (
            "Total : {create} à créer, {update} à modifier, {unchanged} inchangé(s), "
            "{orphaned} orphelin(s) (jamais supprimés)."
        ),
        "dry_run": "Simulation (--dry-run) : rien n'a été écrit sur le forum.",
        "applied": "Appliqué : {writes} requête(s) d'écriture, {requests} requête(s) au total.",
        "nothing": "Le forum est déjà conforme : aucune écriture.",
        "progress": "[{done}/{total}] {op} {kind} {name}",
    },
    "en": {
        "op_create": "create",
        "op_update": "update",
        "op_unchanged": "unchanged",
        "op_orphaned": "orphaned (kept)",
        "kind_group": "group",
        "kind_category": "category",
        "header_op": "Operation",
        "header_kind": "Kind",
        "header_name": "Name",
        "header_detail": "Detail",
        "change_full_name": "full name",
        "change_public_admission": "open admission",
        "change_public_exit": "open exit",
        "change_name": "name",
        "change_color": "colour",
        "change_permissions": "permissions",
        "change_accepted_answers": "accepted answers",
        "totals": (
            "Total: {create} to create, {update} to update, {unchanged} unchanged, "
            "{orphaned} orphaned (never deleted)."
        ),
        "dry_run": "Dry run (--dry-run): nothing was written to the forum.",
        "applied": "Applied: {writes} write request(s), {requests} request(s) in all.",
        "nothing": "The forum already matches: no write.",
        "progress": "[{done}/{total}] {op} {kind} {name}",
    },
}


def _(key: str, **values) -> str:
    return translate(MESSAGES, key, **values)


# --- what the forum should have ------------------------------------------------------------


@dataclass(frozen=True)
class GroupTarget:
    """A group Campus keeps, with the fields it manages (others are left as the forum has them)."""

    name: str
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class CategoryTarget:
    """A category Campus keeps: identified by its slug under its parent (None = top level)."""

    slug: str
    name: str
    color: str
    parent_slug: str | None
    permissions: dict[str, int]
    accepted_answers: bool
    label: str

    @property
    def key(self) -> str:
        return f"{self.parent_slug}/{self.slug}" if self.parent_slug else self.slug


def desired_groups(
    cooperatives: Sequence[Cooperative], template: ForumTemplate
) -> list[GroupTarget]:
    """One group per cooperative (full name = its name), the role groups, transformers, opt-out.

    The opt-out and relay groups are open (members join and leave them themselves, DESIGN §6
    and §12).
    """
    targets = [GroupTarget(coop.slug, {"full_name": coop.name}) for coop in cooperatives]
    names = [template.role_groups[role] for role in ROLES if role in template.role_groups]
    names.append(template.transformers_group)
    for name in dict.fromkeys(names):
        targets.append(GroupTarget(name))
    targets.append(
        GroupTarget(template.optout_group, {"public_admission": True, "public_exit": True})
    )
    targets.append(
        GroupTarget(template.relay_group, {"public_admission": True, "public_exit": True})
    )
    return targets


def _network_category(spec: CategorySpec) -> CategoryTarget:
    return CategoryTarget(
        slug=spec.slug,
        name=spec.name,
        color=spec.color.upper(),
        parent_slug=None,
        permissions=dict(spec.permissions) or dict(EVERYONE),
        accepted_answers=spec.accepted_answers,
        label=spec.name,
    )


def desired_categories(
    cooperatives: Sequence[Cooperative], template: ForumTemplate
) -> list[CategoryTarget]:
    """Network categories, then each cooperative's parent followed by its subcategories.

    A cooperative's space is readable and writable by its group and staff only; its
    subcategories share the parent's permissions.
    """
    targets = [_network_category(spec) for spec in template.network_categories]
    for coop in cooperatives:
        permissions = {coop.slug: FULL_ACCESS, "staff": FULL_ACCESS}
        targets.append(
            CategoryTarget(
                slug=coop.slug,
                name=coop.name,
                color=(coop.color or template.default_coop_color).upper(),
                parent_slug=None,
                permissions=permissions,
                accepted_answers=False,
                label=coop.name,
            )
        )
        for spec in template.coop_subcategories:
            targets.append(
                CategoryTarget(
                    slug=spec.slug,
                    name=spec.name,
                    color=(spec.color or coop.color or template.default_coop_color).upper(),
                    parent_slug=coop.slug,
                    permissions=dict(permissions),
                    accepted_answers=spec.accepted_answers,
                    label=f"{coop.name} › {spec.name}",
                )
            )
    return targets


def reserved_names(template: ForumTemplate) -> tuple[set[str], set[str]]:
    """(slugs, category names) a cooperative may not take: the template's groups and categories."""
    slugs = {*template.role_groups.values(), template.transformers_group, template.optout_group}
    slugs.add(template.relay_group)
    slugs |= {spec.slug for spec in template.network_categories}
    return slugs, {spec.name for spec in template.network_categories}


def load_cooperatives(path: Path, template: ForumTemplate) -> list[Cooperative]:
    """cooperatives.csv validated, including against the names the template already takes."""
    slugs, names = reserved_names(template)
    return read_cooperatives(path, reserved_slugs=slugs, reserved_names=names)


# --- what the forum has --------------------------------------------------------------------


@dataclass
class ForumState:
    """Groups by lowercase name and categories (flat, `permissions` None when not listed)."""

    groups: dict[str, dict]
    categories: list[dict]


def _permissions_of(category: dict) -> dict[str, int] | None:
    listed = category.get("group_permissions")
    if listed is None:
        return None
    return {item["group_name"]: int(item["permission_type"]) for item in listed}


def _category_record(category: dict) -> dict:
    return {
        "id": category["id"],
        "slug": category.get("slug") or "",
        "name": category.get("name") or "",
        "color": (category.get("color") or "").upper(),
        "parent_category_id": category.get("parent_category_id"),
        "read_restricted": bool(category.get("read_restricted")),
        "accepted_answers": _truthy(
            (category.get("custom_fields") or {}).get(ACCEPTED_ANSWERS_FIELD)
        ),
        "permissions": _permissions_of(category),
    }


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def read_forum_state(client, check_permissions: bool = False) -> ForumState:
    """What the forum has, cheaply: `/site.json` (all categories) and the `/groups.json` pages.

    With `check_permissions`, categories whose listing lacks `group_permissions` (real Discourse)
    are read one by one from `/c/{id}/show.json`.
    """
    categories = [_category_record(category) for category in client.all_categories()]
    if check_permissions:
        for record in categories:
            if record["permissions"] is None:
                detail = client.category(record["id"]).get("category") or {}
                record["permissions"] = _permissions_of(detail)
    groups: dict[str, dict] = {}
    for page in client.iter_groups():
        for group in page:
            groups[group["name"].lower()] = group
    return ForumState(groups=groups, categories=categories)


# --- the plan ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One line of the plan. `changes` names the fields an update fixes."""

    op: str
    kind: str
    name: str
    key: str
    changes: tuple[str, ...] = ()
    target: GroupTarget | CategoryTarget | None = None
    forum_id: int | None = None

    def to_json(self) -> dict:
        data = {"op": self.op, "kind": self.kind, "name": self.name, "key": self.key}
        if self.changes:
            data["changes"] = list(self.changes)
        return data


@dataclass
class Plan:
    """The actions, in the order they must be applied (orphans last, never applied)."""

    actions: list[Action]

    def count(self, op: str) -> int:
        return sum(1 for action in self.actions if action.op == op)

    @property
    def writes(self) -> list[Action]:
        return [action for action in self.actions if action.op in WRITE_OPS]


def _group_changes(target: GroupTarget, group: dict) -> tuple[str, ...]:
    return tuple(
        name
        for name, wanted in target.fields.items()
        if (group.get(name) or None) != (wanted or None)
    )


def _category_changes(target: CategoryTarget, category: dict) -> tuple[str, ...]:
    changes = []
    if category["name"] != target.name:
        changes.append("name")
    if category["color"] != target.color:
        changes.append("color")
    if category["permissions"] is not None:
        if category["permissions"] != target.permissions:
            changes.append("permissions")
    elif category["read_restricted"] != ("everyone" not in target.permissions):
        changes.append("permissions")
    if category["accepted_answers"] != target.accepted_answers:
        changes.append("accepted_answers")
    return tuple(changes)


def plan_structure(
    forum_state: ForumState, cooperatives: Sequence[Cooperative], template: ForumTemplate
) -> Plan:
    """Compare what the forum has with what the files and the template ask for. Pure."""
    actions: list[Action] = []
    seen_groups: set[str] = set()
    for target in desired_groups(cooperatives, template):
        group = forum_state.groups.get(target.key)
        seen_groups.add(target.key)
        if group is None:
            actions.append(Action(CREATE, GROUP, target.name, target.key, target=target))
            continue
        changes = _group_changes(target, group)
        op = UPDATE if changes else UNCHANGED
        actions.append(Action(op, GROUP, target.name, target.key, changes, target, group["id"]))

    by_id = {category["id"]: category for category in forum_state.categories}
    top = {c["slug"].lower(): c for c in forum_state.categories if c["parent_category_id"] is None}
    children = {
        (c["parent_category_id"], c["slug"].lower()): c
        for c in forum_state.categories
        if c["parent_category_id"] is not None
    }
    matched: set[int] = set()
    for target in desired_categories(cooperatives, template):
        if target.parent_slug is None:
            category = top.get(target.slug.lower())
        else:
            parent = top.get(target.parent_slug.lower())
            category = parent and children.get((parent["id"], target.slug.lower()))
        if category is None:
            actions.append(Action(CREATE, CATEGORY, target.label, target.key, target=target))
            continue
        matched.add(category["id"])
        changes = _category_changes(target, category)
        op = UPDATE if changes else UNCHANGED
        actions.append(
            Action(op, CATEGORY, target.label, target.key, changes, target, category["id"])
        )

    for key, group in sorted(forum_state.groups.items()):
        if key not in seen_groups and not group.get("automatic"):
            actions.append(Action(ORPHANED, GROUP, group["name"], key, forum_id=group["id"]))
    for category in forum_state.categories:
        if category["id"] in matched or category["slug"] == UNCATEGORIZED_SLUG:
            continue
        parent = by_id.get(category["parent_category_id"])
        label = f"{parent['name']} › {category['name']}" if parent else category["name"]
        key = f"{parent['slug']}/{category['slug']}" if parent else category["slug"]
        actions.append(Action(ORPHANED, CATEGORY, label, key, forum_id=category["id"]))
    return Plan(actions)


# --- applying it ---------------------------------------------------------------------------


def _category_fields(target: CategoryTarget, parent_id: int | None) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": target.name,
        "color": target.color,
        "slug": target.slug,
        "permissions": target.permissions,
        "custom_fields": {ACCEPTED_ANSWERS_FIELD: "true" if target.accepted_answers else "false"},
    }
    if parent_id is not None:
        fields["parent_category_id"] = parent_id
    return fields


def _create_group(client, target: GroupTarget) -> int:
    try:
        return client.create_group(target.name, **target.fields)["basic_group"]["id"]
    except DiscourseError as error:
        # the forum may have created it before a lost answer made the client retry
        if error.status != 422:
            raise
        try:
            existing = client.group(target.name)
        except DiscourseNotFound:
            existing = None  # refused for another reason (e.g. a user has that name): say why
        if not existing or "group" not in existing:
            raise error from None
        log.info("group %s already exists: kept", target.name)
        return existing["group"]["id"]


def _create_category(client, target: CategoryTarget, parent_id: int | None) -> int:
    extra: dict[str, Any] = {"slug": target.slug}
    if parent_id is not None:
        extra["parent_category_id"] = parent_id
    if target.accepted_answers:
        extra[f"custom_fields[{ACCEPTED_ANSWERS_FIELD}]"] = "true"
    try:
        created = client.create_category(
            target.name, target.color, permissions=target.permissions, **extra
        )
        return created["category"]["id"]
    except DiscourseError as error:
        if error.status != 422:
            raise
        for category in client.all_categories():
            if (
                category.get("slug") == target.slug
                and category.get("parent_category_id") == parent_id
            ):
                log.info("category %s already exists: kept", target.key)
                return category["id"]
        raise


def apply_plan(client, plan: Plan, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Send the plan's creates and updates in order; return category ids by key.

    Parents are created before their children in the plan, so a child's parent id is always
    known when it is written.
    """
    category_ids = {
        action.key: action.forum_id
        for action in plan.actions
        if action.kind == CATEGORY and action.forum_id is not None
    }
    writes = plan.writes
    for done, action in enumerate(writes, start=1):
        target = action.target
        if isinstance(target, GroupTarget):
            if action.op == CREATE:
                _create_group(client, target)
            else:
                client.update_group(action.forum_id, **target.fields)
        else:
            parent_id = category_ids[target.parent_slug] if target.parent_slug else None
            if action.op == CREATE:
                category_ids[target.key] = _create_category(client, target, parent_id)
            else:
                client.update_category(action.forum_id, **_category_fields(target, parent_id))
        if progress is not None:
            op, kind = _(f"op_{action.op}"), _(f"kind_{action.kind}")
            progress(
                _("progress", done=done, total=len(writes), op=op, kind=kind, name=action.name)
            )
    return category_ids


# --- reporting -----------------------------------------------------------------------------


def plan_json(plan: Plan, *, dry_run: bool, requests: int, writes: int) -> dict:
    """The `provision --json` object (DESIGN §3), with the request counts of this run."""
    return {
        "created": plan.count(CREATE),
        "updated": plan.count(UPDATE),
        "unchanged": plan.count(UNCHANGED),
        "orphaned": plan.count(ORPHANED),
        "dry_run": dry_run,
        "requests": requests,
        "write_requests": writes,
        "actions": [action.to_json() for action in plan.actions],
    }


def format_plan(plan: Plan, *, show_unchanged: bool = False) -> str:
    """The plan as a table (French first): what changes, then the totals line."""
    rows = [
        (
            _(f"op_{action.op}"),
            _(f"kind_{action.kind}"),
            action.name,
            ", ".join(_(f"change_{change}") for change in action.changes),
        )
        for action in plan.actions
        if show_unchanged or action.op != UNCHANGED
    ]
    lines = []
    if rows:
        header = (_("header_op"), _("header_kind"), _("header_name"), _("header_detail"))
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
        for row in [header, tuple("-" * width for width in widths) + ("",), *rows]:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            lines.append("  ".join([*cells, row[3]]).rstrip())
    counts = {op: plan.count(op) for op in (CREATE, UPDATE, UNCHANGED, ORPHANED)}
    lines.append(_("totals", **counts))
    return "\n".join(lines)


def run_provision(
    client,
    cooperatives: Sequence[Cooperative],
    template: ForumTemplate,
    *,
    dry_run: bool = False,
    check_permissions: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Plan:
    """Read the forum, plan, and apply unless `dry_run` (which sends no write request)."""
    state = read_forum_state(client, check_permissions=check_permissions)
    plan = plan_structure(state, cooperatives, template)
    if not dry_run:
        apply_plan(client, plan, progress)
    return plan


def describe_run(plan: Plan, *, dry_run: bool, requests: int, writes: int) -> str:
    """The closing line after the table."""
    if dry_run:
        return _("dry_run")
    if not plan.writes:
        return _("nothing")
    return _("applied", writes=writes, requests=requests)
