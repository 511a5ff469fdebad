"""User-facing text in French first, English available.

Each module keeps its own catalogue `{"fr": {...}, "en": {...}}` next to the code that uses it;
`translate` picks the language and formats. The language comes from `CAMPUS_LANG` (set by the CLI
from `--lang` or the configuration), French by default.
"""

from __future__ import annotations

import os

LANGS = ("fr", "en")


def current_lang() -> str:
    """The language of user-facing text for this process (`fr` unless `CAMPUS_LANG=en`)."""
    lang = os.environ.get("CAMPUS_LANG", "fr").lower()[:2]
    return lang if lang in LANGS else "fr"


def translate(
    catalogue: dict[str, dict[str, str]], message: str, lang: str | None = None, **values
) -> str:
    """Return `message` of `catalogue` in `lang` (French when missing), formatted."""
    lang = lang or current_lang()
    text = catalogue.get(lang, {}).get(message) or catalogue["fr"][message]
    return text.format(**values) if values else text
