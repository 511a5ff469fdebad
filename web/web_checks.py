"""What `campus doctor` says about the web service: its secrets and Discourse's settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from core.errors import CampusError, InputError
from core.i18n import _
from core.secrets import read_secret
from sync.discourse.client import DiscourseAPI
from web.settings import WebSettings

PROVIDER_SETTING = "enable_discourse_connect_provider"


def secret_problem(variable: str, value: str) -> str | None:
    """Why the secret in `variable` cannot be used (never quoting it), or None.

    The one rule of every secret (`core.secrets.read_secret`): whitespace around the value is
    trimmed, whitespace inside it or a value too short is refused."""
    try:
        if not read_secret({variable: value}, variable):
            return _("{variable} n'est pas définie.", variable=variable)
    except InputError as error:
        return str(error)
    return None


def secret_hint() -> str:
    """How to make a secret, for the messages that ask for one."""
    return _(
        "Chaque secret se définit dans l'environnement du service (jamais dans campus.toml),"
        " par exemple : export CAMPUS_WEB_SECRET=$(python3 -c 'import secrets;"
        " print(secrets.token_hex(32))')"
    )


SECRETS = {
    "CAMPUS_WEB_SECRET": "sessions",
    "CAMPUS_DISCOURSE_CONNECT_SECRET": "connect",
    "CAMPUS_WEBHOOK_SECRET": "webhook",
}
WEBHOOK_EVENTS = "post, topic, like, solved, user, group_user"


@dataclass(frozen=True)
class WebCheck:
    """The web service's lines of `campus doctor` and how many of them are warnings."""

    text: str
    warnings: int


def web_report(
    environ: Mapping[str, str], settings: WebSettings, client: DiscourseAPI | None
) -> WebCheck:
    """The web service's part of `campus doctor`: secrets, the forum's provider setting (when
    `client` is given: the forum answered), and what to set in Discourse's admin (the secrets
    themselves are never printed)."""
    lines = [_("Service web (campus serve) :")]
    missing = 0
    for variable in SECRETS:
        problem = secret_problem(variable, environ.get(variable, ""))
        if problem:
            missing += 1
            lines.append(_("[ATTENTION] {problem}", problem=problem))
        else:
            lines.append(_("[OK] {variable} est définie.", variable=variable))
    if missing:
        lines.append(secret_hint())
    provider_ok = True
    if client is not None:
        provider_ok, line = _provider_line(client)
        lines.append(line)
    host = urlsplit(settings.base_url).hostname or settings.base_url
    lines += [
        _("À régler dans l'administration de Discourse (Admin > Paramètres, Admin > API) :"),
        _("  enable_discourse_connect_provider = activé"),
        _(
            "  discourse_connect_provider_secrets : une ligne « {host}|<valeur de"
            " CAMPUS_DISCOURSE_CONNECT_SECRET> »",
            host=host,
        ),
        _(
            "  Webhook : URL {url}, type application/json, secret = la valeur de"
            " CAMPUS_WEBHOOK_SECRET, événements : {events}",
            url=settings.root + "/webhooks/discourse",
            events=WEBHOOK_EVENTS,
        ),
    ]
    return WebCheck("\n".join(lines), missing + (0 if provider_ok else 1))


def _provider_line(client: DiscourseAPI) -> tuple[bool, str]:
    """Whether the forum has its DiscourseConnect provider on (one request), and the line."""
    try:
        listed = client.get_site_settings().get("site_settings", [])
    except CampusError as error:
        return False, _("[ATTENTION] Réglages du forum illisibles : {error}", error=str(error))
    value = next(
        (item.get("value") for item in listed if item.get("setting") == PROVIDER_SETTING), None
    )
    if value is None:
        return False, _(
            "[ATTENTION] Le réglage enable_discourse_connect_provider n'est pas visible :"
            " vérifiez-le dans l'administration du forum."
        )
    if str(value).lower() in ("true", "t"):
        return True, _("[OK] Le forum sert de fournisseur d'identité (DiscourseConnect).")
    return False, _(
        "[ATTENTION] enable_discourse_connect_provider est désactivé : personne ne pourra se"
        " connecter à Campus."
    )
