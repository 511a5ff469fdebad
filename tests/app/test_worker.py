"""`campus worker`: schedule, outcomes logged, one worker at a time, clean stop on SIGTERM."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.worker import Job, Worker, retry_delay
from core.errors import CampusError, LockError
from sync.mirror import store
from sync.mirror.db import connect
from sync.mirror.lock import acquire_lock


def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'campus.db'}"


def at(text: str):
    return lambda: datetime.fromisoformat(text).astimezone(UTC)


def test_run_once_runs_every_job_in_order_and_survives_failures(tmp_path, caplog):
    done = []

    def broken():
        raise CampusError("forum unreachable")

    jobs = [
        Job("sync", lambda: done.append("sync") or {"posts": 3}, "hourly"),
        Job("score", broken, "daily"),
        Job("report", lambda: done.append("report"), "monthly"),
    ]
    with caplog.at_level(logging.INFO, logger="campus.worker"):
        records = Worker(jobs, url(tmp_path), clock=at("2026-11-02T07:00:00+01:00")).run_once()
    assert done == ["sync", "report"]
    assert [(r.job, r.outcome) for r in records] == [
        ("sync", "ok"),
        ("score", "failed"),
        ("report", "ok"),
    ]
    assert "Tâche score : échec" in caplog.text and "forum unreachable" in caplog.text
    assert "Tâche sync : réussie" in caplog.text and "{'posts': 3}" in caplog.text


def test_a_job_refused_by_a_lock_is_skipped(tmp_path):
    def busy():
        raise LockError("another sync runs")

    record = Worker([Job("sync", busy, "hourly")], url(tmp_path)).run_once()[0]
    assert record.outcome == "skipped"


def test_a_second_worker_refuses_to_start(tmp_path):
    worker = Worker([Job("sync", lambda: None, "hourly")], url(tmp_path))
    with acquire_lock(url(tmp_path), "worker"), pytest.raises(LockError):
        worker.run_once()


def test_jobs_may_take_their_own_lock_inside_the_worker(tmp_path):
    def sync():
        with acquire_lock(url(tmp_path), "sync"):
            return "synced"

    record = Worker([Job("sync", sync, "hourly")], url(tmp_path)).run_once()[0]
    assert record.outcome == "ok"


@pytest.mark.parametrize(
    "now, due",
    [
        ("2026-11-01T05:59:00+01:00", False),  # the 1st, before 06:00 in Paris
        ("2026-11-01T06:00:00+01:00", True),
        ("2026-11-02T10:00:00+01:00", True),  # not done on the 1st: caught up
    ],
)
def test_monthly_jobs_run_from_the_first_day_at_their_hour_in_paris(tmp_path, now, due):
    job = Job("report", lambda: None, "monthly")
    assert Worker([job], url(tmp_path), clock=at(now)).due(job) is due


def test_a_monthly_job_runs_once_per_month(tmp_path):
    runs = []
    job = Job("report", lambda: runs.append(1), "monthly")
    for now in (
        "2026-11-01T07:00:00+01:00",
        "2026-11-01T08:00:00+01:00",
        "2026-11-20T08:00:00+01:00",
    ):
        Worker([job], url(tmp_path), clock=at(now)).run_once()
    assert runs == [1]


def test_a_missed_first_of_the_month_is_caught_up_on_the_second_once(tmp_path):
    """The reported failure: jobs ran only on the 1st, so a worker down that day skipped the
    month's barometer and reports. Each `Worker` here is a new process (state in the database)."""
    runs = []
    jobs = [
        Job("pulse+report", lambda: runs.append("month"), "monthly"),
        Job("digest", lambda: runs.append("digest"), "monthly"),
    ]
    Worker(jobs, url(tmp_path), clock=at("2026-10-01T07:00:00+02:00")).run_once()
    assert runs == ["month", "digest"]
    # down from the 31st to the 2nd of November: the 2nd catches November up
    Worker(jobs, url(tmp_path), clock=at("2026-11-02T09:30:00+01:00")).run_once()
    Worker(jobs, url(tmp_path), clock=at("2026-11-03T09:30:00+01:00")).run_once()
    assert runs == ["month", "digest", "month", "digest"]
    with connect(url(tmp_path)).connect() as conn:
        states = store.job_states(conn)
    assert states["pulse+report"]["done_period"] == "2026-11"


