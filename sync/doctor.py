"""`campus doctor`: can Campus work with this forum? One line per check, in the animator's words.

Checks, cheapest first (about 4 requests): the URL answers, the key and user are accepted, the
user is an admin, the Solved / Poll / Data Explorer plugins are there and answer, and the request
budget fits Discourse's admin API limit. A failed blocking check means `provision` and `sync`
cannot work; `exit_code` turns that into exit status 1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sync.client import DiscourseAPI
from sync.errors import DiscourseAuthError, DiscourseError, DiscourseNotFound, DiscourseUnreachable
from sync.i18n import current_lang, translate

DISCOURSE_DEFAULT_ADMIN_LIMIT = 60  # max_admin_api_reqs_per_minute, per site (discourse-api.md §2)

# plugin check name -> names the plugin is listed under in /admin/plugins.json. Poll is bundled
# and hidden from that list: its state is the `poll_enabled` site setting (verified in Discourse's
# source, see /admin/site_settings.json).
PLUGIN_NAMES = {
    "solved": ("discourse-solved", "solved"),
    "poll": (),
    "data_explorer": ("discourse-data-explorer", "data-explorer", "data_explorer"),
}

MESSAGES = {
    "fr": {
        "title_reachable": "Forum joignable",
        "title_credentials": "Clé d'API acceptée",
        "title_admin": "Droits d'administration",
        "title_solved": "Extension Solved",
        "title_poll": "Extension Poll",
        "title_data_explorer": "Extension Data Explorer",
        "title_rate_limit": "Limite de débit",
        "reachable_ok": "{url} répond.",
        "credentials_ok": "Discourse accepte la clé pour l'utilisateur « {user} ».",
        "credentials_unknown_user": (
            "Discourse ne reconnaît pas l'utilisateur d'API « {user} » sur {url}. Vérifiez "
            "CAMPUS_DISCOURSE_API_USERNAME et CAMPUS_DISCOURSE_API_KEY."
        ),
        "admin_ok": "« {user} » est administrateur.",
        "admin_missing": (
            "« {user} » n'est pas administrateur : Campus ne pourra ni créer les catégories et "
            "groupes ni lire la liste des membres. Donnez-lui les droits d'administration ou "
            "utilisez un autre utilisateur (CAMPUS_DISCOURSE_API_USERNAME)."
        ),
        "plugins_unreadable": "liste des extensions illisible : {error}",
        "plugin_ok": "installée, active et répond.",
        "plugin_listed": "installée et active.",
        "plugin_missing": "absente ou désactivée : {consequence}",
        "plugin_silent": "installée mais ne répond pas ({error}) : {consequence}",
        "consequence_solved": "les réponses acceptées ne seront ni synchronisées ni comptées.",
        "consequence_poll": "le sondage mensuel (pulse) ne pourra pas être publié.",
        "consequence_data_explorer": "les requêtes SQL de Data Explorer ne seront pas disponibles.",
        "rate_ok": (
            "budget de {rpm} requêtes/min, dans la limite par défaut de Discourse "
            "({limit}/min pour tout le site) ; aucun 429 pendant ces vérifications."
        ),
        "rate_unlimited": (
            "aucun budget côté client (requests_per_minute = 0) : Discourse ({limit}/min par "
            "site) fera attendre Campus. Réglez requests_per_minute dans campus.toml."
        ),
        "rate_above": (
            "budget de {rpm} requêtes/min au-dessus de la limite par défaut de Discourse "
            "({limit}/min par site) : attendez-vous à des attentes, sauf si l'hébergeur a relevé "
            "DISCOURSE_MAX_ADMIN_API_REQS_PER_MINUTE."
        ),
        "rate_hit": (
            "Discourse a répondu 429 {hits} fois pendant ces vérifications : d'autres outils "
            "consomment la limite du site ({limit}/min). Baissez requests_per_minute ({rpm})."
        ),
        "ok": "OK",
        "failed": "ÉCHEC",
        "warning": "ATTENTION",
        "all_good": "Tout est prêt.",
        "blocking": "{count} problème(s) bloquant(s) : corrigez-les avant provision ou sync.",
        "warnings_only": "Campus peut fonctionner ; {count} point(s) d'attention ci-dessus.",
    },
    "en": {
        "title_reachable": "Forum reachable",
        "title_credentials": "API key accepted",
        "title_admin": "Admin rights",
        "title_solved": "Solved plugin",
        "title_poll": "Poll plugin",
        "title_data_explorer": "Data Explorer plugin",
        "title_rate_limit": "Rate limit",
        "reachable_ok": "{url} answers.",
        "credentials_ok": "Discourse accepts the key for the user '{user}'.",
        "credentials_unknown_user": (
            "Discourse does not recognise the API user '{user}' on {url}. Check "
            "CAMPUS_DISCOURSE_API_USERNAME and CAMPUS_DISCOURSE_API_KEY."
        ),
        "admin_ok": "'{user}' is an admin.",
        "admin_missing": (
            "'{user}' is not an admin: Campus can neither create categories and groups nor read "
            "member lists. Make them an admin or use another user (CAMPUS_DISCOURSE_API_USERNAME)."
        ),
        "plugins_unreadable": "cannot read the plugin list: {error}",
        "plugin_ok": "installed, enabled and answering.",
        "plugin_listed": "installed and enabled.",
        "plugin_missing": "missing or disabled: {consequence}",
        "plugin_silent": "installed but not answering ({error}): {consequence}",
        "consequence_solved": "accepted answers will be neither synced nor counted.",
        "consequence_poll": "the monthly pulse poll cannot be posted.",
        "consequence_data_explorer": "Data Explorer SQL queries will not be available.",
        "rate_ok": (
            "budget of {rpm} requests/min, within Discourse's default limit ({limit}/min for the "
            "whole site); no 429 during these checks."
        ),
        "rate_unlimited": (
            "no client-side budget (requests_per_minute = 0): Discourse ({limit}/min per site) "
            "will make Campus wait. Set requests_per_minute in campus.toml."
        ),
        "rate_above": (
            "budget of {rpm} requests/min above Discourse's default limit ({limit}/min per site): "
            "expect waits unless the host raised DISCOURSE_MAX_ADMIN_API_REQS_PER_MINUTE."
        ),
        "rate_hit": (
            "Discourse answered 429 {hits} times during these checks: other tools are using the "
            "site's limit ({limit}/min). Lower requests_per_minute ({rpm})."
        ),
        "ok": "OK",
        "failed": "FAILED",
        "warning": "WARNING",
        "all_good": "Everything is ready.",
        "blocking": "{count} blocking problem(s): fix them before provision or sync.",
        "warnings_only": "Campus can work; {count} warning(s) above.",
    },
}


@dataclass(frozen=True)
class Check:
    """One verdict: `name` is a stable code, `detail` one line in the animator's language."""

    name: str
    ok: bool
    detail: str
    blocking: bool


