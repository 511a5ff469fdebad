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

import dataclasses
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.i18n import _, ngettext
from core.vocabulary import ROLES
from sync.discourse.exceptions import DiscourseError, DiscourseNotFound
from sync.forum.inputs import Cooperative, read_cooperatives
from sync.settings import CategorySpec, ForumTemplate

log = logging.getLogger(__name__)

CREATE, UPDATE, UNCHANGED, ORPHANED = "create", "update", "unchanged", "orphaned"
GROUP, CATEGORY = "group", "category"
WRITE_OPS = (CREATE, UPDATE)
EVERYONE = {"everyone": 1}
ACCEPTED_ANSWERS_FIELD = "enable_accepted_answers"
UNCATEGORIZED_SLUG = "uncategorized"
FULL_ACCESS = 1

# changes that touch what members use: applied only when a person confirms (or never, with
# `[template] adopt_existing = true`); the others (colour, a feature turned on…) are automatic
FEATURE_REMOVED, ACCESS_NARROWED, RENAMED = "feature_removed", "access_narrowed", "renamed"


def op_label(op: str) -> str:
    return {
        CREATE: _("créer"),
        UPDATE: _("modifier"),
        UNCHANGED: _("inchangé"),
        ORPHANED: _("orphelin (conservé)"),
    }[op]


def kind_label(kind: str) -> str:
    return {GROUP: _("groupe"), CATEGORY: _("catégorie")}[kind]


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
        "topic_count": int(category.get("topic_count") or 0),
        "solved_count": None,  # read only where the plan would turn accepted answers off
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


def read_solved_counts(client, forum_state: ForumState, plan: Plan) -> None:
    """Count the solved topics of each category where the plan turns accepted answers off.

    Those topics leave every mutual-aid indicator once answers can no longer be accepted, so the
    plan says how many there are. One request per 100 solved topics, only for those categories.
    """
    wanted = {
        action.forum_id
        for action in plan.actions
        if action.kind == CATEGORY
        and "accepted_answers" in action.changes
        and not action.target.accepted_answers
    }
    for record in forum_state.categories:
        if record["id"] in wanted and record.get("solved_count") is None:
            record["solved_count"] = client.count_solved_topics(record["id"], record["slug"])


# --- the plan ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Effect:
    """What one change does to what exists. `sensitive` changes touch what members use (a feature
    in use removed, access they rely on narrowed, a name they know changed)."""

    change: str
    text: str
    sensitive: str | None = None

    def to_json(self) -> dict:
        return {"change": self.change, "effect": self.text, "sensitive": self.sensitive}


@dataclass(frozen=True)
class Action:
    """One line of the plan. `changes` names the fields an update fixes, `effects` says what each
    does to the forum, `held` the changes left as the forum has them (not confirmed)."""

    op: str
    kind: str
    name: str
    key: str
    changes: tuple[str, ...] = ()
    target: GroupTarget | CategoryTarget | None = None
    forum_id: int | None = None
    effects: tuple[Effect, ...] = ()
    held: tuple[str, ...] = ()
    forum_name: str | None = None

    @property
    def sensitive(self) -> tuple[Effect, ...]:
        return tuple(effect for effect in self.effects if effect.sensitive)

    @property
    def pending(self) -> tuple[str, ...]:
        """The changes this run sends."""
        return tuple(change for change in self.changes if change not in self.held)

    def to_json(self) -> dict:
        data = {"op": self.op, "kind": self.kind, "name": self.name, "key": self.key}
        if self.changes:
            data["changes"] = list(self.changes)
            data["effects"] = [effect.to_json() for effect in self.effects]
        if self.held:
            data["held"] = list(self.held)
        return data


@dataclass
class Plan:
    """The actions, in the order they must be applied (orphans last, never applied)."""

    actions: list[Action]

    def count(self, op: str) -> int:
        return sum(1 for action in self.actions if action.op == op)

    @property
    def writes(self) -> list[Action]:
        return [
            action
            for action in self.actions
            if action.op == CREATE or (action.op == UPDATE and action.pending)
        ]

    @property
    def sensitive(self) -> list[Action]:
        """Updates with a change that touches what members use, not yet held."""
        return [
            action
            for action in self.actions
            if any(effect.change not in action.held for effect in action.sensitive)
        ]

    @property
    def held(self) -> list[Action]:
        return [action for action in self.actions if action.held]

    def hold_sensitive(self) -> Plan:
        """The same plan with every sensitive change left as the forum has it."""
        return Plan(
            [
                dataclasses.replace(
                    action, held=tuple(effect.change for effect in action.sensitive)
                )
                if action.sensitive
                else action
                for action in self.actions
            ]
        )


