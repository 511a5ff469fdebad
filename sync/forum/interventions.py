"""Reading and validating interventions.csv, the QVT lab's register of what the network tries.

Columns `name,cooperatives,start,end,description` (DESIGN §11). `cooperatives` lists slugs of
cooperatives.csv separated by spaces; a slug may carry its own start as `slug:YYYY-MM` when the
intervention reached cooperatives at different times (a staggered roll-out), otherwise the row's
`start` applies. `end` is optional and not before any start. Names are unique (case-insensitive):
`campus lab evaluate NAME` finds the row by it.

The file is read with the same helpers as cooperatives.csv and roster.csv (UTF-8 with or without
BOM, `,` or `;`), and every bad row is reported at once as `file:line: reason` (exit 2).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

from core.errors import InputError
from core.i18n import _
from core.vocabulary import Intervention
from sync.forum.inputs import Cooperative, _Problems, _rows

INTERVENTION_COLUMNS = ("name", "cooperatives", "start", "end", "description")
INTERVENTION_REQUIRED = ("name", "cooperatives", "start")
MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
NAME_MAX = 80


def _month(text: str) -> str | None:
    """`text` if it is a valid `YYYY-MM`, else None."""
    return text if MONTH_PATTERN.match(text) else None


def read_interventions(path: Path, cooperatives: Collection[Cooperative]) -> list[Intervention]:
    """The interventions of `path`, or one InputError listing every bad row (exit 2)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(
            _(
                "{path} : fichier des interventions introuvable (vérifiez [lab] interventions dans campus.toml ; colonnes : name,cooperatives,start,end,description).",
                path=path,
            )
        )
    problems = _Problems(path)
    slugs = {cooperative.slug for cooperative in cooperatives}
    example = min(slugs) if slugs else "coop-alpha"
    names: dict[str, int] = {}
    result: list[Intervention] = []

    def bad(line: int, reason: str) -> None:
        problems.lines.append(_("{path}:{line}: {reason}", path=path, line=line, reason=reason))

    for line, row in _rows(path, INTERVENTION_COLUMNS, INTERVENTION_REQUIRED, problems):
        before = len(problems.lines)
        name = row["name"]
        if not name:
            bad(line, _("nom manquant (renseignez la colonne name, ex. « relais-entraide »)"))
        elif len(name) > NAME_MAX:
            bad(
                line,
                _("nom de {length} caractères (au plus {max})", length=len(name), max=NAME_MAX),
            )
        elif name.casefold() in names:
            bad(
                line,
                _(
                    "intervention « {name} » déjà déclarée ligne {first} (chaque intervention a un nom unique)",
                    name=name,
                    first=names[name.casefold()],
                ),
            )
        else:
            names[name.casefold()] = line
        start = _month(row["start"])
        if start is None:
            bad(
                line,
                _(
                    "début « {value} » invalide (mois attendu sous la forme AAAA-MM, ex. 2026-03)",
                    value=row["start"],
                ),
            )
        end = _month(row["end"]) if row["end"] else None
        if row["end"] and end is None:
            bad(
                line,
                _(
                    "fin « {value} » invalide (mois AAAA-MM, ou laissez vide si l'intervention continue)",
                    value=row["end"],
                ),
            )
        starts: dict[str, str] = {}
        items = row["cooperatives"].split()
        if not items:
            bad(
                line,
                _(
                    "aucune coopérative (slugs séparés par des espaces, ex. « {example} »)",
                    example=example,
                ),
            )
        for item in items:
            slug, _sep, own_start = item.partition(":")
            slug = slug.lower()
            if slug not in slugs:
                bad(
                    line,
                    _(
                        "coopérative « {slug} » inconnue (utilisez un slug de cooperatives.csv, ex. « {example} »)",
                        slug=slug,
                        example=example,
                    ),
                )
            elif slug in starts:
                bad(line, _("coopérative « {slug} » citée deux fois", slug=slug))
            elif own_start and _month(own_start) is None:
                bad(
                    line,
                    _(
                        "début « {value} » de « {slug} » invalide (forme slug:AAAA-MM, ex. {example}:2026-03)",
                        value=own_start,
                        slug=slug,
                        example=slug,
                    ),
                )
            elif start is not None:
                starts[slug] = own_start or start
        if end is not None and starts and end < min(starts.values()):
            bad(
                line,
                _(
                    "fin {end} avant le début {start} (la fin doit suivre le début)",
                    end=end,
                    start=min(starts.values()),
                ),
            )
        if len(problems.lines) == before:
            result.append(Intervention(name, starts, start, end, row["description"], line))
    problems.raise_if_any()
    return result


def find_intervention(interventions: Collection[Intervention], name: str) -> Intervention:
    """The intervention named `name` (case-insensitive), or an InputError listing the known ones."""
    for intervention in interventions:
        if intervention.name.casefold() == name.strip().casefold():
            return intervention
    known = ", ".join(sorted(i.name for i in interventions)) or _("aucune")
    raise InputError(
        _(
            "Intervention « {name} » inconnue dans interventions.csv (interventions déclarées : {known}).",
            name=name,
            known=known,
        )
    )
