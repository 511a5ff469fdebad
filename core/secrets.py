"""Secrets: read from the environment in one place, checked, and scrubbed from every message.

Every secret Campus uses comes from an environment variable, never from campus.toml (DESIGN §2):
the Discourse API key, the web service's session secret, the DiscourseConnect and webhook
secrets, and the research key of the QVT lab. A value pasted with a stray space or line break
around it is trimmed; one with a space, a line break or another invisible character inside, or
too short to be a secret, is refused with a message that names the variable and never shows the
value (requests would otherwise print the whole key in an `InvalidHeader` error).

`scrub` removes the loaded secrets from any text before it is printed or logged. It replaces only
whole occurrences of values at least `MIN_SECRET_LENGTH` long, which every loaded secret is, so a
message is never mangled by a short value that happens to occur inside a word.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping

from core.errors import InputError
from core.i18n import _

#: the environment variables that hold secrets
SECRET_VARIABLES = (
    "CAMPUS_DISCOURSE_API_KEY",
    "CAMPUS_WEB_SECRET",
    "CAMPUS_DISCOURSE_CONNECT_SECRET",
    "CAMPUS_WEBHOOK_SECRET",
    "CAMPUS_RESEARCH_KEY",
)
MIN_SECRET_LENGTH = 16  # Discourse API keys have 64 characters; a shorter value is a paste error
MASK = "***"

_VISIBLE_ASCII = re.compile(r"[!-~]+")

_loaded: set[str] = set()


def read_secret(environ: Mapping[str, str], variable: str) -> str:
    """The value of secret `variable` in `environ`, trimmed ('' when unset or blank).

    Refuses (InputError, exit 2) a value with an inner space, line break or any character other
    than visible ASCII, and a value shorter than `MIN_SECRET_LENGTH`; the value is never shown.
    Every accepted value is registered for `scrub`.
    """
    value = environ.get(variable, "").strip()
    if not value:
        return ""
    what = describe(variable)
    if not _VISIBLE_ASCII.fullmatch(value):
        raise InputError(
            _(
                "{variable} ({what}) contient une espace, un saut de ligne ou un caractère "
                "invisible à l'intérieur : copiez de nouveau la valeur, sans rien d'autre, "
                "puis relancez (elle n'est pas affichée ici).",
                variable=variable,
                what=what,
            )
        )
    if len(value) < MIN_SECRET_LENGTH:
        raise InputError(
            _(
                "{variable} ({what}) est trop court ({length} caractères, au moins {minimum} "
                "attendus) : ce n'est sans doute pas la valeur complète. Copiez-la de nouveau "
                "(elle n'est pas affichée ici).",
                variable=variable,
                what=what,
                length=len(value),
                minimum=MIN_SECRET_LENGTH,
            )
        )
    _loaded.add(value)
    return value


def describe(variable: str) -> str:
    """What the secret in `variable` is for, in the user's language (never its value)."""
    return {
        "CAMPUS_DISCOURSE_API_KEY": _("la clé d'API admin de Discourse"),
        "CAMPUS_WEB_SECRET": _("le secret des sessions du service web"),
        "CAMPUS_DISCOURSE_CONNECT_SECRET": _("le secret DiscourseConnect"),
        "CAMPUS_WEBHOOK_SECRET": _("le secret des webhooks de Discourse"),
        "CAMPUS_RESEARCH_KEY": _("la clé de pseudonymisation des exports de recherche"),
    }.get(variable) or _("un secret")


def read_secrets(environ: Mapping[str, str]) -> dict[str, str]:
    """Every secret of `SECRET_VARIABLES` found in `environ`, checked by `read_secret`."""
    secrets = {variable: read_secret(environ, variable) for variable in SECRET_VARIABLES}
    return {variable: value for variable, value in secrets.items() if value}


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every loaded secret (and every one of `secrets`) replaced by `***`.

    Values shorter than `MIN_SECRET_LENGTH` are left alone: they cannot have been loaded, and
    replacing them would turn `example.org` into `e***ample.org` for a one-letter value."""
    for secret in sorted({*_loaded, *secrets}, key=len, reverse=True):
        if len(secret) >= MIN_SECRET_LENGTH:
            text = text.replace(secret, MASK)
    return text


class ScrubbingFormatter(logging.Formatter):
    """A log formatter whose every line (tracebacks included) has the secrets scrubbed.

    It wraps the handler's own formatter (`inner`), so the lines keep their format."""

    def __init__(self, inner: logging.Formatter | None = None) -> None:
        super().__init__()
        self.inner = inner or logging.Formatter()

    def format(self, record: logging.LogRecord) -> str:
        return scrub(self.inner.format(record))


def scrub_log_handlers(logger: logging.Logger) -> None:
    """Make every handler of `logger` scrub secrets from what it writes (once each)."""
    for handler in logger.handlers:
        if not isinstance(handler.formatter, ScrubbingFormatter):
            handler.setFormatter(ScrubbingFormatter(handler.formatter))
