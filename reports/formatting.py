"""Numbers, dates and months in the reader's language (Babel: French formats by default)."""

from __future__ import annotations

from datetime import date, datetime

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import parse_pattern

LOCALES = {"fr": "fr_FR", "en": "en_GB"}


class Formatter:
    """Formats the figures of a report for one language."""

    def __init__(self, lang: str, tz: str = "Europe/Paris") -> None:
        self.lang = lang
        self.locale = Locale.parse(LOCALES[lang])  # parsed once: Babel is slow otherwise
        self.tz = tz
        # number patterns compiled once (a report formats tens of thousands of figures)
        self._patterns = {
            "share": self.locale.percent_formats[None],
            "hours": parse_pattern("#,##0.0"),
            "scale": parse_pattern("0.0"),
            "other": parse_pattern("#,##0.#"),
            "integer": parse_pattern("#,##0"),
        }

    def value(self, value: float | None, unit: str) -> str:
        """A figure in its unit: 26 %, 12,5 h, 3,8 / 5, 42 (French) — "–" when there is none."""
        if value is None:
            return "–"
        if unit == "share":
            return self._patterns[unit].apply(value, self.locale)
        if unit == "hours":
            return self._patterns["hours"].apply(value, self.locale) + " h"
        if unit == "scale":
            return self._patterns["scale"].apply(value, self.locale) + " / 5"
        return self._patterns["other"].apply(value, self.locale)

    def integer(self, value: int) -> str:
        return self._patterns["integer"].apply(value, self.locale)

    def month(self, month: str) -> str:
        """ "2026-10" → "octobre 2026" / "October 2026"."""
        return format_date(date(int(month[:4]), int(month[5:7]), 1), "LLLL y", locale=self.locale)

    def day(self, day: date) -> str:
        """A date in words: "15 octobre 2026" / "15 October 2026"."""
        return format_date(day, "d MMMM y", locale=self.locale)

    def short_month(self, month: str) -> str:
        """ "2026-10" → "oct. 2026" / "Oct 2026" (chart axes)."""
        return format_date(date(int(month[:4]), int(month[5:7]), 1), "LLL y", locale=self.locale)

    def moment(self, moment: datetime) -> str:
        """A date and time in the network's time zone: "1 novembre 2026 07:00"."""
        return format_datetime(moment, "d MMMM y HH:mm", tzinfo=self.tz, locale=self.locale)
