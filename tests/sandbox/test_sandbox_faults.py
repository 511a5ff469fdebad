"""Seeded fault injection: Discourse-like 429s, nginx 5xx, stalls and dropped connections."""

from __future__ import annotations

import time

import pytest
import requests

from sandbox.limits import FaultConfig, FaultInjector
from tests.conftest import control_headers


def test_same_seed_gives_same_faults():
    config = {"seed": 7, "rate_limit": 0.2, "bad_gateway": 0.2, "drop": 0.1}
    first = FaultInjector(FaultConfig.from_dict(config))
    second = FaultInjector(FaultConfig.from_dict(config))
    assert [first.draw() for _ in range(200)] == [second.draw() for _ in range(200)]


def test_fault_rates_follow_probabilities():
    injector = FaultInjector(FaultConfig.from_dict({"seed": 1, "unavailable": 0.25}))
    draws = [injector.draw() for _ in range(4000)]
    assert 0.22 < draws.count("unavailable") / len(draws) < 0.28


def test_unknown_fault_setting_is_refused():
    with pytest.raises(ValueError):
        FaultConfig.from_dict({"explode": 1})


def test_sequence_forces_faults_in_order(api, sandbox_server):
    sandbox_server.set_faults(sequence=["bad_gateway", "unavailable", ""])
    assert [api.get("/site.json").status_code for _ in range(4)] == [502, 503, 200, 200]


def test_bad_gateway_body_is_nginx_html(api, sandbox_server):
    sandbox_server.set_faults(sequence=["bad_gateway"])
    response = api.get("/latest.json")
    assert response.headers["Content-Type"] == "text/html"
    assert "502 Bad Gateway" in response.text


def test_json_rate_limit_fault_has_retry_after_and_extras(api, sandbox_server):
    sandbox_server.set_faults(sequence=["rate_limit"], retry_after=3)
    response = api.get("/latest.json")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3"
    assert response.json()["extras"]["wait_seconds"] == 3


def test_ip_rate_limit_fault_is_plain_text(api, sandbox_server):
    sandbox_server.set_faults(sequence=["ip_rate_limit"], retry_after=10)
    response = api.get("/latest.json")
    assert response.status_code == 429
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.headers["Discourse-Rate-Limit-Error-Code"] == "ip_10_secs_limit"
    assert response.text == (
        "Slow down, you're making too many requests.\nPlease retry again in 10 seconds.\nError code: ip_10_secs_limit.\n"
    )


def test_stall_delays_the_answer(api, sandbox_server):
    sandbox_server.set_faults(sequence=["stall"], stall_seconds=0.5)
    started = time.monotonic()
    assert api.get("/site.json").status_code == 200
    assert time.monotonic() - started >= 0.5


def test_drop_cuts_the_body(api, sandbox_server):
    sandbox_server.set_faults(sequence=["drop"])
    with pytest.raises(requests.exceptions.ChunkedEncodingError, match="IncompleteRead"):
        api.get("/latest.json")
    assert api.get("/latest.json").status_code == 200


def test_faults_never_touch_control_endpoints(sandbox_server):
    sandbox_server.set_faults(bad_gateway=1.0)
    assert (
        requests.get(
            sandbox_server.url + "/_sandbox/stats", headers=control_headers(), timeout=10
        ).status_code
        == 200
    )


def test_faults_are_counted(api, sandbox_server):
    sandbox_server.reset_stats()
    sandbox_server.set_faults(sequence=["bad_gateway"])
    api.get("/site.json")
    stats = sandbox_server.stats()
    assert stats["faults"] == {"bad_gateway": 1}
    assert stats["statuses"] == {"502": 1}


def test_empty_config_clears_faults(api, sandbox_server):
    sandbox_server.set_faults(bad_gateway=1.0)
    sandbox_server.set_faults()
    assert api.get("/site.json").status_code == 200


def test_faults_via_control_endpoint(api, sandbox_server):
    requests.post(
        sandbox_server.url + "/_sandbox/faults",
        json={"sequence": ["unavailable"]},
        headers=control_headers(),
        timeout=10,
    )
    assert api.get("/site.json").status_code == 503
    bad = requests.post(
        sandbox_server.url + "/_sandbox/faults",
        json={"nope": 1},
        headers=control_headers(),
        timeout=10,
    )
    assert bad.status_code == 422


def test_burst_turns_a_drawn_429_into_a_storm():
    injector = FaultInjector(FaultConfig.from_dict({"seed": 4, "rate_limit": 0.05, "burst": 5}))
    draws = [injector.draw() for _ in range(400)]
    first = draws.index("rate_limit")
    assert draws[first : first + 5] == ["rate_limit"] * 5
