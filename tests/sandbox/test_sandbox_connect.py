"""The sandbox as a DiscourseConnect provider: payload, signature, and Discourse's errors."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from tests.conftest import control_headers

SECRET = "sandbox-connect-secret-0123456789"
RETURN = "http://campus.test/auth/discourse"


def _request(server, fields: dict, secret: str = SECRET, **extra) -> requests.Response:
    sso = base64.b64encode(urlencode(fields).encode()).decode()
    sig = hmac.new(secret.encode(), sso.encode(), hashlib.sha256).hexdigest()
    params = {"sso": sso, "sig": sig, **extra}
    return requests.get(
        server.url + "/session/sso_provider", params=params, allow_redirects=False, timeout=10
    )


def _payload(location: str) -> dict[str, str]:
    query = parse_qs(urlsplit(location).query)
    sso, sig = query["sso"][0], query["sig"][0]
    assert hmac.new(SECRET.encode(), sso.encode(), hashlib.sha256).hexdigest() == sig
    return {k: v[0] for k, v in parse_qs(base64.b64decode(sso).decode()).items()}


def test_disabled_provider_answers_404(sandbox_server):
    assert _request(sandbox_server, {"nonce": "n", "return_sso_url": RETURN}).status_code == 404


def test_logged_in_member_is_sent_back_with_a_signed_payload(sandbox_server):
    sandbox_server.enable_connect(SECRET)
    forum = sandbox_server.state
    director = forum.users[forum.group_member_ids(forum.group_by_name("directions"))[0]]
    sandbox_server.login_as(director.username)
    response = _request(sandbox_server, {"nonce": "abc", "return_sso_url": RETURN})
    assert response.status_code == 302
    assert response.headers["Location"].startswith(RETURN + "?sso=")
    payload = _payload(response.headers["Location"])
    assert payload["nonce"] == "abc"
    assert payload["return_sso_url"] == RETURN
    assert payload["external_id"] == str(director.id)
    assert payload["username"] == director.username
    assert payload["email"] == director.email
    assert payload["admin"] == "false"
    assert "directions" in payload["groups"].split(",")


def test_bad_signature_is_422_plain_text(sandbox_server):
    sandbox_server.enable_connect(SECRET)
    response = _request(sandbox_server, {"nonce": "n", "return_sso_url": RETURN}, secret="wrong")
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("text/plain")


def test_blank_return_url_is_400(sandbox_server):
    sandbox_server.enable_connect(SECRET)
    response = _request(sandbox_server, {"nonce": "n", "return_sso_url": ""})
    assert response.status_code == 400
    assert "return_sso_url is blank" in response.text


def test_nobody_logged_in_shows_the_picker_then_the_pick_logs_in(sandbox_server):
    sandbox_server.enable_connect(SECRET)
    browser = requests.Session()
    page = _request(sandbox_server, {"nonce": "n1", "return_sso_url": RETURN})
    assert page.status_code == 200
    assert "animation" in page.text
    sso = parse_qs(urlsplit(page.url).query)["sso"][0]
    sig = parse_qs(urlsplit(page.url).query)["sig"][0]
    picked = browser.post(
        sandbox_server.url + "/session/sso_provider/pick",
        data={"sso": sso, "sig": sig, "username": "animation"},
        allow_redirects=False,
    )
    assert picked.status_code == 302
    back = browser.get(sandbox_server.url + picked.headers["Location"], allow_redirects=False)
    payload = _payload(back.headers["Location"])
    assert payload["username"] == "animation"
    assert payload["admin"] == "true"


@pytest.mark.parametrize("secret", ["", SECRET])
def test_control_endpoint_turns_the_provider_on_and_off(sandbox_server, secret):
    requests.post(
        sandbox_server.url + "/_sandbox/connect",
        json={"secret": secret},
        headers=control_headers(sandbox_server.api_key),
        timeout=10,
    )
    status = _request(sandbox_server, {"nonce": "n", "return_sso_url": RETURN}).status_code
    assert status == (404 if not secret else 200)


def test_a_bare_forum_offers_its_members_before_campus_members_fills_the_role_groups():
    """`campus sandbox --bare`: no role group yet, yet the login page offers the network's
    members, not only the admins."""
    from sandbox.network import generate
    from sandbox.server import SandboxServer

    network = generate(1, "small", activity=False)
    with SandboxServer(network, api_key="bare-key", rate_limit_per_minute=0) as server:
        server.enable_connect(SECRET)
        page = _request(server, {"nonce": "n1", "return_sso_url": RETURN}).text
        assert "Membres sans groupe de rôle" in page
        member = network.roster[0].username
        assert f'value="{member}"' in page
        assert 'value="animation"' in page
