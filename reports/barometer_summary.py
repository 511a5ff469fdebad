"""The summary of a closed barometer month posted in a cooperative's topic (DESIGN §14): « vous
avez dit » (the month's results, the cooperative beside the network) and « nous avons fait »
(the actions its direction decided since), as Markdown for Discourse.

Inert by construction: the cooperative's name and the actions' titles, typed by people, go
through `core.safe_text.discourse_inline`, so none can mention, link or break the table; nothing
else in the text comes from a person, and there is no link at all.
"""

from __future__ import annotations

from typing import Protocol

from core.i18n import _, format_number
from core.safe_text import discourse_inline
from core.vocabulary import ACTION_KIND_LABELS, ACTION_STATUS_LABELS, AXES, AXIS_LABELS
from reports.formatting import Formatter


class MonthResults(Protocol):
    """What the summary reads (`app.barometer_results.Results`)."""

    month: str | None
    min_group_size: int
    network: object
    cooperatives: dict
    actions: dict
    names: dict[str, str]


def summary_markdown(results: MonthResults, slug: str, lang: str) -> str:
    """The reply for cooperative `slug`: its results and the network's where at least
    `min_group_size` people answered (a sentence saying why otherwise), then its actions."""
    fmt = Formatter(lang)
    k = results.min_group_size
    month = fmt.month(results.month)
    name = discourse_inline(results.names.get(slug, slug))
    own = results.cooperatives[slug]
    network = results.network
    title = _("Vous avez dit : les résultats du baromètre ({month})", lang=lang, month=month)
    lines = ["## " + title, ""]
    lines.append(
        _(
            "Moyennes de 1 (pas du tout d'accord) à 5 (tout à fait d'accord), montrées seulement"
            " là où au moins {k} personnes ont répondu.",
            lang=lang,
            k=k,
        )
    )
    lines.append("")
    columns = [(name, own)] if own.shown else []
    columns += [(_("Réseau", lang=lang), network)] if network.shown else []
    if columns:
        lines.append("| " + " | ".join([_("Axe", lang=lang), *(c for c, _s in columns)]) + " |")
        lines.append("| --- |" + " ---: |" * len(columns))
        for axis in AXES:
            cells = [_mean(scope.axes[axis], lang) for _c, scope in columns]
            lines.append("| " + " | ".join([AXIS_LABELS[lang][axis], *cells]) + " |")
        answered = [format_number(scope.respondents, 0, lang) for _c, scope in columns]
        lines.append("| " + " | ".join([_("Réponses", lang=lang), *answered]) + " |")
        lines.append("")
        if any(value is None for _c, scope in columns for value in scope.axes.values()):
            lines += [_("– : moins de {k} réponses sur cet axe.", lang=lang, k=k), ""]
    for label, scope in ((name, own), (_("le réseau", lang=lang), network)):
        if not scope.shown:
            lines += [
                _(
                    "Moins de {k} personnes ({scope}) ont répondu en {month} : pour protéger"
                    " l'anonymat, ces résultats ne sont pas montrés.",
                    lang=lang,
                    k=k,
                    scope=label,
                    month=month,
                ),
                "",
            ]
    lines += [
        "## " + _("Nous avons fait : les actions de la direction depuis ce baromètre", lang=lang),
        "",
    ]
    decided = results.actions.get(slug) or []
    if not decided:
        lines.append(
            _(
                "Aucune action n'a encore été enregistrée par la direction depuis ce baromètre.",
                lang=lang,
            )
        )
    for action in decided:
        lines.append(
            "- "
            + _(
                "**{kind}** : {title} — {status}, début le {date}",
                lang=lang,
                kind=ACTION_KIND_LABELS[lang][action.kind],
                title=discourse_inline(action.title),
                status=ACTION_STATUS_LABELS[lang][action.status].lower(),
                date=fmt.day(action.started),
            )
        )
    return "\n".join(lines).rstrip() + "\n"


def _mean(value: float | None, lang: str) -> str:
    return "–" if value is None else format_number(value, 1, lang)
