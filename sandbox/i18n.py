"""The sandbox's few user-facing lines, through the same gettext catalogue as Campus.

The sandbox imports nothing from Campus's packages (DESIGN §1), so it reads the shared English
catalogue `core/locale/en/LC_MESSAGES/campus.po` as a data file, with Babel, exactly as
`core.i18n` does: French source strings, English from the catalogue, `CAMPUS_LANG=en`.
"""

from __future__ import annotations

import functools
import gettext
import io
import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

CATALOGUE = Path(__file__).resolve().parents[1] / "core" / "locale" / "en" / "LC_MESSAGES"


@functools.cache
def _english() -> gettext.NullTranslations:
    path = CATALOGUE / "campus.po"
    if not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def _english_wanted() -> bool:
    return os.environ.get("CAMPUS_LANG", "fr").lower().startswith("en")


def _(message: str, /, **values: object) -> str:
    """`message` (French) in the language of `CAMPUS_LANG`, with `{name}` placeholders filled."""
    text = _english().gettext(message) if _english_wanted() else message
    return text.format(**values) if values else text


def number(value: int) -> str:
    """A count as the language writes it (« 1 284 », « 1,284 »), like Campus's own output."""
    return format_decimal(value, locale="en" if _english_wanted() else "fr")