def run_doctor(api: DiscourseAPI, lang: str | None = None) -> list[Check]:
    """Run every check against the forum behind `api`, stopping at the first blocking failure."""

    def text(key: str, **values) -> str:
        return translate(MESSAGES, key, lang, **values)

    user, url = api.api_username, api.host
    try:
        current = api.current_user()
    except DiscourseUnreachable as error:
        return [Check("reachable", False, str(error), True)]
    except DiscourseAuthError as error:
        return [
            Check("reachable", True, text("reachable_ok", url=url), True),
            Check("credentials", False, str(error), True),
        ]
    except DiscourseNotFound:
        detail = text("credentials_unknown_user", user=user, url=url)
        return [
            Check("reachable", True, text("reachable_ok", url=url), True),
            Check("credentials", False, detail, True),
        ]
    except DiscourseError as error:
        return [Check("reachable", False, str(error), True)]

    checks = [
        Check("reachable", True, text("reachable_ok", url=url), True),
        Check("credentials", True, text("credentials_ok", user=user), True),
    ]
    if not current.get("admin"):
        checks.append(Check("admin", False, text("admin_missing", user=user), True))
        return checks
    checks.append(Check("admin", True, text("admin_ok", user=user), True))
    checks.extend(_plugin_checks(api, text))
    checks.append(_rate_limit_check(api, text))
    return checks


