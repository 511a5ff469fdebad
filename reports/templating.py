"""The reports' one Jinja environment: the templates of `reports/templates`, autoescaped HTML,
strict about undefined names, and the `md` filter — the one escaping point of the Markdown that
Campus writes or posts to Discourse (`core.safe_text.discourse_inline`: Markdown and HTML escaped,
mentions, hashtags, URLs and domains broken, line breaks turned into spaces, so a user-provided
string can neither mention nor link anyone nor break a table row).

`environment(lang)` also binds `_` and `ngettext` to that language, for the templates that do
not get them from a view (the lab's)."""

from __future__ import annotations

import functools

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from core.i18n import _, ngettext
from core.safe_text import discourse_inline


@functools.cache
def environment(lang: str | None = None) -> Environment:
    """The environment, with `_`/`ngettext` bound to `lang` when it is given (built once)."""
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = discourse_inline
    if lang is not None:
        env.globals["_"] = functools.partial(_, lang=lang)
        env.globals["ngettext"] = functools.partial(ngettext, lang=lang)
    return env
