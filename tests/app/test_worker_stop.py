"""SIGTERM to a real `campus worker` during a slow sync against the sandbox: it stops within
10 s (it was still running 76 s later), the sync stopped between two pages and recorded as
interrupted, its hour left undone for the next worker."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from sandbox.network import generate
from sandbox.server import SandboxServer
from tests.conftest import SANDBOX_TEST_KEY


def _lines(stream, into: queue.Queue) -> None:
    for line in stream:
        into.put(line)
    into.put(None)


def test_sigterm_during_a_slow_sync_stops_the_worker_within_ten_seconds(tmp_path):
    database = tmp_path / "campus.db"
    with SandboxServer(
        generate(1, "small"), api_key=SANDBOX_TEST_KEY, rate_limit_per_minute=0
    ) as server:
        (tmp_path / "campus.toml").write_text(
            f'[discourse]\nurl = "{server.url}"\nrequests_per_minute = 60\n', encoding="utf-8"
        )
        env = {
            **os.environ,
            "CAMPUS_DISCOURSE_API_KEY": SANDBOX_TEST_KEY,
            "CAMPUS_DATABASE_URL": f"sqlite:///{database}",
            "CAMPUS_LANG": "fr",
        }
        campus = Path(sys.executable).with_name("campus")
        process = subprocess.Popen(
            [str(campus), "--config", str(tmp_path / "campus.toml"), "worker"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=_lines, args=(process.stderr, lines), daemon=True).start()
        seen = []
        try:
            while not any("Tâche sync : démarrée" in line for line in seen):
                seen.append(lines.get(timeout=60))
            time.sleep(4)  # a few pages in, paced at one request a second
            os.kill(process.pid, signal.SIGTERM)
            stopped = time.monotonic()
            process.wait(timeout=30)
            elapsed = time.monotonic() - stopped
        finally:
            if process.poll() is None:
                process.kill()
        while (line := lines.get(timeout=5)) is not None:
            seen.append(line)
    log = "".join(seen)
    assert elapsed < 10, log
    assert process.returncode == 0
    assert "Tâche sync : interrompue" in log
    assert log.rstrip().endswith("Worker arrêté.")
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT outcome FROM sync_runs")).scalars().all() == [
            "interrupted"
        ]
        job = conn.execute(
            text("SELECT done_period, last_outcome FROM worker_jobs WHERE job = 'sync'")
        ).one()
    engine.dispose()
    assert job == (None, "interrupted")
