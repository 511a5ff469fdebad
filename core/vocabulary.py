"""The vocabulary every layer shares: the Gollac axes and their labels, the roles, months and periods,
and the QVT lab's `Intervention` (a row of interventions.csv, which reports and the runs name).

Small and dependency-free on purpose, so that the mirror, the forum, analytics, reports and the
web pages all say the same thing with the same names.

Periods (`YYYY-MM`, `YYYY`, `last30`, `all`) are cut in the network's time zone. A month of a
French network starts at midnight in Paris, not in UTC: a post written on 1 March at 00:30 (Paris)
belongs to March although it is still 28 February in UTC. Every period is returned as a half-open
interval `[start, end)` of tz-aware UTC datetimes, ready to compare with the mirror's UTC
timestamps.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.errors import InputError
from core.i18n import _

# the six axes of the Gollac report, in its order (the barometer form's field names)
AXES = (
    "intensite",
    "exigences_emotionnelles",
    "autonomie",
    "rapports_sociaux",
    "conflits_valeurs",
    "insecurite",
)
AXIS_LABELS = {
    "fr": {
        "intensite": "Intensité et temps de travail",
        "exigences_emotionnelles": "Exigences émotionnelles",
        "autonomie": "Autonomie",
        "rapports_sociaux": "Rapports sociaux",
        "conflits_valeurs": "Conflits de valeurs",
        "insecurite": "Insécurité de la situation de travail",
    },
    "en": {
        "intensite": "Work intensity and working time",
        "exigences_emotionnelles": "Emotional demands",
        "autonomie": "Autonomy",
        "rapports_sociaux": "Social relations",
        "conflits_valeurs": "Value conflicts",
        "insecurite": "Job insecurity",
    },
}

# the directors' action log (DESIGN §14): what kind of action, and where it stands
ACTION_KINDS = ("edt", "deconnexion", "entraide", "formation", "autre")
ACTION_STATUSES = ("prevue", "en_cours", "faite", "abandonnee")
# the statuses of an action that was started: the lab counts it from its start (§11)
STARTED_STATUSES = ("en_cours", "faite", "abandonnee")
ACTION_KIND_LABELS = {
    "fr": {
        "edt": "Espace de discussion sur le travail",
        "deconnexion": "Droit à la déconnexion",
        "entraide": "Entraide entre pairs",
        "formation": "Formation",
        "autre": "Autre action",
    },
    "en": {
        "edt": "Workplace discussion space",
        "deconnexion": "Right to disconnect",
        "entraide": "Peer mutual aid",
        "formation": "Training",
        "autre": "Other action",
    },
}
ACTION_STATUS_LABELS = {
    "fr": {
        "prevue": "Prévue",
        "en_cours": "En cours",
        "faite": "Faite",
        "abandonnee": "Abandonnée",
    },
    "en": {"prevue": "Planned", "en_cours": "Under way", "faite": "Done", "abandonnee": "Dropped"},
}

# the roles of roster.csv
ROLES = ("entrepreneur", "appui", "direction")

ALL_START = datetime(1970, 1, 1, tzinfo=UTC)
LAST_DAYS = 30
FIRST_YEAR, LAST_YEAR = 1970, 9998  # Discourse was born in 2013; 9999-12 has no next month

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_YEAR = re.compile(r"\d{4}")


def zone(tz: str) -> ZoneInfo:
    """The `ZoneInfo` named `tz`, or an `InputError` saying how to fix the configuration."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            _(
                "Fuseau horaire « {tz} » inconnu : indiquez un nom IANA dans [network] timezone "
                "(ex. Europe/Paris).",
                tz=tz,
            )
        ) from None


def _local_midnight(year: int, month: int, day: int, tz: ZoneInfo) -> datetime:
    return datetime(year, month, day, tzinfo=tz).astimezone(UTC)


def _bad_month(month: str) -> InputError:
    return InputError(
        _(
            "Mois « {month} » invalide : attendu AAAA-MM avec une année de {first} à {last} et un "
            "mois de 01 à 12 (ex. 2026-03).",
            month=month,
            first=FIRST_YEAR,
            last=LAST_YEAR,
        )
    )


