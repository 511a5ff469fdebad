"""`campus worker`: run the periodic jobs with `schedule`, one worker at a time (DESIGN §9).

The jobs (`jobs`) are the runs of `app/` over one `Campus` (sync, scores, the month's barometer
and report, relay, digest), the very functions the commands call; `Worker` only knows when to
run them. Each job runs once per period (its hour, day, ISO week at night, or month, in the
network's time zone), and its period is recorded as done in the database (`worker_jobs`) only
after it succeeded. So a job is never lost: one that failed is retried with a growing delay
(`RETRY_BASE` doubled at each failure, at most `RETRY_MAX`), and one missed while no worker ran
is caught up by the next one — the month's barometer, report and digest on the 3rd as on the
1st, once. `worker --once` runs only what is due, so an hourly cron makes no forum writes twice.

Every run is logged with its outcome and duration; a failing job never stops the others, and
the animators are told of it (`alerts`, a Discourse private message). The worker holds the
`worker` lock (`sync.mirror.lock`) for its whole life, so a second worker refuses to start.
SIGTERM/SIGINT ask the running job to stop at a safe point (the Discourse client stops between
two requests, every page before written whole); a job that reaches none within
`STOP_GRACE_SECONDS` is abandoned as a kill would, and runs again at the next start.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import schedule
from sqlalchemy import Engine

from app import barometer, digest, director_notices, relay, report, score, worker_alerts
from app import sync as mirror_sync
from app.context import Campus, wall_clock
from core.errors import CampusError, Deferred, LockError, Stopped
from core.i18n import _, format_number
from core.secrets import scrub
from core.stopping import StopSignal
from core.vocabulary import shift_month
from sync.forum import barometer_topics
from sync.mirror import store
from sync.mirror.db import connect
from sync.mirror.lock import acquire_lock

log = logging.getLogger("campus.worker")

FREQUENCIES = ("hourly", "daily", "weekly", "monthly")
GATE_MINUTES = 1  # how often the worker looks for due jobs
NIGHT_HOURS = 4  # a weekly job runs within this many hours from its hour, else next week
RETRY_BASE = timedelta(minutes=5)  # first retry of a failed job; doubled at each failure
RETRY_MAX = timedelta(hours=1)
STOP_GRACE_SECONDS = 8.0  # SIGTERM → exit within 10 s (systemd's TimeoutStopSec is longer)


def outcome_text(outcome: str) -> str:
    """A run's outcome in the user's language."""
    return {
        "ok": _("réussie"),
        "failed": _("échec"),
        "skipped": _("sautée (verrou pris par une autre exécution)"),
        "deferred": _("reportée (la dernière synchronisation n'a pas abouti)"),
        "interrupted": _("interrompue (arrêt demandé), reprise au prochain démarrage"),
    }.get(outcome, outcome)


def every_text(every: str) -> str:
    """How often a job runs, in the user's language."""
    return {
        "hourly": _("toutes les heures"),
        "daily": _("chaque jour"),
        "weekly": _("chaque semaine, la nuit"),
        "monthly": _("le 1er du mois (rattrapée ensuite si besoin)"),
    }.get(every, every)


def retry_delay(failures: int) -> timedelta:
    """How long after its `failures`-th failure in a row a job is tried again."""
    return min(RETRY_MAX, RETRY_BASE * 2 ** max(0, failures - 1))


