"""Honesty guards of the monthly report (DESIGN §7): is month M something the mirror can tell?

A report is only produced for a finished month that the mirror covers: the mirror holds some
activity, a sync has finished, the month is not in the future and it starts before the last
sync. A month that is not over yet (the current month), or that the last sync cut in the middle,
is only reported when the animator asks for a partial report, and it is then flagged as such.
Pure: the caller gives the clock and the date of the last sync.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.errors import InputError
from core.i18n import _, format_moment, format_month
from core.vocabulary import month_bounds


@dataclass(frozen=True)
class Coverage:
    """What the mirror covers of a month: `partial` when it ends after `covered_until`."""

    month: str
    last_sync: datetime
    covered_until: datetime  # the earlier of now and the last sync (UTC)
    partial: bool


def check_month(
    month: str,
    tz: str,
    *,
    now: datetime,
    last_sync: datetime | None,
    has_activity: bool,
    allow_partial: bool = False,
) -> Coverage:
    """The coverage of `month`, or an `InputError` (exit 2) saying why no report can be made.

    `now` and `last_sync` are tz-aware; `has_activity`: the mirror holds at least one post.
    """
    start, end = month_bounds(month, tz)
    if has_activity and last_sync is None:
        raise InputError(
            _(
                "Aucune synchronisation réussie n'est enregistrée dans ce miroir : on ne peut pas "
                "savoir quels mois il couvre. Lancez « campus sync » puis relancez le rapport."
            )
        )
    if not has_activity or last_sync is None:
        raise InputError(
            _(
                "Le miroir est vide : aucun rapport ne peut être produit. "
                "Lancez d'abord « campus sync » pour copier l'activité du forum."
            )
        )
    if start > now:
        raise InputError(
            _(
                "Le mois {month} n'a pas commencé : un rapport ne porte que sur un mois écoulé "
                "(par défaut, le mois dernier).",
                month=format_month(month),
            )
        )
    if start >= last_sync:
        raise InputError(
            _(
                "Le miroir s'arrête à la dernière synchronisation ({when}), avant le mois "
                "demandé ({month}) : lancez « campus sync » puis relancez le rapport.",
                when=format_moment(last_sync, tz),
                month=format_month(month),
            )
        )
    covered_until = min(now, last_sync)
    partial = end > covered_until
    if partial and not allow_partial:
        if end > now:
            raise InputError(
                _(
                    "Le mois {month} n'est pas terminé : ses chiffres changeront encore. "
                    "Ajoutez --partial pour un rapport provisoire (signalé comme tel sur chaque "
                    "page), ou choisissez un mois écoulé.",
                    month=month,
                )
            )
        raise InputError(
            _(
                "La dernière synchronisation ({when}) date d'avant la fin du mois demandé "
                "({month}) : lancez « campus sync » puis relancez le rapport (ou ajoutez "
                "--partial pour un rapport provisoire).",
                when=format_moment(last_sync, tz),
                month=format_month(month),
            )
        )
    return Coverage(month, last_sync, covered_until, partial)
