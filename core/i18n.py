"""User-facing text in French first, English available, through gettext catalogues (Babel).

The source strings (gettext's msgids) are the French text itself, written where it is used:

    from core.i18n import _, ngettext
    _("Forum joignable : {url} répond.", url=url)
    ngettext("{n} personne écrit", "{n} personnes écrivent", n)

`core/locale/en/LC_MESSAGES/campus.po` holds their English; a test checks that every string has
one. Placeholders use `str.format` names, the same in Python and in Jinja templates (which get
`_` and `ngettext` as globals). Call `_` when the text is needed, not at import time, so that the
language chosen by `CAMPUS_LANG` (or `--lang`) applies.

"""

from __future__ import annotations

import functools
import gettext
import io
import os
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LANGS = ("fr", "en")
SOURCE_LANG = "fr"
DOMAIN = "campus"
LOCALE_DIR = Path(__file__).parent / "locale"


def current_lang() -> str:
    """The language of user-facing text for this process (`fr` unless `CAMPUS_LANG=en`)."""
    lang = os.environ.get("CAMPUS_LANG", "fr").lower()[:2]
    return lang if lang in LANGS else "fr"


def catalogue_path(lang: str, domain: str = DOMAIN) -> Path:
    """Where the `.po` catalogue of `lang` for `domain` lives."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


@functools.cache
def translations(lang: str, domain: str = DOMAIN) -> gettext.NullTranslations:
    """The gettext translations of `lang`, compiled in memory from the `.po` file (cached)."""
    path = catalogue_path(lang, domain)
    if not path.exists():  # the source language of a domain has no catalogue
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=domain)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def _(message: str, /, lang: str | None = None, **values: object) -> str:
    """`message` (French) in the current language, with `{name}` placeholders filled."""
    text = translations(lang or current_lang()).gettext(message)
    return text.format(**values) if values else text


def ngettext(
    singular: str, plural: str, n: int, /, lang: str | None = None, **values: object
) -> str:
    """The singular or plural form for `n` in the current language; `{n}` is filled too, in the
    language's number format (« 7 999 », « 7,999 »).

    French takes the singular for 0 and 1 (« 0 personne », « 1 personne »), English for 1 only.
    """
    lang = lang or current_lang()
    if lang == SOURCE_LANG:
        text = singular if abs(n) <= 1 else plural
    else:
        text = translations(lang).ngettext(singular, plural, n)
    return text.format(n=format_number(n, 0, lang), **values)


CLICK_DOMAIN = "click"
CLICK_MODULES = (
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.termui",
    "click.types",
)


def install_click_translations() -> None:
    """Give click's own texts (`Usage:`, `--help`, option errors, `Error:`) in the user's language.

    Click marks its texts with the standard library's `gettext` and `ngettext`, looked up by name
    in each of its modules when a text is needed. Those names are bound here to the `click`
    domain of Campus's catalogues (`core/locale/fr/LC_MESSAGES/click.po`, click's English
    msgids), with the language read at each call: French by default, English with
    `CAMPUS_LANG=en`.
    """
    import importlib

    def click_gettext(message: str) -> str:
        return translations(current_lang(), CLICK_DOMAIN).gettext(message)

    def click_ngettext(singular: str, plural: str, n: int) -> str:
        return translations(current_lang(), CLICK_DOMAIN).ngettext(singular, plural, n)

    for name in CLICK_MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = click_gettext
        if hasattr(module, "ngettext"):
            module.ngettext = click_ngettext


def help_texts(command) -> Iterator[tuple[object, str, str]]:
    """(object, attribute, French text) of every help text of a click command and its
    subcommands: their `help` and `short_help`, their options' `help`."""
    for attribute in ("help", "short_help"):
        source = command.__dict__.setdefault(f"_source_{attribute}", getattr(command, attribute))
        if source:
            yield command, attribute, source
    for param in command.params:
        source = param.__dict__.setdefault("_source_help", getattr(param, "help", None))
        if source:
            yield param, "help", source
    for sub in getattr(command, "commands", {}).values():
        yield from help_texts(sub)


def localise_help(command) -> None:
    """Campus's own help texts (commands, options) in the user's language, like click's: the
    French source texts are kept and translated at each invocation (`CAMPUS_LANG`)."""
    for item, attribute, source in help_texts(command):
        setattr(item, attribute, _(source))


def format_number(
    value: float, digits: int = 1, lang: str | None = None, *, fixed: bool = False
) -> str:
    """`value` as the language writes numbers, at most `digits` decimals (exactly `digits` when
    `fixed`, for columns of averages): « 7 999 », « 153,5 », « 3,0 » in French, « 7,999 »,
    « 153.5 » in English. Every number Campus shows goes through here."""
    pattern = "#,##0" + ("." + ("0" if fixed else "#") * digits if digits > 0 else "")
    return format_decimal(value, format=pattern, locale=lang or current_lang())


def format_month(month: str, lang: str | None = None) -> str:
    """A month (`YYYY-MM`) in words: « octobre 2026 », « October 2026 ». Every month a reader
    sees (titles of topics Campus posts included) goes through here or `reports.formatting`."""
    first = date(int(month[:4]), int(month[5:7]), 1)
    return format_date(first, "LLLL y", locale=lang or current_lang())


def format_day(day: date, lang: str | None = None) -> str:
    """A day in words: « 15 octobre 2026 », « 15 October 2026 »."""
    return format_date(day, "d MMMM y", locale=lang or current_lang())


def format_moment(moment: datetime, tz: str, lang: str | None = None) -> str:
    """An instant as a local date and time in the network's time zone (« 26 nov. 2026, 15:29 »).

    A naive `moment` is taken as UTC (how the mirror stores times)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return format_datetime(
        moment, format="medium", tzinfo=ZoneInfo(tz), locale=lang or current_lang()
    )
