"""`GET /rapports/<M>/<slug>/duerp.odt` over real HTTP (DESIGN §10, §14): the cooperative's
DUERP draft for its directors and the animators, written afresh with the action log; 403 for
anyone else, 404 for a month without report."""

from __future__ import annotations

import io
import zipfile

import pytest
import requests

from app import actions
from reports.duerp import MIME_TYPE
from tests.support.clock import FIXTURE_NOW
from tests.support.web_site import REPORT_MONTH

M = REPORT_MONTH


@pytest.fixture(scope="module")
def sessions(site):
    site.services.campus.clock = lambda: FIXTURE_NOW  # the reports' month is finished then
    actions.record_action(
        site.services.campus,
        site.cooperative_a,
        M,
        axis="rapports_sociaux",
        indicator=None,
        kind="entraide",
        title="Binômes d'entraide entre nouveaux venus",
        started="2026-10-12",
        status="en_cours",
        author=actions.Author(1, site.roles["director"]),
    )
    return {role: site.login(username) for role, username in site.roles.items()}


def path(slug: str, month: str = M) -> str:
    return f"/rapports/{month}/{slug}/duerp.odt"


def content(response) -> str:
    with zipfile.ZipFile(io.BytesIO(response.content)) as odt:
        return odt.read("content.xml").decode("utf-8")


def test_a_director_downloads_the_draft_with_the_action_and_no_name(site, sessions):
    response = sessions["director"].get(site.url + path(site.cooperative_a), timeout=120)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["Content-Type"] == MIME_TYPE
    assert "attachment" in response.headers["Content-Disposition"]
    text = content(response)
    assert "Rapports sociaux" in text and "Intensité et temps de travail" in text
    assert "Binômes d'entraide entre nouveaux venus" in text
    for username in site.roles.values():
        assert username not in text
    written = site.services.campus.reports_dir / M / "duerp" / f"{site.cooperative_a}.odt"
    assert written.read_bytes() == response.content


def test_the_cooperative_report_page_links_to_it(site, sessions):
    page = sessions["director"].get(site.url + f"/rapports/{M}/{site.cooperative_a}", timeout=30)
    assert path(site.cooperative_a) in page.text


def test_an_animator_downloads_any_cooperative_draft(site, sessions):
    response = sessions["animator"].get(site.url + path(site.cooperative_b), timeout=120)
    assert response.status_code == 200
    assert "Binômes d'entraide" not in content(response)  # cooperative A's action


@pytest.mark.parametrize("role", ["director_b", "entrepreneur"])
def test_others_get_403_with_the_reason(site, sessions, role):
    response = sessions[role].get(site.url + path(site.cooperative_a), timeout=30)
    assert response.status_code == 403
    assert "réservé à sa direction" in response.text


def test_not_logged_in_is_sent_to_the_login(site):
    response = requests.get(site.url + path(site.cooperative_a), allow_redirects=False, timeout=30)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("month", ["2026-13", "2030-01"])
def test_a_month_without_report_gets_404(site, sessions, month):
    response = sessions["director"].get(site.url + path(site.cooperative_a, month), timeout=60)
    assert response.status_code == 404
    assert "Traceback" not in response.text
