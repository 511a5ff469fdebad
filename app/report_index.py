"""Which reports `campus report` wrote, and how many vigilance points each shows.

The web service lists them (`/rapports`) and the animators' dashboard counts their vigilance
points; both read them here, from the report folders themselves (the network's `indicators.json`
holds every scope's vigilance cards), so a list never shows a report that is not on disk.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from analytics.vigilance_history import NETWORK as NETWORK_CARDS
from analytics.vigilance_status import STATUSES
from core.i18n import _, current_lang
from reports.formatting import Formatter

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
NETWORK = "reseau"  # the network report's scope in URLs
ACTIVE = tuple(status for status in STATUSES if status != "resolved")
FRESH = ("new", "worsening")


def available_months(reports_dir: Path) -> list[str]:
    """Months with a network report, newest first."""
    if not reports_dir.is_dir():
        return []
    months = [
        entry.name
        for entry in reports_dir.iterdir()
        if MONTH.match(entry.name) and (entry / "network.html").is_file()
    ]
    return sorted(months, reverse=True)


def _cards_by_scope(folder: Path) -> dict[str, list[str]]:
    """{scope key: [status of each vigilance card]} from the month's indicators.json ({} when
    it is missing or unreadable: the report is still listed, without counts)."""
    try:
        document = json.loads((folder / "indicators.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    found: dict[str, list[str]] = {}
    for card in document.get("vigilance", []):
        found.setdefault(str(card.get("scope") or ""), []).append(str(card.get("status")))
    return found


def report_rows(
    reports_dir: Path,
    names: Mapping[str, str],
    cooperatives: Iterable[str],
) -> list[dict]:
    """One row per report on disk the reader may open: the network's, then each of
    `cooperatives` (slugs), for every month, newest month first.

    Each row: `month`, `month_label` (« octobre 2026 »), `scope` (`reseau` or a slug), `name`,
    `active` (vigilance points still open: new, worsening or continuing) and `fresh` (new or
    worsening), or None for both when the month's indicators.json cannot be read."""
    formatter = Formatter(current_lang())
    slugs = list(cooperatives)
    rows = []
    for month in available_months(reports_dir):
        folder = reports_dir / month
        cards = _cards_by_scope(folder)
        label = formatter.month(month)
        scopes = [(NETWORK, NETWORK_CARDS, _("Réseau"))] + [
            (slug, slug, names.get(slug, slug))
            for slug in slugs
            if (folder / "cooperatives" / f"{slug}.html").is_file()
        ]
        for scope, key, name in scopes:
            statuses = cards.get(key, []) if cards else None
            rows.append(
                {
                    "month": month,
                    "month_label": label,
                    "scope": scope,
                    "name": name,
                    "active": None if statuses is None else sum(s in ACTIVE for s in statuses),
                    "fresh": None if statuses is None else sum(s in FRESH for s in statuses),
                }
            )
    return rows
