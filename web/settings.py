"""Settings owned by the `web` package: the `[web]` section of campus.toml (DESIGN §10).

Secrets (`CAMPUS_WEB_SECRET`, `CAMPUS_DISCOURSE_CONNECT_SECRET`, `CAMPUS_WEBHOOK_SECRET`) are
never read from the file: `cli.py` takes them from the environment and passes them to `Services`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import urlsplit

from core.errors import InputError
from core.i18n import _
from core.settings import AT_LEAST_ONE, POSITIVE, Section, doc
from web.proxies import parse_network


@dataclass(frozen=True)
class WebSettings(Section):
    """Where Campus's web service is reached and how it protects its pages."""

    SECTION: ClassVar[str] = "web"
    RENAMED: ClassVar[dict[str, str]] = {"proxies": "trusted_proxies"}
    TITLE: ClassVar[str] = "Le service web de Campus (campus serve)"

    base_url: str = doc(
        "https://campus.example.org",
        "adresse publique de Campus (derrière le proxy inverse du forum) ;"
        " la connexion revient sur <base_url>/auth/discourse",
    )
    host: str = doc("127.0.0.1", "adresse d'écoute de campus serve (--host la remplace)")
    port: int = doc(8080, "port d'écoute de campus serve (--port le remplace)", bounds=AT_LEAST_ONE)
    trusted_proxies: list[str] = doc(
        ["127.0.0.1", "::1"],
        "adresses (ou réseaux, 172.17.0.0/16) des proxys inverses dont on croit les en-têtes"
        " X-Forwarded-For et X-Forwarded-Proto ([] si Campus est exposé directement)",
    )
    session_hours: int = doc(
        12, "durée d'une session après la connexion, en heures", bounds=AT_LEAST_ONE
    )
    login_nonce_minutes: int = doc(
        10, "validité d'une demande de connexion envoyée au forum, en minutes", bounds=AT_LEAST_ONE
    )
    login_rate_limit: str = doc(
        "20 per minute", "nombre maximal de connexions tentées par adresse IP"
    )
    groups_ttl_minutes: int = doc(
        15,
        "au-delà, les groupes d'une personne connectée sont relus dans le miroir, en minutes"
        " (un retrait de groupe dans Discourse prend effet dans ce délai)",
        bounds=AT_LEAST_ONE,
    )
    threads: int = doc(8, "fils de traitement du serveur (waitress)", bounds=AT_LEAST_ONE)
    stale_sync_hours: float = doc(
        3.0,
        "au-delà, /healthz/fresh signale une synchronisation trop ancienne (503), en heures ;"
        " /healthz, lui, ne dépend que de la base",
        bounds=POSITIVE,
    )

    def check(self) -> None:
        """A base URL that is not http(s)://host, or a proxy that is not an address, is refused."""
        self._check_base_url()
        proxies = self.trusted_proxies
        if not isinstance(proxies, list) or not all(
            isinstance(value, str) and parse_network(value) for value in proxies
        ):
            raise InputError(
                _(
                    "[web] trusted_proxies = {value!r} : une liste d'adresses IP ou de réseaux"
                    ' est attendue, par exemple ["127.0.0.1", "::1"] ([] sans proxy).',
                    value=proxies,
                )
            )

    def _check_base_url(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
            raise InputError(
                _(
                    "[web] base_url = « {value} » : une adresse http(s)://hôte[/chemin] est"
                    " attendue (l'adresse publique de Campus).",
                    value=self.base_url,
                )
            )

    @property
    def root(self) -> str:
        """`base_url` without its trailing slash."""
        return self.base_url.rstrip("/")

    @property
    def return_url(self) -> str:
        """The only URL the forum may send a member back to after login."""
        return self.root + "/auth/discourse"

    @property
    def secure(self) -> bool:
        """Cookies are marked Secure when Campus is served over https."""
        return self.base_url.startswith("https://")
