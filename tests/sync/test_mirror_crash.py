"""SIGKILL a `campus sync` at random instants, run it again: exactly the forum, nothing doubled."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sync.db import connect
from tests.conftest import SANDBOX_TEST_KEY
from tests.db.mirror_support import counts, dump, make_api, sync

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
CONFIG = """
[discourse]
requests_per_minute = 1000000
[sync]
reconcile_days = 3650
"""
KILLS = 5


def campus_sync(tmp_path: Path, url: str, db_url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "CAMPUS_DISCOURSE_URL": url,
        "CAMPUS_DISCOURSE_API_KEY": SANDBOX_TEST_KEY,
        "CAMPUS_DATABASE_URL": db_url,
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-c", "import cli; cli.main()", "--config", "campus.toml", "sync"]
    return subprocess.Popen(
        [*command, "--json"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def test_sigkill_at_random_points_then_rerun_converges(db_url, sandbox_server, tmp_path):
    (tmp_path / "campus.toml").write_text(CONFIG, encoding="utf-8")
    rng = random.Random(2026)
    killed = 0
    for _ in range(KILLS):
        process = campus_sync(tmp_path, sandbox_server.url, db_url)
        time.sleep(rng.uniform(0.8, 5.0))
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            killed += 1
        process.communicate(timeout=60)
    final = campus_sync(tmp_path, sandbox_server.url, db_url)
    _out, err = final.communicate(timeout=300)
    assert final.returncode == 0, err.decode()

    mirror = connect(db_url)
    reference = connect(f"sqlite:///{tmp_path / 'reference.db'}")
    sync(reference, make_api(sandbox_server.url, SANDBOX_TEST_KEY))
    try:
        assert killed >= 3
        assert counts(mirror) == sandbox_server.state.truth()
        assert dump(mirror) == dump(reference)
    finally:
        mirror.dispose()
        reference.dispose()
