"""SIGKILL a `campus sync` at random instants, run it again: exactly the forum, nothing doubled.

The kill instants are drawn among the sync's own progress: after a random number of progress
lines on stderr (each printed after a commit), plus a random few milliseconds, so that kills
land in every step (groups, users, posts pages, listing, re-reads) and inside transactions.
Between runs the sandbox gets new posts, deletions, likes and answers, so each run has work.
A run that ends before its kill instant (a loaded machine reads its progress late) is not
counted: runs go on, each with fresh work, until `KILLS` of them were really killed (exit by
SIGKILL), within `MAX_RUNS`.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from sandbox.activity import apply
from sync.mirror.db import connect
from sync.mirror.schema import SyncRun
from tests.conftest import SANDBOX_TEST_KEY
from tests.support.mirror import counts, dump, make_api, sync

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
CONFIG = """
[discourse]
requests_per_minute = 1000000
[sync]
reconcile_days = 3650
"""
KILLS = 6
MAX_RUNS = 3 * KILLS


def campus_sync(tmp_path: Path, url: str, db_url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "CAMPUS_DISCOURSE_URL": url,
        "CAMPUS_DISCOURSE_API_KEY": SANDBOX_TEST_KEY,
        "CAMPUS_DATABASE_URL": db_url,
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-c", "import cli; cli.main()", "--config", "campus.toml", "-v"]
    return subprocess.Popen(
        [*command, "sync", "--json"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_after_progress(process: subprocess.Popen, lines: int, extra_seconds: float) -> str:
    """SIGKILL once `lines` progress lines were printed, a bit later; the rest of stderr."""
    for _ in range(lines):
        if not process.stderr.readline():
            break
    else:
        time.sleep(extra_seconds)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
    return process.communicate(timeout=120)[1]


def test_sigkill_at_random_points_then_rerun_converges(db_url, sandbox_server, tmp_path):
    (tmp_path / "campus.toml").write_text(CONFIG, encoding="utf-8")
    # the schema first: else, on PostgreSQL (transactional DDL), every kill fell inside the
    # first run's migrations, which print more progress lines than the kill waits for
    connect(db_url).dispose()
    rng = random.Random(2026)
    killed = runs = 0
    while killed < KILLS:
        assert runs < MAX_RUNS, f"only {killed} of {runs} runs were killed before they ended"
        if runs:  # fresh work for this run: new posts, deletions, likes, answers
            apply(sandbox_server.state, seed=runs, new_posts=120, deletes=4, likes=15, accepts=2)
        process = campus_sync(tmp_path, sandbox_server.url, db_url)
        err = kill_after_progress(process, rng.randint(3, 12), rng.uniform(0.0, 0.05))
        assert process.returncode in (0, -signal.SIGKILL), err  # a run that was not killed works
        killed += process.returncode == -signal.SIGKILL
        runs += 1
    final = campus_sync(tmp_path, sandbox_server.url, db_url)
    _out, err = final.communicate(timeout=300)
    assert final.returncode == 0, err

    mirror = connect(db_url)
    reference = connect(f"sqlite:///{tmp_path / 'reference.db'}")
    sync(reference, make_api(sandbox_server.url, SANDBOX_TEST_KEY))
    try:
        assert counts(mirror) == sandbox_server.state.truth()
        assert dump(mirror) == dump(reference)
        with mirror.connect() as conn:  # each killed run was marked when the next one started
            outcomes = list(conn.execute(select(SyncRun.outcome)).scalars())
        assert "running" not in outcomes and "interrupted" in outcomes
        assert outcomes.count("interrupted") <= killed
    finally:
        mirror.dispose()
        reference.dispose()