@dataclass(frozen=True)
class Job:
    """A named callable and when to run it; its return value is logged as the run's summary."""

    name: str
    run: Callable[[], Any]
    every: str  # hourly | daily | weekly | monthly
    at_hour: int = 6  # local hour from which a daily, weekly or monthly job may run
    weekday: int = 6  # weekly jobs: 0 Monday … 6 Sunday

    def __post_init__(self) -> None:
        if self.every not in FREQUENCIES:
            raise ValueError(f"{self.name}: every must be one of {FREQUENCIES}")

    def period(self, local: datetime) -> str | None:
        """The period this job runs once in at local time `local` (its hour, day, ISO week or
        month), or None before its hour (or outside its night, for a weekly job).

        A monthly job's period opens on the 1st at `at_hour` and stays open all month: a
        worker down or failing on the 1st catches it up on the 3rd."""
        if self.every == "hourly":
            return local.strftime("%Y-%m-%dT%H")
        if self.every == "monthly":
            opened = local.day > 1 or local.hour >= self.at_hour
            return local.strftime("%Y-%m") if opened else None
        if local.hour < self.at_hour:
            return None
        if self.every == "weekly":
            if local.weekday() != self.weekday or local.hour >= self.at_hour + NIGHT_HOURS:
                return None
            year, week, _day = local.isocalendar()
            return f"{year}-W{week:02d}"
        return local.strftime("%Y-%m-%d")


@dataclass(frozen=True)
class RunRecord:
    """One run of a job: outcome is "ok", "failed", "skipped" (another run held a lock),
    "deferred" (the mirror is not whole) or "interrupted" (a stop was asked)."""

    job: str
    started_at: datetime
    seconds: float
    outcome: str
    detail: str


