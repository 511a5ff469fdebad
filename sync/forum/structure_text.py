"""What `campus provision` prints: the plan as a table, as JSON, and the closing lines.

The plan itself (what to create, update or leave) is computed and applied in `sync.forum.structure`.
"""

from __future__ import annotations

from core.i18n import _, format_number, ngettext
from sync.forum.structure import (
    CREATE,
    ORPHANED,
    UNCHANGED,
    UPDATE,
    Action,
    Plan,
    kind_label,
    op_label,
)


def plan_json(plan: Plan, *, dry_run: bool, requests: int, writes: int) -> dict:
    """The `provision --json` object (DESIGN §3), with the request counts of this run; `held`
    counts the actions with a change left as the forum has it."""
    return {
        "created": plan.count(CREATE),
        "updated": plan.count(UPDATE),
        "unchanged": plan.count(UNCHANGED),
        "orphaned": plan.count(ORPHANED),
        "held": len(plan.held),
        "dry_run": dry_run,
        "requests": requests,
        "write_requests": writes,
        "actions": [action.to_json() for action in plan.actions],
    }


def _detail(action: Action) -> str:
    parts = []
    for effect in action.effects:
        if effect.change in action.held:
            parts.append(_("{effect} : retenu, le forum garde l'existant", effect=effect.text))
        else:
            parts.append(effect.text)
    return " ; ".join(parts)


def format_plan(plan: Plan, *, show_unchanged: bool = False) -> str:
    """The plan as a table (French first): what each change does to what exists, then totals."""
    rows = [
        (op_label(action.op), kind_label(action.kind), action.name, _detail(action))
        for action in plan.actions
        if show_unchanged or action.op != UNCHANGED
    ]
    lines = []
    if rows:
        header = (_("Opération"), _("Type"), _("Nom"), _("Détail"))
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
        for row in [header, tuple("-" * width for width in widths) + ("",), *rows]:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            lines.append("  ".join([*cells, row[3]]).rstrip())
    lines.append(
        _(
            "Total : {create} à créer, {update} à modifier, {unchanged} inchangé(s), "
            "{orphaned} orphelin(s) (jamais supprimés).",
            create=format_number(plan.count(CREATE), 0),
            update=format_number(plan.count(UPDATE), 0),
            unchanged=format_number(plan.count(UNCHANGED), 0),
            orphaned=format_number(plan.count(ORPHANED), 0),
        )
    )
    return "\n".join(lines)


def format_sensitive(plan: Plan) -> str:
    """The changes that touch what members use, one per line, for a person to confirm."""
    lines = [
        ngettext(
            "{n} changement touche à ce que les membres utilisent :",
            "{n} changements touchent à ce que les membres utilisent :",
            sum(len(action.sensitive) for action in plan.sensitive),
        )
    ]
    for action in plan.sensitive:
        for effect in action.sensitive:
            lines.append(f"  - {action.name} : {effect.text}")
    return "\n".join(lines)


def describe_run(
    plan: Plan, *, dry_run: bool, requests: int, writes: int, adopt_existing: bool = False
) -> str:
    """The closing lines after the table: what was written, and what was held and how to
    apply it."""
    if dry_run:
        lines = [_("Simulation (--dry-run) : rien n'a été écrit sur le forum.")]
        if plan.sensitive:
            lines.append(
                _(
                    "Les changements qui touchent à ce que les membres utilisent seront demandés"
                    " avant d'être appliqués (--yes pour les appliquer sans demander)."
                )
            )
    elif not plan.writes and not plan.held:
        lines = [_("Le forum est déjà conforme : aucune écriture.")]
    elif not plan.writes:
        lines = [_("Rien n'a été écrit sur le forum.")]
    else:
        lines = [
            _(
                "Appliqué : {writes} requête(s) d'écriture, {requests} requête(s) au total.",
                writes=format_number(writes, 0),
                requests=format_number(requests, 0),
            )
        ]
    held = sum(len(action.held) for action in plan.held)
    if held and adopt_existing:
        lines.append(
            ngettext(
                "{n} changement retenu ([template] adopt_existing = true) : le forum garde ce"
                " qu'il a.",
                "{n} changements retenus ([template] adopt_existing = true) : le forum garde ce"
                " qu'il a.",
                held,
            )
        )
    elif held and not dry_run:
        lines.append(
            ngettext(
                "{n} changement retenu : le forum garde ce qu'il a. Relancez avec --yes pour"
                " l'appliquer, ou mettez [template] adopt_existing = true pour adopter l'existant.",
                "{n} changements retenus : le forum garde ce qu'il a. Relancez avec --yes pour"
                " les appliquer, ou mettez [template] adopt_existing = true pour adopter"
                " l'existant.",
                held,
            )
        )
    return "\n".join(lines)
