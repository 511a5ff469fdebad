"""What `GET /healthz` and `GET /healthz/fresh` report (DESIGN §10).

`/healthz` is liveness: can this process read *and write* its database? A write is proven by a
probe row committed like any writer's; one that waits more than `PROBE_WAIT_SECONDS` behind
other writers reports `busy` (still alive: the writers are working). Its body also tells how
fresh the sync, the webhooks and each of the worker's jobs are, but an old sync does not make
it fail: a proxy's health check on it must not take the barometer offline because Discourse
was slow. `/healthz/fresh` is for monitoring: it fails when the last successful sync is older
than `[web] stale_sync_hours`.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from sync.mirror import db, store

PROBE_WAIT_SECONDS = 2.0
BUSY_WORDS = ("locked", "busy", "lock timeout", "canceling statement")


def _as_utc(value: object) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _age(moment: datetime | None, now: datetime) -> int | None:
    return round((now - moment).total_seconds()) if moment else None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def write_state(engine: Engine, now: datetime) -> str:
    """`ok` when a write commits within `PROBE_WAIT_SECONDS`, `busy` when other writers hold
    it longer, `read_only` when the database refuses it."""
    started = time.monotonic()
    try:
        with engine.connect() as connection:
            store.write_probe(connection, now, PROBE_WAIT_SECONDS)
    except SQLAlchemyError as error:
        text = str(error.orig if hasattr(error, "orig") else error).lower()
        waited = time.monotonic() - started >= PROBE_WAIT_SECONDS * 0.9
        return "busy" if waited or any(word in text for word in BUSY_WORDS) else "read_only"
    return "busy" if time.monotonic() - started > PROBE_WAIT_SECONDS else "ok"


def job_freshness(
    states: dict[str, dict], now: datetime, *, details: bool = False
) -> dict[str, dict]:
    """Each worker job's last success (period and age), last outcome and failures in a row;
    with `details` (for animators only, not the public `/healthz`) its last error and whether
    an alert is still owed to them."""
    jobs = {}
    for name, state in sorted(states.items()):
        done = _as_utc(state.get("done_at"))
        jobs[name] = {
            "done_period": state.get("done_period"),
            "done_at": _iso(done),
            "done_age_seconds": _age(done, now),
            "last_outcome": state.get("last_outcome"),
            "failures": int(state.get("failures") or 0),
            "failing_since": _iso(_as_utc(state.get("failing_since"))),
            "retry_at": _iso(_as_utc(state.get("retry_at"))),
        }
        if details:
            jobs[name]["last_error"] = state.get("last_error")
            owed = state.get("alert") in (store.ALERT_FAILURE, store.ALERT_RECOVERY)
            jobs[name]["alert_owed"] = owed
    return jobs


def worker_jobs(engine: Engine, now: datetime) -> dict[str, dict]:
    """Each worker job's freshness, failures, last error and owed alert, read from the
    database: what the animators' dashboard shows beside `health(...)`, the web service's own
    state (the public `/healthz` leaves the errors out)."""
    with db.reader(engine).connect() as connection:
        return job_freshness(store.job_states(connection), now, details=True)


def health(engine: Engine, stale_after_hours: float, now: datetime) -> dict:
    """The `/healthz` body: `status` is `ok`, `busy` (alive, writes wait behind others) or
    `down` (the database cannot be read, or refuses writes); then `database`, the last sync
    and webhook with their ages, `sync_fresh` and each job's freshness (`jobs`)."""
    try:  # reading never waits behind writers (`db.reader`): only the probe below does
        with db.reader(engine).connect() as connection:
            store.ping(connection)
            last_sync = _as_utc(store.last_successful_sync(connection))
            last_webhook = _as_utc(store.last_webhook_at(connection))
            states = store.job_states(connection)
    except SQLAlchemyError:
        return {"status": "down", "database": "unreachable"}
    database = write_state(engine, now)
    sync_age = _age(last_sync, now)
    return {
        "status": {"ok": "ok", "busy": "busy"}.get(database, "down"),
        "database": database,
        "last_sync": _iso(last_sync),
        "last_sync_age_seconds": sync_age,
        "sync_fresh": sync_age is not None and sync_age <= stale_after_hours * 3600,
        "stale_sync_hours": stale_after_hours,
        "last_webhook": _iso(last_webhook),
        "last_webhook_age_seconds": _age(last_webhook, now),
        "jobs": job_freshness(states, now),
    }


def alive(result: dict) -> bool:
    """Whether `/healthz` answers 200: the database can be read and written (even if busy)."""
    return result["status"] in ("ok", "busy")


def fresh(result: dict) -> bool:
    """Whether `/healthz/fresh` answers 200: alive, and synced within `stale_sync_hours`."""
    return alive(result) and bool(result.get("sync_fresh"))
