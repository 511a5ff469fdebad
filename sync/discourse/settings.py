"""Settings of the Discourse client (`[discourse]` of campus.toml); `cli.py` builds them from the
file and the environment. The API key comes from the environment only and is never printed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar
from urllib.parse import urlsplit

from core.errors import InputError
from core.i18n import _
from core.settings import NON_NEGATIVE, POSITIVE, Section, doc

# the scheme (kept), then the part of the authority up to its last `@` (the credentials)
_USERINFO = re.compile(r"^([^/?#]*//)?[^/?#]*@")


@dataclass(frozen=True)
class DiscourseSettings(Section):
    """How to reach the forum. `api_key` comes from the environment only and is never printed."""

    SECTION: ClassVar[str] = "discourse"
    TITLE: ClassVar[str] = "Le forum Discourse piloté par Campus"

    url: str = doc(
        "https://forum.example.org",
        "adresse du forum ; CAMPUS_DISCOURSE_URL la remplace",
        env="CAMPUS_DISCOURSE_URL",
    )
    api_username: str = doc(
        "system",
        "utilisateur admin de l'API ; CAMPUS_DISCOURSE_API_USERNAME le remplace",
        env="CAMPUS_DISCOURSE_API_USERNAME",
    )
    requests_per_minute: int = doc(
        60,
        "budget côté Campus ; la limite admin par défaut de Discourse est 60/min par site",
        bounds=NON_NEGATIVE,
    )
    timeout: float = doc(30.0, "délai maximal d'une requête, en secondes", bounds=POSITIVE)
    max_retries: int = doc(
        5, "nouvelles tentatives sur 502/503/504, délais et coupures réseau", bounds=NON_NEGATIVE
    )
    fallback_wait_seconds: float = doc(
        10.0,
        "attente après un 429 qui ne dit pas combien attendre, en secondes",
        bounds=NON_NEGATIVE,
    )
    api_key: str = field(
        default="", repr=False, metadata={"secret": True, "env": "CAMPUS_DISCOURSE_API_KEY"}
    )

    def check(self) -> None:
        """A URL that is not http(s)://host is a bad value (exit 2)."""
        check_forum_url(self.url)


def check_forum_url(url: str) -> None:
    """Refuse (exit 2) a forum address that is not `http(s)://host[:port][/path]`: no
    credentials (`user:password@`, which would travel in every request and every message) and no
    query. The messages never show what stands before an `@`."""
    shown = without_userinfo(url)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 — a port that is not a number raises here
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(
            _(
                "[discourse] url = {url!r} : adresse de forum invalide. Attendu : "
                "https://forum.exemple.org (avec https:// ou http://, sans espace) ; "
                "CAMPUS_DISCOURSE_URL la remplace si elle est définie.",
                url=shown,
            )
        )
    if "@" in parts.netloc or parts.query or parts.fragment:
        raise InputError(
            _(
                "[discourse] url = {url!r} : l'adresse du forum ne doit contenir ni identifiants"
                " (…@, la clé d'API vient de CAMPUS_DISCOURSE_API_KEY) ni paramètres (?…, #…)."
                " Attendu : https://forum.exemple.org[/chemin] ; CAMPUS_DISCOURSE_URL la remplace"
                " si elle est définie.",
                url=shown,
            )
        )


def without_userinfo(url: str) -> str:
    """`url` with whatever stands before an `@` in its host part replaced by `***`."""
    return _USERINFO.sub(lambda match: (match.group(1) or "") + "***@", url)