def test_run_once_twice_runs_the_months_jobs_once(tmp_path):
    """`worker --once` from an hourly cron: the month's jobs (forum writes) run once, the
    hourly sync once an hour."""
    runs = []
    jobs = [
        Job("sync", lambda: runs.append("sync"), "hourly"),
        Job("pulse+report", lambda: runs.append("month"), "monthly"),
        Job("digest", lambda: runs.append("digest"), "monthly"),
    ]
    first = Worker(jobs, url(tmp_path), clock=at("2026-11-01T07:10:00+01:00")).run_once()
    second = Worker(jobs, url(tmp_path), clock=at("2026-11-01T07:40:00+01:00")).run_once()
    third = Worker(jobs, url(tmp_path), clock=at("2026-11-01T08:05:00+01:00")).run_once()
    assert [r.job for r in first] == ["sync", "pulse+report", "digest"]
    assert second == []
    assert [r.job for r in third] == ["sync"]
    assert runs == ["sync", "month", "digest", "sync"]


def test_a_failing_job_is_retried_with_backoff_then_done_once(tmp_path):
    attempts = []

    def flaky():
        attempts.append(1)
        if len(attempts) < 3:
            raise CampusError("forum unreachable")
        return "done"

    job = Job("pulse+report", flaky, "monthly")

    def run_at(text: str) -> list[str]:
        return [r.outcome for r in Worker([job], url(tmp_path), clock=at(text)).run_once()]

    assert run_at("2026-11-01T07:00:00+01:00") == ["failed"]
    assert run_at("2026-11-01T07:01:00+01:00") == []  # waits 5 minutes
    assert run_at("2026-11-01T07:05:00+01:00") == ["failed"]
    assert run_at("2026-11-01T07:10:00+01:00") == []  # then 10
    assert run_at("2026-11-01T07:15:00+01:00") == ["ok"]
    assert run_at("2026-11-01T07:30:00+01:00") == []
    assert run_at("2026-11-02T07:30:00+01:00") == []  # done for the month, once
    assert len(attempts) == 3


def test_retry_delays_double_up_to_an_hour():
    assert [retry_delay(n) for n in (1, 2, 3, 4, 5, 9)] == [
        timedelta(minutes=5),
        timedelta(minutes=10),
        timedelta(minutes=20),
        timedelta(minutes=40),
        timedelta(hours=1),
        timedelta(hours=1),
    ]


def test_a_job_is_done_only_after_it_succeeded(tmp_path):
    """The month's jobs were marked done before they ran: one that failed was lost."""

    def broken():
        raise RuntimeError("disk full")

    job = Job("pulse+report", broken, "monthly")
    worker = Worker([job], url(tmp_path), clock=at("2026-11-01T07:00:00+01:00"))
    (record,) = worker.run_once()
    assert record.outcome == "failed" and "disk full" in record.detail
    state = worker.states()["pulse+report"]
    assert state["done_period"] is None
    assert state["failures"] == 1 and state["alert"] == store.ALERT_FAILURE
    assert "disk full" in state["last_error"]


def test_a_daily_job_runs_again_the_next_day(tmp_path):
    runs = []
    job = Job("score", lambda: runs.append(1), "daily")
    for now in (
        "2026-11-01T07:00:00+01:00",
        "2026-11-01T09:00:00+01:00",
        "2026-11-02T07:00:00+01:00",
    ):
        Worker([job], url(tmp_path), clock=at(now)).run_once()
    assert runs == [1, 1]


def test_the_schedule_looks_for_due_jobs_every_minute(tmp_path):
    jobs = [Job("sync", lambda: None, "hourly"), Job("report", lambda: None, "monthly")]
    plan = Worker(jobs, url(tmp_path)).scheduler()
    assert [(job.interval, job.unit) for job in plan.get_jobs()] == [(1, "minutes")]


WORKER_SCRIPT = textwrap.dedent(
    """
    import logging, sys, time
    from app.worker import Job, Worker, retry_delay
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")

    def slow_sync():
        print("sync running", flush=True)
        time.sleep(1.5)
        return "synced"

    Worker([Job("sync", slow_sync, "hourly")], sys.argv[1]).run_forever(tick=0.1)
    """
)


