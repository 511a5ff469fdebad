"""Shared fixtures: a Discourse sandbox, in a subprocess (session) or in a thread (per test).

`sandbox_process` runs `python -m sandbox --size small --seed 1 --rate-limit 0` once per test
session; `sandbox_server` gives each test a fresh in-thread `SandboxServer` on a small network.
Both expose `url`, `api_key` and helpers around the `/_sandbox/` control endpoints.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner, Result

import cli
from sandbox.network import generate
from sandbox.server import API_KEY_ENV, SandboxServer
from tests.support.clock import frozen_at

# the PostgreSQL server and the `db_url` fixture (SQLite file and PostgreSQL): tests/support/postgres
pytest_plugins = ["tests.support.postgres"]

ROOT = Path(__file__).resolve().parent.parent
SANDBOX_TEST_KEY = "sandbox-test-key"


def control_headers(api_key: str = SANDBOX_TEST_KEY) -> dict[str, str]:
    """The headers the sandbox's `/_sandbox/` control endpoints ask for (the API's own)."""
    return {"Api-Key": api_key, "Api-Username": "system"}


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class SandboxHandle:
    """A running sandbox reached over HTTP: its URL, key and control-endpoint helpers."""

    url: str
    api_key: str

    def _control(self, method: str, name: str, payload: dict | None = None) -> dict:
        response = requests.request(
            method,
            f"{self.url}/_sandbox/{name}",
            json=payload,
            headers=control_headers(self.api_key),
            timeout=30,
        )
        response.raise_for_status()
        return response.json()

    def stats(self) -> dict:
        """Request counters by route, total and writes."""
        return self._control("GET", "stats")

    def reset_stats(self) -> dict:
        """Zero the request counters."""
        return self._control("POST", "stats/reset")

    def truth(self) -> dict:
        """Ground-truth counts with the definitions of `campus stats --json`."""
        return self._control("GET", "truth")

    def set_faults(self, **config) -> dict:
        """Configure fault injection; no arguments clears it."""
        return self._control("POST", "faults", config)

    def set_rate_limit(self, per_minute: int) -> dict:
        """Change the admin API limit (0 = off)."""
        return self._control("POST", "rate-limit", {"per_minute": per_minute})

    def activity(self, **mutations) -> dict:
        """Deterministic new posts/edits/deletes/accepts/likes; returns what was done."""
        return self._control("POST", "activity", mutations)

    def votes(self, post_id: int, poll_name: str, votes: dict[str, list[str]]) -> dict:
        """Cast poll votes as the given users."""
        return self._control(
            "POST", "votes", {"post_id": post_id, "poll_name": poll_name, "votes": votes}
        )

    def export(self) -> dict:
        """The whole forum state."""
        return self._control("GET", "export")


@pytest.fixture
def frozen_clock():
    """The wall clock as the fixtures' data expect it (early November 2026); see tests/support/clock."""
    with frozen_at() as moment:
        yield moment


# fixtures that reach a real sandbox over HTTP, a real database file or server, or a browser
INTEGRATION_FIXTURES = frozenset(
    {"sandbox_process", "sandbox_server", "campus_cli", "db_url", "engine", "site", "browser"}
)


def pytest_collection_modifyitems(items) -> None:
    """Mark from the fixtures a test uses: `dated` when it freezes the clock (CI also runs these
    a year ahead under faketime), `integration` when it reaches a real process, database or
    browser (`pytest -m "not integration"` runs the fast unit tests alone)."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if "frozen_clock" in names:
            item.add_marker(pytest.mark.dated)
        if names & INTEGRATION_FIXTURES:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def sandbox_process():
    """A `python -m sandbox` subprocess (small network, seed 1, no rate limit) for the session."""
    port = free_port()
    env = {**os.environ, API_KEY_ENV: SANDBOX_TEST_KEY}
    command = [
        sys.executable,
        "-m",
        "sandbox",
        "--port",
        str(port),
        "--size",
        "small",
        "--seed",
        "1",
    ]
    process = subprocess.Popen(
        [*command, "--rate-limit", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    handle = SandboxHandle(f"http://127.0.0.1:{port}", SANDBOX_TEST_KEY)
    deadline = time.monotonic() + 30
    while True:
        try:
            handle.stats()
            break
        except requests.RequestException:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(
                    "the sandbox subprocess did not start: " + process.stderr.read().decode()
                ) from None
            time.sleep(0.1)
    yield handle
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def sandbox_server():
    """A fresh in-thread `SandboxServer` on the small network (seed 1), rate limit off."""
    server = SandboxServer(generate(1, "small"), api_key=SANDBOX_TEST_KEY, rate_limit_per_minute=0)
    with server:
        yield server


def run_campus(
    *args: str, env: dict[str, str | None] | None = None, input: str | None = None
) -> Result:
    """Run `campus …` in-process as a terminal shows it, in French unless `env` says otherwise.

    `env` adds to (or, with None, removes from) the process environment for this run only;
    `input` is what the person types. The program is named `campus` in usage lines.
    """
    return CliRunner().invoke(
        cli.main,
        list(args),
        env={"CAMPUS_LANG": "fr", **(env or {})},
        input=input,
        prog_name="campus",
    )


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where the browser tests keep their screenshots: `$CAMPUS_SCREENSHOTS_DIR` (the README's
    come from `CAMPUS_SCREENSHOTS_DIR=docs`), else a temporary folder."""
    folder = Path(os.environ.get("CAMPUS_SCREENSHOTS_DIR") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def campus_cli(tmp_path, monkeypatch, sandbox_server):
    """Run `campus …` in-process against the per-test sandbox with a SQLite mirror in tmp_path.

    No client budget and a reconciliation window over the whole generated year; every run's
    output is checked for the API key, which must never appear.
    """
    (tmp_path / "campus.toml").write_text(
        "[discourse]\nrequests_per_minute = 1000000\n[sync]\nreconcile_days = 3650\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CAMPUS_DISCOURSE_URL", sandbox_server.url)
    monkeypatch.setenv("CAMPUS_DISCOURSE_API_KEY", SANDBOX_TEST_KEY)
    monkeypatch.setenv("CAMPUS_DATABASE_URL", f"sqlite:///{tmp_path / 'campus.db'}")

    def run(*args: str, input: str | None = None):
        result = run_campus("--config", str(tmp_path / "campus.toml"), *args, input=input)
        assert SANDBOX_TEST_KEY not in result.output
        return result

    return run
