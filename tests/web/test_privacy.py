"""No page shows a member's name to anyone but that member and the animators."""

from __future__ import annotations

import re

import pytest

from tests.support.web_site import REPORT_MONTH

pytestmark = pytest.mark.integration


def _pages(site) -> list[str]:
    m, a = REPORT_MONTH, site.cooperative_a
    return [
        "/",
        "/rapports",
        f"/rapports/{m}/reseau",
        f"/rapports/{m}/reseau/document",
        f"/rapports/{m}/{a}",
        f"/rapports/{m}/{a}/document",
        "/moi",
        "/moi/donnees.json",
        "/healthz",
        "/nexiste-pas",
    ]


def _others(site, me: str) -> list[re.Pattern]:
    """Every other real member's username and full name, as whole words."""
    patterns = []
    for user in site.sandbox.state.users.values():
        if user.id <= 0 or user.username == me:
            continue
        for word in {user.username, user.name}:
            patterns.append(re.compile(rf"(?<![\w.-]){re.escape(word)}(?![\w-])", re.IGNORECASE))
    return patterns


@pytest.mark.parametrize("role", ["entrepreneur", "director"])
def test_no_page_shows_another_members_name(site, role):
    me = site.roles[role]
    session = site.login(me)
    others = _others(site, me)
    for path in _pages(site):
        body = session.get(site.url + path).text
        leaked = [p.pattern for p in others if p.search(body)]
        assert not leaked, f"{path} shows {leaked[:3]}"


def test_the_member_sees_their_own_name(site):
    me = site.roles["entrepreneur"]
    user = site.sandbox.state.user_by_username(me)
    session = site.login(me)
    assert user.name in session.get(site.url + "/moi").text
