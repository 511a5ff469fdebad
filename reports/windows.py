"""The words of a pooled window (DESIGN §7, small groups): « sur le 2e trimestre 2026 ».

A figure published over a quarter, a semester or the year says so beside its value; a monthly
figure says nothing more. The texts are French source strings with their English in campus.po.
"""

from __future__ import annotations

from functools import cache

from analytics.pooling import Window
from core.i18n import _
from reports.formatting import Formatter

QUARTERS = (
    "sur le 1er trimestre {year}",
    "sur le 2e trimestre {year}",
    "sur le 3e trimestre {year}",
    "sur le 4e trimestre {year}",
)
SEMESTERS = ("sur le 1er semestre {year}", "sur le 2e semestre {year}")
YEAR = "sur l'année {year}"


def window_label(window: Window | None, lang: str, month: str | None = None) -> str:
    """« sur le 2e trimestre 2026 » (so far: up to the report `month`), or "" for a month; a
    window shown again from an earlier report says up to when: « sur le 1er semestre 2026
    (jusqu'à avril 2026) »."""
    if window is None or window.granularity == "month":
        return ""
    texts = {"quarter": QUARTERS, "semester": SEMESTERS, "year": (YEAR,)}[window.granularity]
    period = _(texts[window.index - 1], lang=lang, year=window.year)
    if month is None or window.end == month:
        return period
    until = _month_words(lang, window.end)
    return _("{period} (jusqu'à {month})", lang=lang, period=period, month=until)


@cache
def _month_words(lang: str, month: str) -> str:
    """ "2026-04" → « avril 2026 » (one Babel locale per language, parsed once)."""
    return Formatter(lang).month(month)
