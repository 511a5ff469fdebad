"""Security headers, cookie flags over https, login rate limit, settings and secrets checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from core.errors import InputError
from tests.support.web_app import make_web_app
from web.auth import safe_next
from web.settings import WebSettings
from web.web_checks import secret_problem


def _app(tmp_path: Path, **web) -> Flask:
    return make_web_app(tmp_path, **web)


def test_csp_forbids_inline_scripts_and_framing(tmp_path):
    response = _app(tmp_path).test_client().get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_inline_script_or_style_in_pages(tmp_path):
    body = _app(tmp_path).test_client().get("/").get_data(as_text=True)
    assert "<script" not in body
    assert "<style" not in body
    assert "style=" not in body


def test_session_cookie_is_secure_when_base_url_is_https(tmp_path):
    app = _app(tmp_path, base_url="https://campus.example.org")
    client = app.test_client()
    client.get("/login")  # stores the nonce in the session
    cookie = client.get_cookie("campus_session")
    assert cookie.secure and cookie.http_only and cookie.same_site == "Lax"


def test_login_is_rate_limited(tmp_path):
    client = _app(tmp_path, login_rate_limit="3 per minute").test_client()
    statuses = [client.get("/login").status_code for _ in range(5)]
    assert statuses[:3] == [302, 302, 302]
    assert statuses[3] == 429


def test_a_never_synced_mirror_is_stale_only_for_monitoring(tmp_path):
    """A proxy's health check on /healthz must not take Campus offline because no sync
    succeeded lately: only /healthz/fresh says so."""
    client = _app(tmp_path).test_client()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok" and response.json["sync_fresh"] is False
    stale = client.get("/healthz/fresh")
    assert stale.status_code == 503 and stale.json["sync_fresh"] is False


@pytest.mark.parametrize(
    "value,expected",
    [
        ("/moi", "/moi"),
        ("/rapports?x=1", "/rapports?x=1"),
        ("//evil.example", "/"),
        ("https://evil.example", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
        (None, "/"),
        ("/a\tb", "/"),
    ],
)
def test_safe_next_keeps_only_local_paths(value, expected):
    assert safe_next(value) == expected


@pytest.mark.parametrize(
    "base_url", ["ftp://x", "campus.example.org", "https://", "https://x/?a=1"]
)
def test_bad_base_url_is_refused_with_the_setting_named(base_url):
    with pytest.raises(InputError, match=r"\[web\] base_url"):
        WebSettings(base_url=base_url)


def test_secret_with_a_newline_inside_is_refused_without_quoting_it():
    problem = secret_problem("CAMPUS_WEB_SECRET", "s3cr3t-value\n-0123456789")
    assert "CAMPUS_WEB_SECRET" in problem
    assert "s3cr3t" not in problem and "0123456789" not in problem


def test_doctor_accepts_a_secret_with_a_stray_newline_around_it():
    assert secret_problem("CAMPUS_WEB_SECRET", " s3cr3t-value-0123456789\n") is None


def test_hsts_is_sent_when_base_url_is_https(tmp_path):
    response = _app(tmp_path, base_url="https://campus.example.org").test_client().get("/")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_no_hsts_when_base_url_is_http(tmp_path):
    response = _app(tmp_path, base_url="http://campus.example.org").test_client().get("/")
    assert "Strict-Transport-Security" not in response.headers
