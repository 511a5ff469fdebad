"""`campus report --duerp` and the cooperative's DUERP download (DESIGN §14): gather what the
draft of the document unique needs, then let `reports.duerp` write it.

For month M: the report model of M over twelve months (the figures as the monthly reports
published them, with the points de vigilance), each cooperative's head count (the optional
`employees` column of cooperatives.csv, else roster.csv, else the forum's members) and work
units by role, and its actions from the directors' log. Only the drafts are written:
`<out>/<M>/duerp/<slug>.odt`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

from analytics.work_units import work_units
from app import actions as action_log
from app.context import Campus
from app.report import regions
from core.forum import Forum
from core.i18n import _
from core.vocabulary import ROLES
from reports import render as report_render
from reports.duerp import DUERP_MONTHS, Workforce, duerp_path, write_duerp
from sync.forum.inputs import read_roster
from sync.mirror.loader import load_forum


def run(
    campus: Campus,
    month: str,
    *,
    coop: str | None = None,
    out: Path | None = None,
    lang: str | None = None,
) -> dict:
    """Write the DUERP drafts of `month`: every cooperative's, or `coop`'s alone.

    Refusals (a month the mirror does not cover, an unknown cooperative, a bad input file) come
    before any file is written. Returns the drafts' folder and the slugs written."""
    settings = campus["reports"]
    out = out or campus.reports_dir
    forum = load_forum(campus.engine)
    report = report_render.build_model(
        forum,
        month,
        now=campus.now(),
        settings=replace(settings, history_months=DUERP_MONTHS),
        thresholds=campus["indicators"],
        tz=campus.timezone,
        only=coop,
        regions=regions(campus),
    )
    staff = workforces(campus, forum)
    logged: dict[str, list] = {}
    for action in action_log.all_actions(campus):
        logged.setdefault(action.cooperative, []).append(action)
    written = []
    for scope in report.cooperatives:
        slug = scope.slug or ""
        write_duerp(
            duerp_path(out, month, slug),
            report,
            scope,
            staff.get(slug) or Workforce(0, "mirror", ()),
            logged.get(slug, []),
            lang or settings.lang,
        )
        written.append(slug)
    return {"folder": str(out / month / "duerp"), "written": written}


def refused_options() -> str:
    """Why `report --duerp` takes neither --publish, --pdf nor --partial."""
    return _(
        "--duerp n'écrit que les projets de DUERP, pour un mois fini : il ne se combine ni avec"
        " --publish, ni avec --pdf, ni avec --partial. Lancez « campus report » à part pour les"
        " rapports."
    )


def draft(campus: Campus, month: str, slug: str, lang: str | None = None) -> Path:
    """Write the draft of one cooperative (the web page's download) and return its path."""
    run(campus, month, coop=slug, lang=lang)
    return duerp_path(campus.reports_dir, month, slug)


def workforces(campus: Campus, forum: Forum) -> dict[str, Workforce]:
    """Each cooperative's head count and work units.

    Head count: the `employees` column of cooperatives.csv where given, else how many people
    roster.csv lists in the cooperative, else (without roster.csv and cooperatives.csv) its
    members on the forum. Units: from the roles of roster.csv (else of the forum)."""
    k = campus["reports"].min_group_size
    cooperatives = campus.cooperatives() if campus.cooperatives_csv.is_file() else []
    declared = {coop.slug: coop.employees for coop in cooperatives if coop.employees is not None}
    if campus.roster_csv.is_file() and cooperatives:
        roles = Counter(
            (entry.cooperative, entry.role)
            for entry in read_roster(campus.roster_csv, cooperatives)
        )
        source = "roster"
    else:
        users = forum.users
        members = users[~users["deleted"].astype(bool) & users["cooperative"].notna()]
        roles = Counter(zip(members["cooperative"], members["role"], strict=True))
        source = "mirror"
    slugs = {slug for slug, _role in roles} | set(declared)
    result = {}
    for slug in slugs:
        counts = {role: roles.get((slug, role), 0) for role in ROLES}
        units = tuple(work_units(counts, k))
        if slug in declared:
            result[slug] = Workforce(declared[slug], "cooperatives", units)
        else:
            result[slug] = Workforce(sum(counts.values()), source, units)
    return result