@dataclass
class Worker:
    """Runs `jobs` on their schedule against the database at `database_url`.

    `alerts`, when given, is called after each round of jobs to tell the animators of failures
    and recoveries (`app.worker_alerts`); `stop` is the signal the jobs' clients listen to."""

    jobs: list[Job]
    database_url: str
    tz: str = "Europe/Paris"
    clock: Callable[[], datetime] = wall_clock
    history: list[RunRecord] = field(default_factory=list)
    alerts: Callable[[Engine], None] | None = None
    stop_signal: StopSignal = field(default_factory=StopSignal)
    _engine: Engine | None = field(default=None, init=False)
    _deadline: threading.Timer | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        # every run is logged with its outcome, even when the CLI is otherwise quiet
        if log.getEffectiveLevel() > logging.INFO:
            log.setLevel(logging.INFO)

    @property
    def engine(self) -> Engine:
        """The database holding the jobs' states (opened on first use)."""
        if self._engine is None:
            self._engine = connect(self.database_url)
        return self._engine

    def _now(self) -> datetime:
        return self.clock().astimezone(UTC)

    def states(self) -> dict[str, dict[str, Any]]:
        """Every job's recorded state (`worker_jobs`), by name."""
        with self.engine.connect() as conn:
            return store.job_states(conn)

    def due(self, job: Job, states: dict[str, dict[str, Any]] | None = None) -> bool:
        """Whether `job` should run now: its period is open and not done, and its retry time
        (after a failure) has come."""
        now = self._now()
        period = job.period(now.astimezone(ZoneInfo(self.tz)))
        if period is None:
            return False
        state = (self.states() if states is None else states).get(job.name, {})
        if state.get("done_period") == period:
            return False
        retry_at = state.get("retry_at")
        return retry_at is None or now >= retry_at.replace(tzinfo=UTC)

    def run_job(self, job: Job) -> RunRecord:
        """Run one job now, log and record its outcome; never raise (except KeyboardInterrupt).

        Its period is recorded as done only when it succeeded; otherwise it is retried after
        `retry_delay` (at once after a stop), and a failure is owed to the animators."""
        started = self._now()
        period = job.period(started.astimezone(ZoneInfo(self.tz))) or "-"
        begin = time.monotonic()
        with self.engine.begin() as conn:
            store.record_start(conn, job.name, started)
        log.info(_("Tâche {job} : démarrée.", job=job.name))
        try:
            summary = job.run()
        except LockError as error:
            outcome, detail = "skipped", scrub(str(error))
        except Deferred as error:
            outcome, detail = "deferred", scrub(str(error))
        except Stopped as error:
            outcome, detail = "interrupted", scrub(str(error))
        except CampusError as error:
            outcome, detail = "failed", scrub(str(error))
        except Exception as error:  # a bug in one job must not kill the worker
            log.debug("job %s raised", job.name, exc_info=True)
            outcome, detail = "failed", scrub(f"{type(error).__name__}: {error}")
        else:
            outcome, detail = "ok", "" if summary is None else str(summary)
        seconds = time.monotonic() - begin
        record = RunRecord(job.name, started, seconds, outcome, detail)
        self.history.append(record)
        self._record(job, period, record)
        level = logging.INFO if outcome == "ok" else logging.WARNING
        line = _(
            "Tâche {job} : {outcome} en {seconds} s",
            job=job.name,
            outcome=outcome_text(outcome),
            seconds=format_number(seconds),
        )
        log.log(level, line + f" — {detail}" * bool(detail))
        return record

    def _record(self, job: Job, period: str, record: RunRecord) -> None:
        """Write the run's outcome in `worker_jobs` (done after success only)."""
        now = self._now()
        with self.engine.begin() as conn:
            if record.outcome == "ok":
                store.record_done(conn, job.name, period, now)
                return
            failures = int(store.job_states(conn).get(job.name, {}).get("failures") or 0) + 1
            retry_at = now if record.outcome == "interrupted" else now + retry_delay(failures)
            store.record_failure(
                conn,
                job.name,
                now,
                outcome=record.outcome,
                error=record.detail,
                retry_at=retry_at,
                alert=record.outcome == "failed",
            )

    def run_due(self) -> list[RunRecord]:
        """Run, in order, every job that is due now, then tell the animators what they are owed.

        Stops before the next job once a stop was asked for."""
        records = []
        for job in self.jobs:
            if self.stop_signal.requested:
                break
            if self.due(job):
                records.append(self.run_job(job))
        if self.alerts is not None and not self.stop_signal.requested:
            self.alerts(self.engine)
        return records

    def run_once(self) -> list[RunRecord]:
        """Run what is due, once, under the worker lock (`campus worker --once`, for a cron):
        a second call in the same hour runs nothing again, the month's jobs run once a month."""
        with acquire_lock(self.database_url, "worker"):
            return self.run_due()

    def scheduler(self) -> schedule.Scheduler:
        """The `schedule` plan: every `GATE_MINUTES`, run the jobs that are due."""
        plan = schedule.Scheduler()
        plan.every(GATE_MINUTES).minutes.do(self.run_due)
        return plan

    def stop(self, *_signal: Any) -> None:
        """Ask the running job to stop at a safe point and the loop to end (SIGTERM/SIGINT);
        past `STOP_GRACE_SECONDS`, the worker ends anyway."""
        if self.stop_signal.requested:
            return
        log.info(_("Worker : arrêt demandé ; la tâche en cours s'arrête à un point sûr."))
        self.stop_signal.request()
        self._deadline = threading.Timer(STOP_GRACE_SECONDS, self._abandon)
        self._deadline.daemon = True
        self._deadline.start()

    def _abandon(self) -> None:
        """The running job reached no safe point in time: end the process as a kill would (the
        job's period stays undone, so the next worker runs it again)."""
        log.warning(
            _(
                "Worker : la tâche en cours ne s'est pas arrêtée en {seconds} s ; arrêt immédiat,"
                " elle sera relancée au prochain démarrage.",
                seconds=format_number(STOP_GRACE_SECONDS),
            )
        )
        for handler in logging.getLogger().handlers:
            handler.flush()
        sys.stderr.flush()
        os._exit(0)

    def run_forever(self, tick: float = 1.0) -> None:
        """Hold the worker lock and run the schedule until SIGTERM or SIGINT: what is due at
        once on start (the catch-up after downtime), then every `GATE_MINUTES`."""
        with acquire_lock(self.database_url, "worker"):
            previous = {
                sig: signal.signal(sig, self.stop) for sig in (signal.SIGTERM, signal.SIGINT)
            }
            try:
                plan = self.scheduler()
                jobs = ", ".join(f"{job.name} ({every_text(job.every)})" for job in self.jobs)
                log.info(_("Worker démarré : {jobs}.", jobs=jobs))
                plan.run_all()
                while not self.stop_signal.requested:
                    plan.run_pending()
                    self.stop_signal.wait(tick)
            finally:
                if self._deadline is not None:  # stopped in time: nothing to abandon
                    self._deadline.cancel()
                for sig, handler in previous.items():
                    signal.signal(sig, handler)
                log.info(_("Worker arrêté."))


