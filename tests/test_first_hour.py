"""The animator's first hour, as docs/animateur.md tells it, with the real `campus` command in
subprocesses against a real sandbox server: nothing read where nothing is configured, then
`init` → `sandbox --export` → `doctor` → `provision` → `members` → `sync` → `report` → `serve`,
and the animator logged in on `/animation`."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import control_headers, free_port

pytestmark = pytest.mark.integration

SANDBOX_KEY = "first-hour-sandbox-key-0123456789"
SECRETS = {
    "CAMPUS_WEB_SECRET": "first-hour-web-secret-0123456789abcdef",
    "CAMPUS_DISCOURSE_CONNECT_SECRET": "first-hour-connect-secret-0123456789",
    "CAMPUS_WEBHOOK_SECRET": "first-hour-webhook-secret-0123456789",
}
MONTH = "2026-10"  # the sandbox's network ends on 31 October 2026


def campus_command() -> list[str]:
    """The installed `campus` console script (the one an animator types)."""
    script = Path(sys.executable).with_name("campus")
    found = str(script) if script.exists() else shutil.which("campus")
    assert found, "the campus console script is not installed (pip install -e .)"
    return [found]


@pytest.fixture
def animator_env(tmp_path):
    """The environment of the animator's shell: French, no campus.toml named, the sandbox's key."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("CAMPUS_") or key == "CAMPUS_REQUIRE_CHROMIUM"
    }
    return {
        **env,
        "CAMPUS_LANG": "fr",
        "CAMPUS_SANDBOX_API_KEY": SANDBOX_KEY,
        "CAMPUS_DISCOURSE_API_KEY": SANDBOX_KEY,
        # the sandbox's login provider on, with the secret Campus checks logins with
        "CAMPUS_SANDBOX_CONNECT_SECRET": SECRETS["CAMPUS_DISCOURSE_CONNECT_SECRET"],
        **SECRETS,
    }


def run(folder: Path, env: dict, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*campus_command(), *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def wait_for(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            requests.get(url, timeout=5)
            return
        except requests.RequestException:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                output = process.communicate()
                raise AssertionError(f"{url} never answered: {output}") from None
            time.sleep(0.2)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_reading_commands_refuse_to_create_a_mirror_nothing_names(tmp_path, animator_env):
    for command in (["report"], ["score"], ["stats"], ["pulse", "status"]):
        result = run(tmp_path, animator_env, *command)
        assert result.returncode == 2, (command, result.stderr)
        assert "campus init" in result.stderr and "--config" in result.stderr
        assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # no campus.db, nothing else


def test_the_animators_first_hour_on_the_sandbox(tmp_path, animator_env):
    env = animator_env
    folder = tmp_path / "reseau"
    init = run(tmp_path, env, "init", str(folder))
    assert init.returncode == 0, init.stderr
    examples = (folder / "roster.csv").read_text(encoding="utf-8")

    sandbox_port, campus_port = free_port(), free_port()
    sandbox = subprocess.Popen(
        [*campus_command(), "sandbox", "--port", str(sandbox_port), "--rate-limit", "0"]
        + ["--export", "."],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    serve = None
    try:
        wait_for(sandbox_url + "/about.json", sandbox)
        roster = (folder / "roster.csv").read_text(encoding="utf-8")
        assert roster != examples and "marie.durand" not in roster

        # doctor flags the examples left in campus.toml, and is not « prêt » above them
        doctor = run(folder, env, "doctor")
        assert "[web] base_url = https://campus.example.org" in doctor.stdout
        assert "[discourse] url = https://forum.example.org" in doctor.stdout
        assert "Tout est prêt" not in doctor.stdout
        config = folder / "campus.toml"
        text = config.read_text(encoding="utf-8")
        text = text.replace('url = "https://forum.example.org"', f'url = "{sandbox_url}"')
        text = text.replace(
            'base_url = "https://campus.example.org"',
            f'base_url = "http://127.0.0.1:{campus_port}"',
        )
        config.write_text(text, encoding="utf-8")
        doctor = run(folder, env, "doctor")
        assert doctor.returncode == 0, doctor.stdout + doctor.stderr
        assert "[ATTENTION]" not in doctor.stdout, doctor.stdout
        assert doctor.stdout.rstrip().splitlines()[-1] == "Tout est prêt."
        # the sandbox has no limit (--rate-limit 0): no client budget either, to go faster
        text = text.replace("requests_per_minute = 60", "requests_per_minute = 0")
        config.write_text(text, encoding="utf-8")

        provision = run(folder, env, "provision", "--json")
        assert provision.returncode == 0, provision.stderr
        assert json.loads(provision.stdout)["created"] == 0  # the sandbox is provisioned
        members = run(folder, env, "members", "--json")
        assert members.returncode == 0, members.stderr
        assert json.loads(members.stdout)["unknown_users"] == []
        sync = run(folder, env, "sync", "--json")
        assert sync.returncode == 0, sync.stderr
        assert json.loads(sync.stdout)["topics"] > 0
        report = run(folder, env, "report", "--month", MONTH)
        assert report.returncode == 0, report.stderr
        assert (folder / "rapports" / MONTH / "network.html").is_file()

        serve = subprocess.Popen(
            [*campus_command(), "serve", "--port", str(campus_port)],
            cwd=folder,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        campus_url = f"http://127.0.0.1:{campus_port}"
        wait_for(campus_url + "/healthz", serve)
        assert requests.get(campus_url + "/healthz", timeout=10).json()["status"] == "ok"
        login = requests.post(
            sandbox_url + "/_sandbox/login-as",
            json={"username": "animation"},
            headers=control_headers(SANDBOX_KEY),
            timeout=10,
        )
        assert login.status_code == 200, login.text
        browser = requests.Session()
        page = browser.get(campus_url + "/login", params={"next": "/animation"}, timeout=30)
        assert page.status_code == 200 and page.url.endswith("/animation")
        assert "Animation du réseau" in page.text
        assert "octobre 2026" in page.text
        reports = browser.get(campus_url + "/rapports", timeout=30).text
        slugs = re.findall(r"^([a-z0-9-]+),", (folder / "cooperatives.csv").read_text(), re.M)
        assert all(f"/rapports/{MONTH}/{slug}" in reports for slug in slugs[1:])
    finally:
        if serve is not None:
            stop(serve)
        stop(sandbox)
