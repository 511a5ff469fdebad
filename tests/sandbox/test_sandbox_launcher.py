"""`python -m sandbox` prints where it listens and how to use it, never the key itself."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from sandbox.server import API_KEY_ENV
from tests.conftest import free_port

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
PYTHON_M_SANDBOX = [sys.executable, "-m", "sandbox"]
CAMPUS_SANDBOX = [str(Path(sys.executable).with_name("campus")), "sandbox"]  # console script


def _launch(
    port: int, env_key: str | None, lang: str = "fr", launcher: list[str] = PYTHON_M_SANDBOX
) -> tuple[subprocess.Popen, list[str]]:
    env = {key: value for key, value in os.environ.items() if key != API_KEY_ENV}
    env["CAMPUS_LANG"] = lang
    if env_key:
        env[API_KEY_ENV] = env_key
    command = [*launcher, "--port", str(port), "--rate-limit", "0"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    lines = [process.stdout.readline() for _ in range(6)]
    return process, lines


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=10)
    process.stdout.close()


@pytest.mark.parametrize("launcher", [PYTHON_M_SANDBOX, CAMPUS_SANDBOX], ids=["python-m", "campus"])
def test_launcher_prints_url_and_never_the_key(launcher):
    port = free_port()
    process, lines = _launch(port, "secret-key-never-shown", launcher=launcher)
    try:
        text = "".join(lines)
        assert f"http://127.0.0.1:{port}" in text
        assert "secret-key-never-shown" not in text
        assert "CAMPUS_DISCOURSE_URL" in text
        headers = {"Api-Key": "secret-key-never-shown", "Api-Username": "system"}
        assert (
            requests.get(
                f"http://127.0.0.1:{port}/site.json", headers=headers, timeout=10
            ).status_code
            == 200
        )
    finally:
        _stop(process)


def test_launcher_gives_a_ready_export_line_with_the_public_default_key():
    port = free_port()
    process, lines = _launch(port, None, lang="en")
    try:
        assert lines[2].strip() == (
            f"export CAMPUS_DISCOURSE_URL=http://127.0.0.1:{port}"
            " CAMPUS_DISCOURSE_API_KEY=sandbox-admin-key"
        )
        assert "default key" in lines[3]
    finally:
        _stop(process)


def test_launcher_points_at_a_key_chosen_in_the_environment_without_printing_it():
    process, lines = _launch(free_port(), "secret-key-never-shown")
    try:
        assert lines[2].strip().endswith('CAMPUS_DISCOURSE_API_KEY="$CAMPUS_SANDBOX_API_KEY"')
        assert "CAMPUS_SANDBOX_API_KEY" in lines[3]
    finally:
        _stop(process)