def run_month(campus: Campus) -> str:
    """On the 1st: close (or collect) last month's barometer, write its report, tell each
    director (one private message with the links to their pages), open this month's barometer."""
    month = campus.current_month()
    previous = shift_month(month, -1)
    if campus["pulse"].anonymous:
        collected = barometer_topics.describe_closed(barometer.close(campus, previous))
    else:
        log.warning(barometer_topics.not_anonymous_warning())
        outcome, _data = barometer.collect(campus, previous)
        collected = barometer.collected_line(outcome, previous)
    written = report.run(campus, previous, publish=campus["reports"].publish_from_worker)
    notices = director_notices.run(campus, previous, Path(written["folder"]))
    posted = barometer.post(campus, month)
    lines = [collected]
    if "published" in written:
        lines.append(
            _(
                "Rapport écrit dans {folder}, publié dans le sujet {topic_id} « {title} ».",
                folder=written["folder"],
                **written["published"],
            )
        )
    else:
        lines.append(_("Rapport écrit dans {folder}.", **written))
    lines.append(notices.line())
    lines.append(barometer_topics.describe_posted(posted))
    return " ".join(lines)


def jobs(campus: Campus) -> list[Job]:
    """The worker's jobs: sync and relay hourly (relay sends only in working hours), scores
    daily, the barometer's reminder daily (it posts only once, a week before the month closes),
    on the 1st barometer, report (and the directors' notices) and digest, and a full reconciliation once a week at
    night ([worker] full_sync_weekday and full_sync_hour).

    Each returns the line `worker --once` prints and the log records, in the user's language
    (never a volunteer's name).
    """
    settings = campus["worker"]
    return [
        Job("sync", lambda: mirror_sync.worker_line(campus), "hourly"),
        Job("score", lambda: score.write_scores(campus), "daily"),
        Job("pulse+report", lambda: run_month(campus), "monthly"),
        Job("pulse reminder", lambda: barometer.reminder_line(barometer.remind(campus)), "daily"),
        Job(
            "relay",
            lambda: relay.run(campus, dry_run=False).summary().replace("\n", " "),
            "hourly",
        ),
        Job("digest", lambda: digest.worker_line(campus), "monthly"),
        Job(
            "sync --full",
            lambda: mirror_sync.worker_line(campus, full=True),
            "weekly",
            at_hour=settings.full_sync_hour,
            weekday=settings.full_sync_weekday,
        ),
    ]


def worker(campus: Campus) -> Worker:
    """The worker of `campus`: its jobs, its mirror (for the lock and the jobs' states), its
    time zone and clock, the animators' alerts, and the stop its Discourse clients obey."""
    return Worker(
        jobs(campus),
        campus.database_url,
        tz=campus.timezone,
        clock=campus.clock,
        alerts=worker_alerts.Alerts(campus).flush,
        stop_signal=campus.stop,
    )


def once_line(record: RunRecord) -> str:
    """The line `worker --once` prints for one run."""
    outcomes = {
        "ok": _("réussi"),
        "failed": _("échec"),
        "skipped": _("sauté (verrou pris par une autre exécution)"),
        "deferred": _("reporté (la dernière synchronisation n'a pas abouti)"),
        "interrupted": _("interrompu (arrêt demandé)"),
    }
    return _(
        "{job} : {outcome} ({seconds} s). {detail}",
        job=record.job,
        outcome=outcomes[record.outcome],
        seconds=format_number(record.seconds),
        detail=record.detail,
    ).rstrip()
