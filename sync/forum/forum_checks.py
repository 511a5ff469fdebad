"""`campus doctor`: can Campus work with this forum? One line per check, in the animator's words.

Checks, cheapest first (about 4 requests): the URL answers, the key and user are accepted, the
user is an admin, the Solved / Poll / Data Explorer plugins are there and answer, and the request
budget fits Discourse's admin API limit. A failed blocking check means `provision` and `sync`
cannot work; `exit_code` turns that into exit status 1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.i18n import _, current_lang, ngettext
from sync.discourse.client import DiscourseAPI
from sync.discourse.exceptions import (
    DiscourseAuthError,
    DiscourseError,
    DiscourseNotFound,
    DiscourseUnreachable,
)

DISCOURSE_DEFAULT_ADMIN_LIMIT = 60  # max_admin_api_reqs_per_minute, per site (discourse-api.md §2)

# plugin check name -> names the plugin is listed under in /admin/plugins.json. Poll is bundled
# and hidden from that list: its state is the `poll_enabled` site setting (verified in Discourse's
# source, see /admin/site_settings.json).
PLUGIN_NAMES = {
    "solved": ("discourse-solved", "solved"),
    "poll": (),
    "data_explorer": ("discourse-data-explorer", "data-explorer", "data_explorer"),
}


def _titles(lang: str | None) -> dict[str, str]:
    return {
        "reachable": _("Forum joignable", lang=lang),
        "credentials": _("Clé d'API acceptée", lang=lang),
        "admin": _("Droits d'administration", lang=lang),
        "solved": _("Extension Solved", lang=lang),
        "poll": _("Extension Poll", lang=lang),
        "data_explorer": _("Extension Data Explorer", lang=lang),
        "rate_limit": _("Limite de débit", lang=lang),
    }


def _consequence(name: str, lang: str | None) -> str:
    return {
        "solved": _("les réponses acceptées ne seront ni synchronisées ni comptées.", lang=lang),
        "poll": _("le sondage mensuel (pulse) ne pourra pas être publié.", lang=lang),
        "data_explorer": _(
            "les requêtes SQL de Data Explorer ne seront pas disponibles.", lang=lang
        ),
    }[name]


def _status(status: str, lang: str | None) -> str:
    return {
        "ok": _("OK", lang=lang),
        "failed": _("ÉCHEC", lang=lang),
        "warning": _("ATTENTION", lang=lang),
    }[status]


@dataclass(frozen=True)
class Check:
    """One verdict: `name` is a stable code, `detail` one line in the animator's language."""

    name: str
    ok: bool
    detail: str
    blocking: bool


def run_doctor(api: DiscourseAPI, lang: str | None = None) -> list[Check]:
    """Run every check against the forum behind `api`, stopping at the first blocking failure."""

    user, url = api.api_username, api.host
    try:
        current = api.current_user()
    except DiscourseUnreachable as error:
        return [Check("reachable", False, str(error), True)]
    except DiscourseAuthError as error:
        return [
            Check("reachable", True, _("{url} répond.", lang=lang, url=url), True),
            Check("credentials", False, str(error), True),
        ]
    except DiscourseNotFound:
        detail = _(
            "Discourse ne reconnaît pas l'utilisateur d'API « {user} » sur {url}. Vérifiez CAMPUS_DISCOURSE_API_USERNAME et CAMPUS_DISCOURSE_API_KEY.",
            lang=lang,
            user=user,
            url=url,
        )
        return [
            Check("reachable", True, _("{url} répond.", lang=lang, url=url), True),
            Check("credentials", False, detail, True),
        ]
    except DiscourseError as error:
        return [Check("reachable", False, str(error), True)]

    checks = [
        Check("reachable", True, _("{url} répond.", lang=lang, url=url), True),
        Check(
            "credentials",
            True,
            _("Discourse accepte la clé pour l'utilisateur « {user} ».", lang=lang, user=user),
            True,
        ),
    ]
    if not current.get("admin"):
        checks.append(
            Check(
                "admin",
                False,
                _(
                    "« {user} » n'est pas administrateur : Campus ne pourra ni créer les catégories et groupes ni lire la liste des membres. Donnez-lui les droits d'administration ou utilisez un autre utilisateur (CAMPUS_DISCOURSE_API_USERNAME).",
                    lang=lang,
                    user=user,
                ),
                True,
            )
        )
        return checks
    checks.append(
        Check("admin", True, _("« {user} » est administrateur.", lang=lang, user=user), True)
    )
    checks.extend(_plugin_checks(api, lang))
    checks.append(_rate_limit_check(api, lang))
    return checks