def _group_changes(target: GroupTarget, group: dict) -> tuple[str, ...]:
    return tuple(
        name
        for name, wanted in target.fields.items()
        if (group.get(name) or None) != (wanted or None)
    )


def _group_effects(target: GroupTarget, group: dict, changes: tuple[str, ...]) -> tuple:
    effects = []
    for change in changes:
        old, new = group.get(change), target.fields[change]
        if change == "full_name" and old:
            text = _("renomme le groupe « {old} » en « {new} »", old=old, new=new)
            effects.append(Effect(change, text, RENAMED))
        elif change == "full_name":
            effects.append(Effect(change, _("nom complet « {new} »", new=new)))
        elif change == "public_admission":
            text = _("adhésion libre") if new else _("adhésion sur demande")
            effects.append(Effect(change, text))
        else:
            effects.append(Effect(change, _("départ libre") if new else _("départ sur demande")))
    return tuple(effects)


def _access_label(permissions: dict[str, int] | None, read_restricted: bool) -> str:
    if permissions is None:
        return _("groupes choisis") if read_restricted else _("tout le monde")
    if "everyone" in permissions:
        return _("tout le monde")
    return ", ".join(sorted(permissions))


def _narrows(category: dict, target: CategoryTarget) -> bool:
    """True when someone who can use the category today would lose some access."""
    current = category["permissions"]
    if current is None:
        return not category["read_restricted"] and "everyone" not in target.permissions
    wanted = target.permissions
    if "everyone" in wanted:
        return any(level < wanted["everyone"] for level in current.values())
    return any(wanted.get(group, 4) > level for group, level in current.items())


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


def _category_effects(target: CategoryTarget, category: dict, changes: tuple[str, ...]) -> tuple:
    topics = category.get("topic_count", 0)
    effects = []
    for change in changes:
        if change == "name":
            text = ngettext(
                "renomme « {old} » en « {new} » (catégorie de {n} sujet)",
                "renomme « {old} » en « {new} » (catégorie de {n} sujets)",
                topics,
                old=category["name"],
                new=target.name,
            )
            effects.append(Effect(change, text, RENAMED if topics else None))
        elif change == "color":
            text = _("couleur {old} → {new}", old=category["color"] or "–", new=target.color)
            effects.append(Effect(change, text))
        elif change == "permissions":
            old = _access_label(category["permissions"], category["read_restricted"])
            new = _access_label(target.permissions, "everyone" not in target.permissions)
            if _narrows(category, target):
                text = ngettext(
                    "restreint l'accès (aujourd'hui : {old} ; après : {new}) à une catégorie"
                    " de {n} sujet",
                    "restreint l'accès (aujourd'hui : {old} ; après : {new}) à une catégorie"
                    " de {n} sujets",
                    topics,
                    old=old,
                    new=new,
                )
                effects.append(Effect(change, text, ACCESS_NARROWED))
            else:
                text = _("élargit l'accès (aujourd'hui : {old} ; après : {new})", old=old, new=new)
                effects.append(Effect(change, text))
        elif target.accepted_answers:
            effects.append(Effect(change, _("active les réponses acceptées")))
        else:
            solved = category.get("solved_count")
            if solved is None:
                text = _("désactive les réponses acceptées (sujets résolus non comptés)")
            else:
                text = ngettext(
                    "désactive les réponses acceptées sur une catégorie qui compte {n} sujet"
                    " résolu",
                    "désactive les réponses acceptées sur une catégorie qui compte {n} sujets"
                    " résolus",
                    solved,
                )
            effects.append(Effect(change, text, FEATURE_REMOVED if solved != 0 else None))
    return tuple(effects)