def test_sigterm_stops_the_worker_after_its_running_job(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-c", WORKER_SCRIPT, url(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "sync running"
    os.kill(process.pid, signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0
    assert "Tâche sync : réussie" in stderr  # the running job was allowed to finish
    assert stderr.rstrip().endswith("Worker arrêté.")
    with acquire_lock(url(tmp_path), "worker"):  # and the lock is free again
        pass


def test_a_worker_started_while_another_runs_exits_with_a_lock_error(tmp_path):
    first = subprocess.Popen(
        [sys.executable, "-c", WORKER_SCRIPT, url(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert first.stdout.readline().strip() == "sync running"
        second = Worker([Job("sync", lambda: None, "hourly")], url(tmp_path))
        started = time.monotonic()
        with pytest.raises(LockError):
            second.run_forever(tick=0.1)
        assert time.monotonic() - started < 5
    finally:
        first.terminate()
        first.communicate(timeout=30)


def test_runs_are_logged_even_when_the_cli_only_shows_warnings(tmp_path):
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.WARNING)  # what `campus` without -v configures
    logging.getLogger("campus.worker").setLevel(logging.NOTSET)
    try:
        Worker([Job("sync", lambda: "3 posts", "hourly")], url(tmp_path)).run_once()
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    assert any(r.getMessage().startswith("Tâche sync : réussie") for r in records)


@pytest.mark.parametrize(
    "now, due",
    [
        ("2026-11-29T02:59:00+01:00", False),  # Sunday, before 03:00 in Paris
        ("2026-11-29T03:00:00+01:00", True),
        ("2026-11-29T06:59:00+01:00", True),
        ("2026-11-29T07:00:00+01:00", False),  # the night is over: wait for next week
        ("2026-11-30T03:30:00+01:00", False),  # Monday
    ],
)
def test_the_weekly_job_runs_on_its_day_at_night_only(tmp_path, now, due):
    job = Job("sync --full", lambda: None, "weekly", at_hour=3, weekday=6)
    assert Worker([job], url(tmp_path), clock=at(now)).due(job) is due


def test_a_weekly_job_runs_once_a_week(tmp_path):
    runs = []
    job = Job("sync --full", lambda: runs.append(1), "weekly", at_hour=3, weekday=6)
    for now in (
        "2026-11-29T03:00:00+01:00",
        "2026-11-29T04:00:00+01:00",
        "2026-12-06T03:10:00+01:00",
    ):
        Worker([job], url(tmp_path), clock=at(now)).run_once()
    assert runs == [1, 1]


def test_run_once_leaves_a_weekly_job_to_its_night(tmp_path):
    runs = []
    jobs = [
        Job("sync", lambda: runs.append("sync"), "hourly"),
        Job("sync --full", lambda: runs.append("full"), "weekly", at_hour=3, weekday=6),
    ]
    Worker(jobs, url(tmp_path), clock=at("2026-11-27T10:00:00+01:00")).run_once()
    Worker(jobs, url(tmp_path), clock=at("2026-11-29T03:30:00+01:00")).run_once()
    assert runs == ["sync", "sync", "full"]


def test_the_worker_plans_a_weekly_full_sync(tmp_path, monkeypatch):
    import cli
    from app.context import Campus
    from app.worker import jobs

    monkeypatch.setenv("CAMPUS_DISCOURSE_API_KEY", "worker-test-key-0123456789")
    (tmp_path / "campus.toml").write_text("[worker]\nfull_sync_weekday = 2\nfull_sync_hour = 1\n")
    config = cli.load_config(tmp_path / "campus.toml")
    weekly = [job for job in jobs(Campus(config)) if job.every == "weekly"]
    assert [(job.name, job.weekday, job.at_hour) for job in weekly] == [("sync --full", 2, 1)]


def test_job_states_live_in_the_database_on_sqlite_and_postgresql(db_url):
    """Caught up and done once on PostgreSQL as on SQLite (the worker lock is then an advisory
    lock), each `Worker` a new process."""
    runs = []
    attempts = iter([RuntimeError("disk full"), None, None])

    def month():
        error = next(attempts)
        if error is not None:
            raise error
        runs.append("month")

    jobs = [Job("pulse+report", month, "monthly")]
    outcomes = [
        [r.outcome for r in Worker(jobs, db_url, clock=at(now)).run_once()]
        for now in (
            "2026-11-02T07:00:00+01:00",  # missed on the 1st, fails on the 2nd
            "2026-11-02T07:03:00+01:00",  # backoff: not yet
            "2026-11-03T07:00:00+01:00",  # caught up on the 3rd
            "2026-11-04T07:00:00+01:00",  # done for the month
        )
    ]
    assert outcomes == [["failed"], [], ["ok"], []]
    assert runs == ["month"]