def _plugin_checks(api: DiscourseAPI, text) -> list[Check]:
    try:
        installed = {plugin.get("name"): plugin for plugin in api.plugins()}
    except DiscourseError as error:
        detail = text("plugins_unreadable", error=str(error))
        return [Check(name, False, detail, False) for name in PLUGIN_NAMES]
    checks = []
    for name, aliases in PLUGIN_NAMES.items():
        consequence = text(f"consequence_{name}")
        if name == "poll":
            plugin = _poll_setting(api)
        else:
            plugin = next((installed[alias] for alias in aliases if alias in installed), None)
        if plugin is None or plugin.get("enabled") is False:
            checks.append(
                Check(name, False, text("plugin_missing", consequence=consequence), False)
            )
            continue
        probe = _plugin_probe(api, name)
        if probe is None:
            checks.append(Check(name, True, text("plugin_listed"), False))
            continue
        try:
            probe()
        except DiscourseError as error:
            detail = text("plugin_silent", error=str(error), consequence=consequence)
            checks.append(Check(name, False, detail, False))
            continue
        checks.append(Check(name, True, text("plugin_ok"), False))
    return checks


def _poll_setting(api: DiscourseAPI) -> dict | None:
    """The Poll plugin as a pseudo plugin entry, from the `poll_enabled` site setting."""
    try:
        settings = api.get_site_settings().get("site_settings", [])
    except DiscourseError:
        return None
    enabled = next((s.get("value") for s in settings if s.get("setting") == "poll_enabled"), None)
    if enabled is None:
        return None
    return {"name": "poll", "enabled": enabled in (True, "true", "t")}


def _plugin_probe(api: DiscourseAPI, name: str) -> Callable[[], object] | None:
    """A cheap GET proving that an installed plugin really answers (None: listing suffices)."""
    if name == "solved":
        return lambda: api.solved_by_user(api.api_username, limit=1)
    if name == "data_explorer":
        return api.explorer_queries
    return None


def _rate_limit_check(api: DiscourseAPI, text) -> Check:
    rpm = api.settings.requests_per_minute
    limit = DISCOURSE_DEFAULT_ADMIN_LIMIT
    if api.rate_limit_hits:
        return Check(
            "rate_limit",
            False,
            text("rate_hit", hits=api.rate_limit_hits, limit=limit, rpm=rpm),
            False,
        )
    if rpm == 0:
        return Check("rate_limit", False, text("rate_unlimited", limit=limit), False)
    if rpm > limit:
        return Check("rate_limit", False, text("rate_above", rpm=rpm, limit=limit), False)
    return Check("rate_limit", True, text("rate_ok", rpm=rpm, limit=limit), False)


def exit_code(checks: list[Check]) -> int:
    """1 when a blocking check failed, else 0 (warnings do not fail the command)."""
    return 1 if any(check.blocking and not check.ok for check in checks) else 0


def format_checks(checks: list[Check], lang: str | None = None) -> str:
    """One line per check ("[OK] Forum joignable : …"), then a one-line verdict."""
    lang = lang or current_lang()
    separator = " : " if lang == "fr" else ": "
    lines = []
    for check in checks:
        status = "ok" if check.ok else "failed" if check.blocking else "warning"
        title = translate(MESSAGES, f"title_{check.name}", lang)
        lines.append(f"[{translate(MESSAGES, status, lang)}] {title}{separator}{check.detail}")
    blocking = sum(1 for check in checks if check.blocking and not check.ok)
    warnings = sum(1 for check in checks if not check.blocking and not check.ok)
    if blocking:
        lines.append(translate(MESSAGES, "blocking", lang, count=blocking))
    elif warnings:
        lines.append(translate(MESSAGES, "warnings_only", lang, count=warnings))
    else:
        lines.append(translate(MESSAGES, "all_good", lang))
    return "\n".join(lines)