def plan_structure(
    forum_state: ForumState, cooperatives: Sequence[Cooperative], template: ForumTemplate
) -> Plan:
    """Compare what the forum has with what the files and the template ask for. Pure.

    With `template.adopt_existing`, sensitive changes are held: the forum keeps them as it has.
    """
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
        effects = _group_effects(target, group, changes)
        actions.append(
            Action(op, GROUP, target.name, target.key, changes, target, group["id"], effects)
        )

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
        effects = _category_effects(target, category, changes)
        actions.append(
            Action(
                op,
                CATEGORY,
                target.label,
                target.key,
                changes,
                target,
                category["id"],
                effects,
                forum_name=category["name"],
            )
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
    plan = Plan(actions)
    return plan.hold_sensitive() if template.adopt_existing else plan


# --- applying it ---------------------------------------------------------------------------


def _category_fields(
    target: CategoryTarget, parent_id: int | None, action: Action | None = None
) -> dict[str, Any]:
    """The update's body: what the plan changes and not what it holds (Discourse keeps a field
    left out). The endpoint requires the name: a held rename sends the forum's own name back."""
    pending = action.pending if action else ("permissions", "accepted_answers")
    fields: dict[str, Any] = {
        "name": target.name if action is None or "name" in pending else action.forum_name,
        "color": target.color,
        "slug": target.slug,
    }
    if "permissions" in pending:
        fields["permissions"] = target.permissions
    if "accepted_answers" in pending:
        value = "true" if target.accepted_answers else "false"
        fields["custom_fields"] = {ACCEPTED_ANSWERS_FIELD: value}
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
        log.info(_("Le groupe {name} existe déjà : conservé.", name=target.name))
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
                log.info(_("La catégorie {key} existe déjà : conservée.", key=target.key))
                return category["id"]
        raise


def apply_plan(
    client,
    plan: Plan,
    progress: Callable[[str], None] | None = None,
    steps: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Send the plan's creates and updates in order (held changes left out); return category ids
    by key.

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
                fields = {k: v for k, v in target.fields.items() if k not in action.held}
                client.update_group(action.forum_id, **fields)
        else:
            parent_id = category_ids[target.parent_slug] if target.parent_slug else None
            if action.op == CREATE:
                category_ids[target.key] = _create_category(client, target, parent_id)
            else:
                client.update_category(
                    action.forum_id, **_category_fields(target, parent_id, action)
                )
        if steps is not None:
            steps(done, len(writes))
        if progress is not None:
            progress(
                _(
                    "[{done}/{total}] {op} {kind} {name}",
                    done=done,
                    total=len(writes),
                    op=op_label(action.op),
                    kind=kind_label(action.kind),
                    name=action.name,
                )
            )
    return category_ids


# --- reporting -----------------------------------------------------------------------------


def plan_provision(
    client,
    cooperatives: Sequence[Cooperative],
    template: ForumTemplate,
    *,
    check_permissions: bool = False,
) -> Plan:
    """Read the forum and plan, with the effect of each change on what exists."""
    state = read_forum_state(client, check_permissions=check_permissions)
    plan = plan_structure(state, cooperatives, template)
    read_solved_counts(client, state, plan)
    return plan_structure(state, cooperatives, template)


def run_provision(
    client,
    cooperatives: Sequence[Cooperative],
    template: ForumTemplate,
    *,
    dry_run: bool = False,
    check_permissions: bool = False,
    progress: Callable[[str], None] | None = None,
    confirm: Callable[[Plan], bool] | None = None,
    steps: Callable[[int, int], None] | None = None,
) -> Plan:
    """Read the forum, plan, and apply unless `dry_run` (which sends no write request).

    Sensitive changes (a feature in use removed, access narrowed, a known name changed) are sent
    only if `confirm(plan)` says yes; without `confirm`, they are held and the rest is applied.
    `progress` gets a line per write, `steps(done, total)` the position among the writes.
    """
    plan = plan_provision(client, cooperatives, template, check_permissions=check_permissions)
    if dry_run:
        return plan
    if plan.sensitive and (confirm is None or not confirm(plan)):
        plan = plan.hold_sensitive()
    apply_plan(client, plan, progress, steps)
    return plan