def month_bounds(month: str, tz: str) -> tuple[datetime, datetime]:
    """`[first day 00:00, first day of next month 00:00)` of `month` ("YYYY-MM") in `tz`, in UTC.

    The month is taken exactly as written (no surrounding space: it names folders and topics),
    with a year Python's dates and the time zone database can hold on both sides."""
    match = _MONTH.fullmatch(month)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise _bad_month(month)
    year, number = int(match.group(1)), int(match.group(2))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise _bad_month(month)
    zone_info = zone(tz)
    next_year, next_month = (year + 1, 1) if number == 12 else (year, number + 1)
    return (
        _local_midnight(year, number, 1, zone_info),
        _local_midnight(next_year, next_month, 1, zone_info),
    )


def parse_period(period: str, tz: str, now: datetime) -> tuple[datetime, datetime]:
    """The UTC interval `[start, end)` that `period` names, cut at midnight in `tz`.

    - `YYYY-MM`: that calendar month; `YYYY`: that calendar year;
    - `last30`: the last 30 calendar days, today included: from local midnight 29 days before
      today up to `now`;
    - `all`: everything up to `now` (from 1970-01-01).
    `now` must be tz-aware. A bad period raises `InputError` (exit 2) with the accepted forms.
    """
    text = period.strip().lower()
    zone_info = zone(tz)
    if text == "all":
        return ALL_START, now.astimezone(UTC)
    if text == "last30":
        today = now.astimezone(zone_info).date() - timedelta(days=LAST_DAYS - 1)
        return _local_midnight(today.year, today.month, today.day, zone_info), now.astimezone(UTC)
    if _YEAR.fullmatch(text):
        year = int(text)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise _bad_period(period)
        return _local_midnight(year, 1, 1, zone_info), _local_midnight(year + 1, 1, 1, zone_info)
    if _MONTH.fullmatch(text):
        return month_bounds(text, tz)  # refuses a month outside 01–12
    raise _bad_period(period)


def _bad_period(period: str) -> InputError:
    return InputError(
        _(
            "Période « {period} » invalide : attendu AAAA-MM (ex. 2026-03), AAAA (ex. 2026, de "
            "{first} à {last}), last30 ou all.",
            period=period,
            first=FIRST_YEAR,
            last=LAST_YEAR,
        )
    )


def shift_month(month: str, delta: int) -> str:
    """`"2026-01"`, -1 → `"2025-12"`."""
    year, number = int(month[:4]), int(month[5:7])
    index = year * 12 + number - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def current_month(tz: str, now: datetime | None = None) -> str:
    """The month ("YYYY-MM") it is now in the network's time zone (an unknown zone: exit 2)."""
    zone_info = zone(tz)
    return (now or datetime.now(zone_info)).astimezone(zone_info).strftime("%Y-%m")


@dataclass(frozen=True)
class Intervention:
    """One row of interventions.csv: which cooperatives from when (`starts`: slug → YYYY-MM)."""

    name: str
    starts: dict[str, str]
    start: str
    end: str | None = None
    description: str = ""
    line: int = 0

    @property
    def cooperatives(self) -> list[str]:
        """The slugs of the cooperatives concerned, in the file's order."""
        return list(self.starts)


def unknown_cooperative(slug: str, known: Iterable[str]) -> InputError:
    """The one error for a cooperative slug nobody knows (`--coop`, digest, report, score…),
    with the nearest known slug when one is close (never the whole list: a network has 74)."""
    near = difflib.get_close_matches(slug, sorted(set(known)), n=1, cutoff=0.6)
    if near:
        return InputError(
            _(
                "Coopérative « {slug} » inconnue : vouliez-vous dire « {near} » ? Indiquez le slug d'une coopérative de cooperatives.csv (lancez « campus sync » si elle vient d'être créée).",
                slug=slug,
                near=near[0],
            )
        )
    return InputError(
        _(
            "Coopérative « {slug} » inconnue : indiquez le slug d'une coopérative de cooperatives.csv (lancez « campus sync » si elle vient d'être créée).",
            slug=slug,
        )
    )
