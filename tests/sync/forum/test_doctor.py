"""`sync.forum.forum_checks`: verdicts on a mocked forum, exit code and the printed lines."""

from __future__ import annotations

import pytest
import requests
import responses

from sync.discourse.client import DiscourseAPI
from sync.discourse.settings import DiscourseSettings
from sync.forum.forum_checks import Check, exit_code, format_checks, run_doctor

URL = "https://forum.test"
KEY = "doctor-k3y-0123456789abcdef"
USER = "campus-bot"
# Poll is bundled and hidden from /admin/plugins.json: doctor reads the poll_enabled setting
PLUGINS = [
    {"name": "discourse-solved", "enabled": True},
    {"name": "discourse-data-explorer", "enabled": True},
]


def make_api(requests_per_minute: int = 60) -> DiscourseAPI:
    settings = DiscourseSettings(
        url=URL, api_key=KEY, api_username=USER, requests_per_minute=requests_per_minute
    )
    return DiscourseAPI(settings, sleep=lambda seconds: None, clock=lambda: 0.0)


def healthy_forum(admin: bool = True, plugins: list[dict] = PLUGINS, poll: str = "true") -> None:
    responses.add(
        responses.GET,
        URL + "/session/current.json",
        json={"current_user": {"username": USER, "admin": admin}},
    )
    responses.add(responses.GET, URL + "/admin/plugins.json", json={"plugins": plugins})
    responses.add(
        responses.GET,
        URL + "/admin/site_settings.json",
        json={"site_settings": [{"setting": "poll_enabled", "value": poll, "default": "true"}]},
    )
    responses.add(responses.GET, URL + "/solution/by_user.json", json={"user_solved_posts": []})
    responses.add(responses.GET, URL + "/admin/plugins/explorer/queries.json", json={"queries": []})


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {check.name: check for check in checks}


@responses.activate
def test_all_good():
    healthy_forum()
    api = make_api()
    checks = run_doctor(api)
    assert [check.name for check in checks] == [
        "reachable",
        "credentials",
        "admin",
        "solved",
        "poll",
        "data_explorer",
        "rate_limit",
    ]
    assert all(check.ok for check in checks)
    assert exit_code(checks) == 0
    assert format_checks(checks, "fr").splitlines()[-1] == "Tout est prêt."
    assert api.total_requests == 5


@responses.activate
def test_wrong_key_is_a_blocking_failure_naming_the_user():
    responses.add(
        responses.GET,
        URL + "/session/current.json",
        status=403,
        json={"errors": ["invalid_api_credentials"], "error_type": "invalid_access"},
    )
    checks = run_doctor(make_api())
    credentials = by_name(checks)["credentials"]
    assert not credentials.ok and credentials.blocking
    assert USER in credentials.detail
    assert exit_code(checks) == 1
    printed = format_checks(checks, "fr")
    assert "[ÉCHEC] Clé d'API acceptée" in printed
    assert KEY not in printed and KEY not in repr(checks)


@responses.activate
def test_unknown_api_user():
    responses.add(responses.GET, URL + "/session/current.json", status=404, json={"errors": []})
    checks = run_doctor(make_api())
    assert "CAMPUS_DISCOURSE_API_USERNAME" in by_name(checks)["credentials"].detail
    assert exit_code(checks) == 1


@responses.activate
def test_unreachable_forum_names_the_url():
    responses.add(
        responses.GET,
        URL + "/session/current.json",
        body=requests.exceptions.ConnectionError("Name or service not known"),
    )
    checks = run_doctor(make_api())
    assert [check.name for check in checks] == ["reachable"]
    assert URL in checks[0].detail and not checks[0].ok
    assert exit_code(checks) == 1


@responses.activate
def test_user_without_admin_rights_is_blocking():
    healthy_forum(admin=False)
    checks = run_doctor(make_api())
    assert not by_name(checks)["admin"].ok
    assert exit_code(checks) == 1


@responses.activate
def test_missing_solved_is_a_warning_only():
    healthy_forum(plugins=PLUGINS[1:])
    checks = run_doctor(make_api())
    solved = by_name(checks)["solved"]
    assert (solved.ok, solved.blocking) == (False, False)
    assert "réponses acceptées" in solved.detail
    assert exit_code(checks) == 0


@responses.activate
def test_listed_plugin_that_does_not_answer():
    responses.add(responses.GET, URL + "/admin/plugins/explorer/queries.json", status=404, json={})
    healthy_forum()
    explorer = by_name(run_doctor(make_api()))["data_explorer"]
    assert not explorer.ok and "ne répond pas" in explorer.detail


@responses.activate
def test_budget_above_discourse_default_is_a_warning():
    healthy_forum()
    rate = by_name(run_doctor(make_api(requests_per_minute=120)))["rate_limit"]
    assert not rate.ok and "120" in rate.detail


@responses.activate
def test_429_seen_during_checks_is_reported():
    responses.add(
        responses.GET,
        URL + "/session/current.json",
        status=429,
        json={"errors": ["slow"], "extras": {"wait_seconds": 1}},
    )
    healthy_forum()
    checks = run_doctor(make_api())
    assert "429" in by_name(checks)["rate_limit"].detail
    assert exit_code(checks) == 0


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fr", "[ATTENTION] Limite de débit : budget"),
        ("en", "[WARNING] Rate limit: budget"),
    ],
)
def test_format_in_both_languages(lang, expected):
    check = Check("rate_limit", False, "budget", False)
    assert format_checks([check], lang).splitlines()[0] == expected


@responses.activate
def test_poll_disabled_by_site_setting_is_a_warning():
    healthy_forum(poll="false")
    checks = run_doctor(make_api())
    assert not by_name(checks)["poll"].ok
    assert exit_code(checks) == 0
