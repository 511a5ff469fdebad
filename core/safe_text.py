"""Make user-provided strings safe where Campus writes them for others to read.

Two places turn text into actions:

- **Discourse posts** (published reports, the digest, relay messages): Discourse's Markdown turns
  `@name`/`@group`/`@here` into mentions (notifications), `#slug` into category links, and bare
  URLs, `www.` names, e-mail addresses, `<…>` autolinks, `[x](…)` and BBCode into links.
  `discourse_inline` makes a user-provided string (a category name, a topic title, a username)
  display as the same characters while being none of these: Markdown punctuation is
  backslash-escaped, and a zero-width space breaks what Discourse recognises *after* Markdown is
  parsed (mentions, hashtags, linkified URLs and domains). Newlines and control characters become
  spaces, so the string cannot end a table cell or start a block.
- **CSV files** opened in a spreadsheet: a cell starting with `=`, `+`, `-`, `@` (or a tab or
  carriage return) is read as a formula (OWASP "CSV injection"). `csv_cell` prefixes such text
  with an apostrophe; numbers are left alone.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

ZERO_WIDTH_SPACE = "\u200b"

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
_SPACES = re.compile(r"\s+")
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()<>|#!~&+\-:=\"'$%^])")
# After Markdown: "@x" mentions, "#x" hashtags, "scheme:" URLs, "x.y" domains and e-mails.
_AT_OR_HASH = re.compile(r"([@#＠])")
_SCHEME = re.compile(r"(:)(?=/)")
_DOT_IN_NAME = re.compile(r"(\.)(?=\w)")

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def discourse_inline(text: object) -> str:
    """`text` as inert inline Markdown for a Discourse post: no mention, link, block or cell break."""
    plain = _SPACES.sub(" ", _CONTROL.sub(" ", str(text))).strip()
    escaped = _MARKDOWN_PUNCTUATION.sub(r"\\\1", plain)
    escaped = _AT_OR_HASH.sub(r"\1" + ZERO_WIDTH_SPACE, escaped)
    escaped = _SCHEME.sub(r"\1" + ZERO_WIDTH_SPACE, escaped)
    return _DOT_IN_NAME.sub(r"\1" + ZERO_WIDTH_SPACE, escaped)


def csv_cell(value: Any) -> Any:
    """`value` ready for a CSV cell: text that a spreadsheet would run as a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells (and column names) are safe for `csv_cell`."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(csv_cell)
    safe.columns = [csv_cell(column) for column in safe.columns]
    return safe
