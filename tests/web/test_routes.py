"""Every route for every role (DESIGN §10's table), over real HTTP."""

from __future__ import annotations

import pytest
import requests

from tests.support.web_site import REPORT_MONTH

pytestmark = pytest.mark.integration

ROLES = ("anonymous", "entrepreneur", "director", "animator")
M = REPORT_MONTH

# (method, path; "{a}"/"{b}": the director's cooperative / another one) -> status per role
TABLE = [
    ("GET", "/", (200, 200, 200, 200)),
    ("GET", "/healthz", (200, 200, 200, 200)),
    ("GET", "/healthz/fresh", (200, 200, 200, 200)),
    ("GET", "/login", (302, 302, 302, 302)),
    ("GET", "/rapports", (302, 403, 200, 200)),
    ("GET", f"/rapports/{M}/reseau", (302, 403, 200, 200)),
    ("GET", f"/rapports/{M}/reseau/document", (302, 403, 200, 200)),
    ("GET", f"/rapports/{M}/{{a}}", (302, 403, 200, 200)),
    ("GET", f"/rapports/{M}/{{a}}/document", (302, 403, 200, 200)),
    ("GET", f"/rapports/{M}/{{b}}", (302, 403, 403, 200)),
    ("GET", f"/rapports/{M}/{{b}}/document", (302, 403, 403, 200)),
    ("GET", "/rapports/2026-13/reseau", (302, 404, 404, 404)),
    ("GET", "/rapports/1999-01/reseau", (302, 403, 404, 404)),
    ("GET", f"/rapports/{M}/inconnue", (302, 404, 404, 404)),
    ("GET", f"/rapports/{M}/..%2F..%2Fcampus.db", (404, 404, 404, 404)),
    ("GET", f"/rapports/{M}/coop.reims", (302, 404, 404, 404)),
    ("GET", "/rapports/..%2F..%2F/reseau", (404, 404, 404, 404)),
    ("GET", "/animation", (302, 403, 403, 200)),
    ("GET", "/moi", (302, 200, 200, 200)),
    ("GET", "/moi/donnees.json", (302, 200, 200, 200)),
    ("POST", "/moi/retrait", (400, 400, 400, 400)),  # no CSRF token
    ("POST", "/logout", (400, 400, 400, 400)),  # no CSRF token
    ("GET", "/logout", (405, 405, 405, 405)),
    ("GET", "/nexiste-pas", (404, 404, 404, 404)),
]


@pytest.fixture(scope="module")
def sessions(site):
    made = {"anonymous": requests.Session()}
    for role in ROLES[1:]:
        made[role] = site.login(site.roles[role])
    return made


@pytest.mark.parametrize("method,path,expected", TABLE, ids=[f"{m} {p}" for m, p, _ in TABLE])
@pytest.mark.parametrize("role", ROLES)
def test_route_answers_each_role_as_designed(site, sessions, role, method, path, expected):
    url = site.url + path.format(a=site.cooperative_a, b=site.cooperative_b)
    response = sessions[role].request(method, url, allow_redirects=False, timeout=30)
    want = expected[ROLES.index(role)]
    if path.startswith("/healthz"):  # the mirror was synced seconds ago
        assert response.json()["status"] == "ok" and response.json()["sync_fresh"]
    assert response.status_code == want, response.text[:300]
    if want == 302 and path not in ("/login",):
        assert response.headers["Location"].startswith("/login?next=")
    if want == 403:
        assert "réservé" in response.text  # the page says why


def test_forbidden_page_names_the_cooperative_and_who_may_read_it(site, sessions):
    response = sessions["director"].get(site.url + f"/rapports/{M}/{site.cooperative_b}")
    assert site.cooperative_b in response.text
    assert "direction" in response.text


def test_reports_index_lists_only_what_the_director_may_open(site, sessions):
    page = sessions["director"].get(site.url + "/rapports").text
    assert f"/rapports/{M}/{site.cooperative_a}" in page
    assert f"/rapports/{M}/{site.cooperative_b}" not in page
    everything = sessions["animator"].get(site.url + "/rapports").text
    assert f"/rapports/{M}/{site.cooperative_b}" in everything


def test_network_pdf_is_offered_only_when_report_wrote_it(site, sessions):
    pdf = site.services.reports_dir / M / "network.pdf"
    page = f"/rapports/{M}/reseau"
    assert "/reseau/pdf" not in sessions["director"].get(site.url + page).text
    assert sessions["director"].get(site.url + page + "/pdf").status_code == 404
    pdf.write_bytes(b"%PDF-1.7 test")
    try:
        assert "/reseau/pdf" in sessions["director"].get(site.url + page).text
        response = sessions["director"].get(site.url + page + "/pdf")
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert sessions["entrepreneur"].get(site.url + page + "/pdf").status_code == 403
    finally:
        pdf.unlink()
