"""The worker's job states (`worker_jobs`): what each job last completed, its failures in a row,
when it is retried, and the alert the animators are owed. Times are naive UTC, like the mirror's.

A job's period is written only by `record_done`, after the job succeeded: a worker killed, down
or failing leaves it undone, so the next worker catches it up.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, update

from sync.mirror.schema import WorkerJob
from sync.mirror.store.base import upsert

# alerts: owed to the animators ("failure", "recovery"), or told ("failure_sent")
ALERT_FAILURE = "failure"
ALERT_FAILURE_SENT = "failure_sent"
ALERT_RECOVERY = "recovery"


def _naive(moment: datetime | None) -> datetime | None:
    """An aware time as the mirror stores it: naive UTC."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def job_states(conn: Connection) -> dict[str, dict[str, Any]]:
    """Every recorded job's row, by job name (times naive UTC)."""
    rows = conn.execute(select(WorkerJob.__table__)).mappings()
    return {row["job"]: dict(row) for row in rows}


def record_start(conn: Connection, job: str, at: datetime) -> None:
    """A run of `job` starts now (its state is otherwise unchanged)."""
    upsert(conn, WorkerJob.__table__, [{"job": job, "last_started_at": _naive(at)}], ["job"])


def record_done(conn: Connection, job: str, period: str, at: datetime) -> None:
    """`job` succeeded for `period`: done, its failures forgotten; the animators told of a
    failure (or owed one) are owed the news that it works again."""
    state = job_states(conn).get(job, {})
    alert = ALERT_RECOVERY if state.get("alert") else None
    upsert(
        conn,
        WorkerJob.__table__,
        [
            {
                "job": job,
                "done_period": period,
                "done_at": _naive(at),
                "last_outcome": "ok",
                "last_error": None,
                "failures": 0,
                "failing_since": None,
                "retry_at": None,
                "alert": alert,
            }
        ],
        ["job"],
    )


def record_failure(
    conn: Connection,
    job: str,
    at: datetime,
    *,
    outcome: str,
    error: str,
    retry_at: datetime,
    alert: bool,
) -> int:
    """`job` did not complete (`outcome` "failed", "skipped" or "interrupted"): retried at
    `retry_at`; with `alert`, the animators are owed a message unless already told of this
    streak. Returns the failures in a row."""
    state = job_states(conn).get(job, {})
    failures = int(state.get("failures") or 0) + 1
    owed = state.get("alert")
    if alert and owed in (None, ALERT_RECOVERY):
        owed = ALERT_FAILURE
    upsert(
        conn,
        WorkerJob.__table__,
        [
            {
                "job": job,
                "last_outcome": outcome,
                "last_error": error,
                "failures": failures,
                "failing_since": state.get("failing_since") or _naive(at),
                "retry_at": _naive(retry_at),
                "alert": owed,
            }
        ],
        ["job"],
    )
    return failures


def set_alert(conn: Connection, job: str, alert: str | None) -> None:
    """Record that an alert was told (or is owed) for `job`."""
    conn.execute(update(WorkerJob).where(WorkerJob.job == job).values(alert=alert))
