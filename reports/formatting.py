"""Numbers, dates and months in the reader's language (Babel: French formats by default)."""

from __future__ import annotations

from datetime import date, datetime

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

LOCALES = {"fr": "fr_FR", "en": "en_GB"}


class Formatter:
    """Formats the figures of a report for one language."""

    def __init__(self, lang: str, tz: str = "Europe/Paris") -> None:
        self.lang = lang
        self.locale = Locale.parse(LOCALES[lang])  # parsed once: Babel is slow otherwise
        self.tz = tz

    def value(self, value: float | None, unit: str) -> str:
        """A figure in its unit: 26 %, 12,5 h, 3,8 / 5, 42 (French) — "–" when there is none."""
        if value is None:
            return "–"
        if unit == "share":
            return format_percent(value, locale=self.locale)
        if unit == "share_precise":  # when whole percents would hide a crossed threshold
            return format_percent(value, "#,##0.0 %", locale=self.locale)
        if unit == "hours":
            return format_decimal(value, "#,##0.0", locale=self.locale) + " h"
        if unit == "scale":
            return format_decimal(value, "0.0", locale=self.locale) + " / 5"
        return format_decimal(value, "#,##0.#", locale=self.locale)

    def integer(self, value: int) -> str:
        return format_decimal(value, "#,##0", locale=self.locale)

    def month(self, month: str) -> str:
        """ "2026-10" → "octobre 2026" / "October 2026"."""
        return format_date(date(int(month[:4]), int(month[5:7]), 1), "LLLL y", locale=self.locale)

    def short_month(self, month: str) -> str:
        """ "2026-10" → "oct. 2026" / "Oct 2026" (chart axes)."""
        return format_date(date(int(month[:4]), int(month[5:7]), 1), "LLL y", locale=self.locale)

    def moment(self, moment: datetime) -> str:
        """A date and time in the network's time zone: "1 novembre 2026 07:00"."""
        return format_datetime(moment, "d MMMM y HH:mm", tzinfo=self.tz, locale=self.locale)