def _plugin_checks(api: DiscourseAPI, lang: str | None) -> list[Check]:
    try:
        installed = {plugin.get("name"): plugin for plugin in api.plugins()}
    except DiscourseError as error:
        detail = _("liste des extensions illisible : {error}", lang=lang, error=str(error))
        return [Check(name, False, detail, False) for name in PLUGIN_NAMES]
    checks = []
    for name, aliases in PLUGIN_NAMES.items():
        consequence = _consequence(name, lang)
        if name == "poll":
            plugin = _poll_setting(api)
        else:
            plugin = next((installed[alias] for alias in aliases if alias in installed), None)
        if plugin is None or plugin.get("enabled") is False:
            checks.append(
                Check(
                    name,
                    False,
                    _("absente ou désactivée : {consequence}", lang=lang, consequence=consequence),
                    False,
                )
            )
            continue
        probe = _plugin_probe(api, name)
        if probe is None:
            checks.append(Check(name, True, _("installée et active.", lang=lang), False))
            continue
        try:
            probe()
        except DiscourseError as error:
            detail = _(
                "installée mais ne répond pas ({error}) : {consequence}",
                lang=lang,
                error=str(error),
                consequence=consequence,
            )
            checks.append(Check(name, False, detail, False))
            continue
        checks.append(Check(name, True, _("installée, active et répond.", lang=lang), False))
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


def _rate_limit_check(api: DiscourseAPI, lang: str | None) -> Check:
    rpm = api.settings.requests_per_minute
    limit = DISCOURSE_DEFAULT_ADMIN_LIMIT
    if api.rate_limit_hits:
        return Check(
            "rate_limit",
            False,
            _(
                "Discourse a répondu 429 {hits} fois pendant ces vérifications : d'autres outils consomment la limite du site ({limit}/min). Baissez requests_per_minute ({rpm}).",
                lang=lang,
                hits=api.rate_limit_hits,
                limit=limit,
                rpm=rpm,
            ),
            False,
        )
    if rpm == 0:
        return Check(
            "rate_limit",
            False,
            _(
                "aucun budget côté client (requests_per_minute = 0) : Discourse ({limit}/min par site) fera attendre Campus. Réglez requests_per_minute dans campus.toml.",
                lang=lang,
                limit=limit,
            ),
            False,
        )
    if rpm > limit:
        return Check(
            "rate_limit",
            False,
            _(
                "budget de {rpm} requêtes/min au-dessus de la limite par défaut de Discourse ({limit}/min par site) : attendez-vous à des attentes, sauf si l'hébergeur a relevé DISCOURSE_MAX_ADMIN_API_REQS_PER_MINUTE.",
                lang=lang,
                rpm=rpm,
                limit=limit,
            ),
            False,
        )
    return Check(
        "rate_limit",
        True,
        _(
            "budget de {rpm} requêtes/min, dans la limite par défaut de Discourse ({limit}/min pour tout le site) ; aucun 429 pendant ces vérifications.",
            lang=lang,
            rpm=rpm,
            limit=limit,
        ),
        False,
    )


def exit_code(checks: list[Check]) -> int:
    """1 when a blocking check failed, else 0 (warnings do not fail the command)."""
    return 1 if any(check.blocking and not check.ok for check in checks) else 0


def check_lines(checks: list[Check], lang: str | None = None) -> list[str]:
    """One line per check: "[OK] Forum joignable : …", "[ATTENTION] …", "[ÉCHEC] …"."""
    lang = lang or current_lang()
    separator = " : " if lang == "fr" else ": "
    lines = []
    for check in checks:
        status = "ok" if check.ok else "failed" if check.blocking else "warning"
        title = _titles(lang)[check.name]
        lines.append(f"[{_status(status, lang)}] {title}{separator}{check.detail}")
    return lines


def verdict(blocking: int, warnings: int, lang: str | None = None) -> str:
    """The one-line conclusion of `campus doctor`, from every part's blocking problems and
    warnings: « Tout est prêt. » only when there is neither."""
    lang = lang or current_lang()
    if blocking:
        return ngettext(
            "{n} problème bloquant : corrigez-le avant provision ou sync.",
            "{n} problèmes bloquants : corrigez-les avant provision ou sync.",
            blocking,
            lang=lang,
        )
    if warnings:
        return ngettext(
            "Campus peut fonctionner ; {n} point d'attention ci-dessus.",
            "Campus peut fonctionner ; {n} points d'attention ci-dessus.",
            warnings,
            lang=lang,
        )
    return _("Tout est prêt.", lang=lang)


def counts(checks: list[Check]) -> tuple[int, int]:
    """(blocking problems, warnings) among `checks`."""
    blocking = sum(1 for check in checks if check.blocking and not check.ok)
    warnings = sum(1 for check in checks if not check.blocking and not check.ok)
    return blocking, warnings


def format_checks(checks: list[Check], lang: str | None = None) -> str:
    """One line per check ("[OK] Forum joignable : …"), then a one-line verdict."""
    return "\n".join([*check_lines(checks, lang), verdict(*counts(checks), lang=lang)])
