"""`[web] trusted_proxies`: behind the forum's reverse proxy each client has its own login limit,
and nobody else can choose the address the limit counts (real HTTP through waitress)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests

from core.errors import InputError
from tests.conftest import free_port, run_campus
from tests.support.web_app import make_web_app
from web.proxies import TrustedProxies
from web.serve import serve_in_background
from web.settings import WebSettings


@contextmanager
def _served(tmp_path, trusted_proxies: list[str]) -> Iterator[str]:
    """Campus on waitress with a login limit of 2 a minute; its URL."""
    app = make_web_app(tmp_path, trusted_proxies=trusted_proxies, login_rate_limit="2 per minute")
    port = free_port()
    server = serve_in_background(app, "127.0.0.1", port, threads=2)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()


def _logins(url: str, client: str, count: int) -> list[int]:
    headers = {"X-Forwarded-For": client, "X-Forwarded-Proto": "https"}
    return [
        requests.get(url + "/login", headers=headers, allow_redirects=False, timeout=5).status_code
        for _ in range(count)
    ]


def test_two_clients_behind_the_trusted_proxy_have_their_own_login_limit(tmp_path):
    with _served(tmp_path, ["127.0.0.1"]) as url:
        assert _logins(url, "203.0.113.1", 3) == [302, 302, 429]
        assert _logins(url, "203.0.113.2", 2) == [302, 302]


def test_an_untrusted_peer_cannot_spoof_x_forwarded_for(tmp_path):
    with _served(tmp_path, ["192.0.2.1"]) as url:
        statuses = [_logins(url, f"203.0.113.{n}", 1)[0] for n in range(1, 4)]
    assert statuses == [302, 302, 429]


def test_the_client_is_the_right_most_hop_that_is_not_a_trusted_proxy():
    proxies = TrustedProxies(lambda *_: [], ["127.0.0.1", "172.17.0.0/16"])
    assert proxies.client("127.0.0.1", "198.51.100.7, 203.0.113.1, 172.17.0.2") == "203.0.113.1"
    assert proxies.client("127.0.0.1", "") == "127.0.0.1"
    assert proxies.client("127.0.0.1", "not-an-address") == "127.0.0.1"
    assert proxies.client("::ffff:127.0.0.1", "203.0.113.9") == "203.0.113.9"


@pytest.mark.parametrize("value", [["campus.example.org"], "127.0.0.1", [1]])
def test_a_trusted_proxy_that_is_not_an_address_is_refused(value):
    with pytest.raises(InputError, match=r"\[web\] trusted_proxies"):
        WebSettings(trusted_proxies=value)


def test_a_campus_toml_still_using_proxies_exits_2_naming_trusted_proxies(tmp_path):
    config = tmp_path / "campus.toml"
    config.write_text("[web]\nproxies = 1\n", encoding="utf-8")
    result = run_campus("--config", str(config), "doctor", env={})
    assert result.exit_code == 2
    assert "trusted_proxies" in result.output
    assert "Traceback" not in result.output
