"""`campus doctor` against a sandbox forum: all is well with the admin key; a wrong key fails,
names the user and never prints the key."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from sandbox.network import generate
from tests.conftest import ROOT, free_port, run_campus

pytestmark = pytest.mark.integration

WRONG_KEY = "not-the-sandbox-key-5f1c"


@pytest.fixture(autouse=True)
def no_campus_toml(tmp_path, monkeypatch):
    """Run where there is no campus.toml: the environment alone configures Campus."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CAMPUS_CONFIG", raising=False)


def doctor(url: str, key: str):
    env = {"CAMPUS_DISCOURSE_URL": url, "CAMPUS_DISCOURSE_API_KEY": key}
    return run_campus("doctor", env=env)


def test_doctor_on_the_sandbox_says_all_is_well_only_when_everything_is(sandbox_server, tmp_path):
    result = doctor(sandbox_server.url, sandbox_server.api_key)
    configuration, forum, web, verdict = result.output.rstrip().split("\n\n")
    lines = forum.splitlines()
    assert result.exit_code == 0, result.output
    assert lines[0] == "Forum :" and len(lines) == 8
    assert all(line.startswith("[OK] ") for line in lines[1:]), result.output
    # no campus.toml, no CSV, no web secret: it works, but it is not ready
    assert "[ATTENTION]" in configuration and "[ATTENTION]" in web
    assert "Tout est prêt" not in result.output
    assert verdict.startswith("Campus peut fonctionner ;")

    network = generate(1, "small")
    (tmp_path / "cooperatives.csv").write_text(network.cooperatives_csv, encoding="utf-8")
    (tmp_path / "roster.csv").write_text(network.roster_csv, encoding="utf-8")
    (tmp_path / "campus.toml").write_text(
        f'[discourse]\nurl = "{sandbox_server.url}"\n[web]\nbase_url = "http://127.0.0.1:8080"\n',
        encoding="utf-8",
    )
    sandbox_server.enable_connect("connect-secret-for-doctor-012345")
    env = {**WEB_SECRETS, "CAMPUS_WEBHOOK_SECRET": "webhook-secret-for-doctor-0123456"}
    ready = run_campus("doctor", env={"CAMPUS_DISCOURSE_API_KEY": sandbox_server.api_key, **env})
    assert ready.exit_code == 0, ready.output
    assert "[ATTENTION]" not in ready.output, ready.output
    assert ready.output.rstrip().splitlines()[-1] == "Tout est prêt."


def test_doctor_flags_the_examples_of_init_and_a_bad_csv(sandbox_server, tmp_path):
    assert run_campus("init", str(tmp_path)).exit_code == 0
    result = doctor(sandbox_server.url, sandbox_server.api_key)
    configuration = result.output.split("\n\n")[0]
    assert "cooperatives.csv : ce sont encore les exemples de « campus init »" in configuration
    assert "roster.csv : ce sont encore les exemples de « campus init »" in configuration
    assert (
        "[web] base_url = https://campus.example.org : c'est l'adresse d'exemple" in configuration
    )
    assert "Tout est prêt" not in result.output
    assert result.exit_code == 0  # warnings: Campus can work
    without_env_url = run_campus("doctor", env={"CAMPUS_DISCOURSE_API_KEY": "k" * 32})
    assert "[discourse] url = https://forum.example.org : c'est l'adresse d'exemple" in (
        without_env_url.output
    )
    (tmp_path / "roster.csv").write_text(
        "username,email,cooperative,role\nlea,,coop-inconnue,entrepreneur\n", encoding="utf-8"
    )
    broken = doctor(sandbox_server.url, sandbox_server.api_key)
    assert "[ÉCHEC]" in broken.output and "roster.csv" in broken.output
    assert "coop-inconnue" in broken.output
    assert broken.exit_code == 1
    assert broken.output.rstrip().splitlines()[-1].startswith("1 problème bloquant")


def test_doctor_with_a_wrong_key_fails_naming_the_user(sandbox_server):
    result = doctor(sandbox_server.url, WRONG_KEY)
    assert result.exit_code == 1
    assert "« system »" in result.output
    assert "[ÉCHEC] Clé d'API acceptée" in result.output


def test_doctor_with_a_wrong_key_never_prints_it(sandbox_server):
    result = doctor(sandbox_server.url, WRONG_KEY)
    assert WRONG_KEY not in result.output
    assert sandbox_server.api_key not in result.output


WEB_SECRETS = {
    "CAMPUS_WEB_SECRET": "web-secret-for-doctor-0123456789",
    "CAMPUS_DISCOURSE_CONNECT_SECRET": "connect-secret-for-doctor-012345",
}


def test_doctor_checks_the_web_secrets_and_says_what_to_set_in_discourse(sandbox_server):
    env = {
        "CAMPUS_DISCOURSE_URL": sandbox_server.url,
        "CAMPUS_DISCOURSE_API_KEY": sandbox_server.api_key,
        **WEB_SECRETS,
    }
    result = run_campus("doctor", env={**env, "CAMPUS_WEBHOOK_SECRET": ""})
    web = result.output.split("\n\n")[2]
    assert "[OK] CAMPUS_WEB_SECRET est définie." in web
    assert "[ATTENTION] CAMPUS_WEBHOOK_SECRET n'est pas définie." in web
    assert "enable_discourse_connect_provider est désactivé" in web
    assert "discourse_connect_provider_secrets" in web
    assert "/webhooks/discourse" in web
    for secret in WEB_SECRETS.values():
        assert secret not in result.output
    sandbox_server.enable_connect("whatever-secret-0123456789")
    result = run_campus("doctor", env=env)
    assert "[OK] Le forum sert de fournisseur d'identité (DiscourseConnect)." in result.output


# `campus doctor` timed inside the process, so that a loaded machine's slow imports do not count
TIMED_DOCTOR = """
import sys, time
import cli
started = time.monotonic()
try:
    cli.main(["doctor"])
except SystemExit as stop:
    status = stop.code
print(f"ELAPSED {time.monotonic() - started}", file=sys.stderr)
sys.exit(status)
"""


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:{port}", "http://forum-campus.invalid"], ids=["refused", "unknown"]
)
def test_doctor_on_an_unreachable_forum_fails_in_seconds_saying_each_retry_once(tmp_path, url):
    url = url.format(port=free_port())
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CAMPUS_LANG": "fr",
        "CAMPUS_DISCOURSE_URL": url,
        "CAMPUS_DISCOURSE_API_KEY": WRONG_KEY,
    }
    env.pop("CAMPUS_CONFIG", None)
    result = subprocess.run(
        [sys.executable, "-c", TIMED_DOCTOR],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    elapsed = float(result.stderr.rsplit("ELAPSED ", 1)[1])  # the doctor run, not Python's start
    assert result.returncode == 1, result.stderr
    assert elapsed < 12, f"{elapsed:.0f} s"
    lines = (result.stdout + result.stderr.rsplit("ELAPSED ", 1)[0]).splitlines()
    retries = [line for line in lines if "nouvel essai" in line]
    assert len(retries) <= 1
    assert not [line for line in lines if "retry" in line.lower()]  # no English twin
    assert "Traceback" not in result.stderr
