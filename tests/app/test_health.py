"""`/healthz`'s figures on SQLite and on a real PostgreSQL server: alive while the database can
be read and written (`busy` behind other writers), `down` when it refuses writes, and the
freshness of the sync, webhooks and jobs in the body without making it fail."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, text

from app.health import PROBE_WAIT_SECONDS, alive, fresh, health, worker_jobs
from sync.mirror import store
from sync.mirror.db import BUSY_TIMEOUT_SECONDS, connect, open_engine
from sync.mirror.schema import SyncRun
from sync.mirror.store import STATE_LAST_WEBHOOK
from tests.support.web_app import make_web_app

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def test_health_reads_the_last_sync_the_last_webhook_and_the_jobs(engine):
    with engine.begin() as connection:
        connection.execute(
            insert(SyncRun.__table__).values(
                started_at=datetime(2026, 11, 27, 11, 0),
                finished_at=datetime(2026, 11, 27, 11, 30),
                full=False,
                requests=5,
                outcome="success",
            )
        )
        connection.execute(
            text("INSERT INTO sync_state (key, value) VALUES (:k, :v)"),
            {"k": STATE_LAST_WEBHOOK, "v": "2026-11-27T11:59:00+00:00"},
        )
        store.record_done(
            connection, "pulse+report", "2026-11", datetime(2026, 11, 3, 6, 0, tzinfo=UTC)
        )
    result = health(engine, stale_after_hours=3, now=NOW)
    assert result["status"] == "ok" and result["database"] == "ok"
    assert result["last_sync_age_seconds"] == 1800 and result["sync_fresh"] is True
    assert result["last_webhook_age_seconds"] == 60
    job = result["jobs"]["pulse+report"]
    assert job["done_period"] == "2026-11" and job["last_outcome"] == "ok"
    assert job["done_age_seconds"] == 24 * 86400 + 6 * 3600
    assert "last_error" not in job  # /healthz is public: no error text
    dashboard = worker_jobs(engine, NOW)["pulse+report"]  # what /animation shows
    assert dashboard["last_error"] is None and dashboard["alert_owed"] is False
    assert dashboard["done_period"] == "2026-11"
    json.dumps(result)  # the body is JSON as it is
    stale = health(engine, stale_after_hours=0.25, now=NOW)
    assert alive(stale) and not fresh(stale)  # an old sync never makes /healthz fail


def test_a_read_only_database_is_down(tmp_path):
    path = tmp_path / "campus.db"
    connect(f"sqlite:///{path}").dispose()
    read_only = open_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    result = health(read_only, stale_after_hours=3, now=NOW)
    assert result["status"] == "down" and not alive(result)
    app = make_web_app(tmp_path, engine=read_only)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] in ("read_only", "unreachable")


def test_a_never_synced_mirror_is_alive_but_not_fresh(tmp_path):
    client = make_web_app(tmp_path).test_client()
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["database"] == "ok"
    assert response.json["sync_fresh"] is False
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/healthz/fresh").status_code == 503


READ_ONLY_CHECK = textwrap.dedent(
    """
    import json, sys
    from datetime import UTC, datetime
    from app.health import health
    from sync.mirror.db import open_engine
    print(json.dumps(health(open_engine(sys.argv[1]), 3, datetime(2026, 11, 27, 12, tzinfo=UTC))))
    """
)


READ_ONLY_MOUNT = (
    'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 97; shift; exec "$@"'
)


@pytest.mark.skipif(shutil.which("unshare") is None, reason="unshare (util-linux) is needed")
def test_a_database_on_a_read_only_file_system_is_down(tmp_path):
    """Reproduces /healthz answering 200 while every login and webhook answered 500: the
    database's folder is mounted read-only (as a full or read-only disk), in a mount namespace
    of the checking process alone."""
    url = f"sqlite:///{tmp_path / 'campus.db'}"
    connect(url).dispose()
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", READ_ONLY_MOUNT, "sh", str(tmp_path)]
        + [sys.executable, "-c", READ_ONLY_CHECK, url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if result.returncode == 97 or "unshare failed" in result.stderr:
        pytest.skip(f"cannot mount read-only here: {result.stderr.strip()}")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["status"] == "down" and not alive(body)


def test_a_write_probe_waiting_behind_another_writer_reports_busy_and_stays_alive(tmp_path):
    path = tmp_path / "campus.db"
    engine = connect(f"sqlite:///{path}")
    holding, release = threading.Event(), threading.Event()

    def writer():
        with engine.connect() as conn:
            raw = conn.connection.driver_connection
            raw.execute("BEGIN IMMEDIATE")
            holding.set()
            release.wait(10)
            raw.execute("ROLLBACK")

    thread = threading.Thread(target=writer)
    thread.start()
    holding.wait(5)
    started = time.monotonic()
    try:
        result = health(engine, stale_after_hours=3, now=NOW)
    finally:
        release.set()
        thread.join()
    waited = time.monotonic() - started
    assert result["status"] == "busy" and result["database"] == "busy" and alive(result)
    assert PROBE_WAIT_SECONDS * 0.9 <= waited < PROBE_WAIT_SECONDS + 3
    # and the connection got its usual wait back for the writers that use it next
    with engine.connect() as conn:
        assert (
            conn.connection.driver_connection.execute("PRAGMA busy_timeout").fetchone()[0]
            == BUSY_TIMEOUT_SECONDS * 1000
        )
    assert health(engine, stale_after_hours=3, now=NOW)["database"] == "ok"
    engine.dispose()
