"""The DiscourseConnect login over real HTTP, with the sandbox as the forum's provider."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from sqlalchemy import text

from tests.support.web_site import CONNECT_SECRET
from web import connect

pytestmark = pytest.mark.integration


def _answer_url(site, username: str, session: requests.Session, next_path: str = "/") -> str:
    """Start a login in `session` and return the forum's signed answer URL (not followed)."""
    site.sandbox.login_as(username)
    to_forum = session.get(site.url + "/login", params={"next": next_path}, allow_redirects=False)
    assert to_forum.status_code == 302
    back = session.get(to_forum.headers["Location"], allow_redirects=False)
    assert back.status_code == 302
    return back.headers["Location"]


def _fields(answer_url: str) -> dict[str, str]:
    sso = parse_qs(urlsplit(answer_url).query)["sso"][0]
    return {k: v[0] for k, v in parse_qs(base64.b64decode(sso).decode()).items()}


def _signed(site, fields: dict[str, str], secret: str = CONNECT_SECRET) -> str:
    sso, sig = connect.encode(fields, secret)
    return site.url + "/auth/discourse?" + urlencode({"sso": sso, "sig": sig})


def _logged_in(site, session: requests.Session) -> bool:
    return session.get(site.url + "/moi", allow_redirects=False).status_code == 200


def test_full_login_flow_lands_on_next_page_as_the_member(site):
    username = site.roles["entrepreneur"]
    session = site.login(username, next_path="/moi")
    page = session.get(site.url + "/moi")
    assert page.status_code == 200
    assert username in page.text


def test_login_request_is_signed_with_the_connect_secret(site):
    response = requests.get(site.url + "/login", allow_redirects=False)
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    sso, sig = query["sso"][0], query["sig"][0]
    assert connect.sign(sso, CONNECT_SECRET) == sig
    fields = dict(parse_qs(base64.b64decode(sso).decode()))
    assert fields["return_sso_url"] == [site.url + "/auth/discourse"]


def test_forged_signature_is_refused(site):
    session = requests.Session()
    url = _answer_url(site, site.roles["animator"], session)
    forged = url.replace("sig=", "sig=0") if "sig=0" not in url else url.replace("sig=0", "sig=1")
    response = session.get(forged, allow_redirects=False)
    assert response.status_code == 403
    assert not _logged_in(site, session)


def test_payload_signed_with_another_secret_is_refused(site):
    session = requests.Session()
    fields = _fields(_answer_url(site, site.roles["entrepreneur"], session))
    fields["admin"] = "true"
    response = session.get(_signed(site, fields, secret="not-the-secret-xxxxxxxx"))
    assert response.status_code == 403
    assert not _logged_in(site, session)


def test_replayed_payload_is_refused(site):
    session = requests.Session()
    url = _answer_url(site, site.roles["director"], session)
    assert session.get(url, allow_redirects=False).status_code == 302
    again = requests.Session()
    assert again.get(url, allow_redirects=False).status_code == 403
    assert session.get(url, allow_redirects=False).status_code == 403
    assert not _logged_in(site, again)


def test_unknown_nonce_is_refused_even_when_signed(site):
    session = requests.Session()
    fields = _fields(_answer_url(site, site.roles["entrepreneur"], session))
    fields["nonce"] = "never-issued-by-campus"
    response = session.get(_signed(site, fields))
    assert response.status_code == 403
    assert not _logged_in(site, session)


def test_expired_nonce_is_refused(site):
    session = requests.Session()
    url = _answer_url(site, site.roles["entrepreneur"], session)
    old = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=11)
    with site.services.engine.begin() as connection:
        connection.execute(
            text("UPDATE login_nonces SET created_at = :old WHERE nonce = :nonce"),
            {"old": old, "nonce": _fields(url)["nonce"]},
        )
    response = session.get(url)
    assert response.status_code == 403
    assert "expirée" in response.text
    assert not _logged_in(site, session)


def test_answer_in_another_browser_is_refused(site):
    """Login CSRF: an answer obtained by someone else cannot open a session in my browser."""
    url = _answer_url(site, site.roles["animator"], requests.Session())
    victim = requests.Session()
    assert victim.get(url).status_code == 403
    assert not _logged_in(site, victim)


def test_answer_for_another_return_url_is_refused(site):
    session = requests.Session()
    fields = _fields(_answer_url(site, site.roles["entrepreneur"], session))
    fields["return_sso_url"] = "https://elsewhere.example/auth/discourse"
    assert session.get(_signed(site, fields)).status_code == 403


@pytest.mark.parametrize(
    "next_path",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "http:evil.example",
        "javascript:alert(1)",
        "/\r\nLocation: https://evil.example",
    ],
)
def test_external_next_is_refused(site, next_path):
    session = requests.Session()
    url = _answer_url(site, site.roles["entrepreneur"], session, next_path=next_path)
    back = session.get(url, allow_redirects=False)
    assert back.status_code == 302
    assert back.headers["Location"] in ("/", site.url + "/")


def test_local_next_with_query_is_kept(site):
    session = requests.Session()
    url = _answer_url(site, site.roles["entrepreneur"], session, next_path="/moi?onglet=score")
    assert session.get(url, allow_redirects=False).headers["Location"].endswith("/moi?onglet=score")


def test_identity_admin_flag_and_groups_come_from_the_payload(site):
    session = site.login(site.roles["director"])
    page = session.get(site.url + "/rapports")
    assert page.status_code == 200  # directions group from the payload
    animator = site.login(site.roles["animator"])
    assert animator.get(site.url + f"/rapports/2026-10/{site.cooperative_b}").status_code == 200


def test_logout_needs_the_csrf_token_then_closes_the_session(site):
    session = site.login(site.roles["entrepreneur"])
    assert session.post(site.url + "/logout").status_code == 400
    assert _logged_in(site, session)
    token = site.csrf(session)
    response = session.post(site.url + "/logout", data={"csrf_token": token}, allow_redirects=False)
    assert response.status_code == 302
    assert not _logged_in(site, session)


def test_a_copied_session_cookie_opens_nothing_after_logout(site):
    session = site.login(site.roles["entrepreneur"])
    copy = requests.Session()
    copy.cookies.update(session.cookies)
    assert _logged_in(site, copy)
    token = site.csrf(session)
    session.post(site.url + "/logout", data={"csrf_token": token}, allow_redirects=False)
    assert not _logged_in(site, copy)


def test_session_cookie_is_httponly_and_lax(site):
    session = requests.Session()
    url = _answer_url(site, site.roles["entrepreneur"], session)
    cookie = session.get(url, allow_redirects=False).headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # base_url is http here; see test_security for https


def test_not_logged_in_is_sent_to_login_with_next(site):
    response = requests.get(site.url + "/moi/donnees.json?x=1", allow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?" + urlencode({"next": "/moi/donnees.json?x=1"})
