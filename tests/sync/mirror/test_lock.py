"""One sync at a time per database; the lock dies with its process, even on SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from core.errors import LockError
from sync.mirror.lock import acquire_lock, advisory_key, sqlite_path
from tests.conftest import run_campus

HOLD_LOCK = """
import sys, time
from sync.mirror.lock import acquire_lock
with acquire_lock(sys.argv[1], "sync"):
    print("locked", flush=True)
    time.sleep(120)
"""


def test_a_second_holder_is_refused_in_french(db_url):
    with (
        acquire_lock(db_url, "sync"),
        pytest.raises(LockError, match="Une autre exécution de Campus \\(sync\\)"),
        acquire_lock(db_url, "sync"),
    ):
        pass


def test_locks_of_different_names_do_not_collide(db_url):
    with acquire_lock(db_url, "sync"), acquire_lock(db_url, "worker"):
        pass


def test_the_lock_is_free_again_after_release(db_url):
    with acquire_lock(db_url, "sync"):
        pass
    with acquire_lock(db_url, "sync"):
        pass


def test_a_killed_holder_releases_the_lock(db_url):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, db_url], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(LockError), acquire_lock(db_url, "sync"):
            pass
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)
        with acquire_lock(db_url, "sync"):
            pass
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.stdout.close()


def test_campus_sync_refuses_while_another_sync_runs(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'campus.db'}"
    monkeypatch.setenv("CAMPUS_DATABASE_URL", url)
    monkeypatch.setenv("CAMPUS_DISCOURSE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("CAMPUS_DISCOURSE_API_KEY", "unused-key-0123456789")

    with acquire_lock(url, "sync"):
        (tmp_path / "campus.toml").write_text("", encoding="utf-8")
        result = run_campus("--config", str(tmp_path / "campus.toml"), "sync")

    assert result.exit_code == 1
    assert "Une autre exécution de Campus" in result.output


def test_sqlite_lock_file_sits_next_to_the_database(tmp_path):
    assert sqlite_path(f"sqlite:///{tmp_path}/campus.db") == tmp_path / "campus.db"
    assert sqlite_path("sqlite://") is None


def test_advisory_keys_are_stable_and_distinct_per_name():
    assert advisory_key("sync") == advisory_key("sync")
    assert advisory_key("sync") != advisory_key("worker")
    assert -(2**63) <= advisory_key("sync") < 2**63
