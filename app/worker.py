"""`campus worker`: run the periodic jobs with `schedule`, one worker at a time (DESIGN §9).

The jobs (`jobs`) are the runs of `app/` over one `Campus` (sync, scores, the month's barometer
and report, relay, digest), the very functions the commands call; `Worker` only knows when to
run them: hourly, daily, weekly at night, or on the first day of the month, at an hour of the
network's time zone. Every run is logged with its outcome and duration; a failing job never stops
the others. The worker holds the `worker` lock (`sync.mirror.lock`) for its whole life, so a second
worker refuses to start, and SIGTERM/SIGINT stop it cleanly once the running job has finished.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import schedule

from app import barometer, digest, director_notices, relay, report, score
from app import sync as mirror_sync
from app.context import Campus, wall_clock
from core.errors import CampusError, LockError
from core.i18n import _, format_number
from core.secrets import scrub
from core.vocabulary import shift_month
from sync.forum import barometer_topics
from sync.mirror.lock import acquire_lock

log = logging.getLogger("campus.worker")

FREQUENCIES = ("hourly", "daily", "weekly", "monthly")
GATE_MINUTES = 5  # how often daily, weekly and monthly jobs check whether their time has come
NIGHT_HOURS = 4  # a weekly job runs within this many hours from its hour, else next week


def outcome_text(outcome: str) -> str:
    """A run's outcome ("ok", "failed", "skipped") in the user's language."""
    return {
        "ok": _("réussie"),
        "failed": _("échec"),
        "skipped": _("sautée (verrou pris par une autre exécution)"),
    }.get(outcome, outcome)


def every_text(every: str) -> str:
    """How often a job runs, in the user's language."""
    return {
        "hourly": _("toutes les heures"),
        "daily": _("chaque jour"),
        "weekly": _("chaque semaine, la nuit"),
        "monthly": _("le 1er du mois"),
    }.get(every, every)


@dataclass(frozen=True)
class Job:
    """A named callable and when to run it; its return value is logged as the run's summary."""

    name: str
    run: Callable[[], Any]
    every: str  # hourly | daily | weekly | monthly (first day of the month)
    at_hour: int = 6  # local hour from which a daily, weekly or monthly job may run
    weekday: int = 6  # weekly jobs: 0 Monday … 6 Sunday

    def __post_init__(self) -> None:
        if self.every not in FREQUENCIES:
            raise ValueError(f"{self.name}: every must be one of {FREQUENCIES}")


@dataclass(frozen=True)
class RunRecord:
    """One run of a job: outcome is "ok", "failed" or "skipped" (another run held a lock)."""

    job: str
    started_at: datetime
    seconds: float
    outcome: str
    detail: str


@dataclass
class Worker:
    """Runs `jobs` on their schedule against the database at `database_url`."""

    jobs: list[Job]
    database_url: str
    tz: str = "Europe/Paris"
    clock: Callable[[], datetime] = wall_clock
    history: list[RunRecord] = field(default_factory=list)
    _stop: bool = field(default=False, init=False)
    _last: dict[str, str] = field(default_factory=dict, init=False)  # job -> date/month last run

    def __post_init__(self) -> None:
        # every run is logged with its outcome, even when the CLI is otherwise quiet
        if log.getEffectiveLevel() > logging.INFO:
            log.setLevel(logging.INFO)

    def run_job(self, job: Job) -> RunRecord:
        """Run one job now, log and record its outcome; never raise (except KeyboardInterrupt)."""
        started = self.clock()
        begin = time.monotonic()
        log.info(_("Tâche {job} : démarrée.", job=job.name))
        try:
            summary = job.run()
        except LockError as error:
            outcome, detail = "skipped", scrub(str(error))
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
        level = logging.INFO if outcome == "ok" else logging.WARNING
        line = _(
            "Tâche {job} : {outcome} en {seconds} s",
            job=job.name,
            outcome=outcome_text(outcome),
            seconds=format_number(seconds),
        )
        log.log(level, line + f" — {detail}" * bool(detail))
        return record

    def run_once(self) -> list[RunRecord]:
        """Run every job once, in order, under the worker lock (`campus worker --once`).

        A weekly job (the full reconciliation) runs only in its night: `--once` from an hourly
        cron must not turn every hour into a full re-read of the forum."""
        with acquire_lock(self.database_url, "worker"):
            return [
                self.run_job(job) for job in self.jobs if job.every != "weekly" or self.due(job)
            ]

    def due(self, job: Job) -> bool:
        """Whether a daily, weekly or monthly job should run now (local time of the network)."""
        now = self.clock().astimezone(ZoneInfo(self.tz))
        if now.hour < job.at_hour:
            return False
        if job.every == "weekly":
            in_night = now.weekday() == job.weekday and now.hour < job.at_hour + NIGHT_HOURS
            return in_night and self._last.get(job.name) != self._period(job, now)
        if job.every == "monthly":
            return now.day == 1 and self._last.get(job.name) != self._period(job, now)
        return self._last.get(job.name) != self._period(job, now)

    @staticmethod
    def _period(job: Job, now: datetime) -> str:
        """The period a daily, weekly or monthly job runs once in: its day, ISO week or month."""
        if job.every == "weekly":
            year, week, _day = now.isocalendar()
            return f"{year}-W{week:02d}"
        return now.strftime("%Y-%m" if job.every == "monthly" else "%Y-%m-%d")

    def run_if_due(self, job: Job) -> None:
        """Run a daily, weekly or monthly job if its time has come and it has not run yet."""
        if self.due(job):
            now = self.clock().astimezone(ZoneInfo(self.tz))
            self._last[job.name] = self._period(job, now)
            self.run_job(job)

    def scheduler(self) -> schedule.Scheduler:
        """The `schedule` plan: hourly jobs every hour, others checked every few minutes."""
        plan = schedule.Scheduler()
        for job in self.jobs:
            if job.every == "hourly":
                plan.every().hour.do(self.run_job, job)
            else:
                plan.every(GATE_MINUTES).minutes.do(self.run_if_due, job)
        return plan

    def stop(self, *_signal: Any) -> None:
        """Ask the loop to end after the running job (SIGTERM/SIGINT handler)."""
        if not self._stop:
            log.info(_("Worker : arrêt demandé ; la tâche en cours va se terminer."))
        self._stop = True

    def run_forever(self, tick: float = 1.0) -> None:
        """Hold the worker lock and run the schedule until SIGTERM or SIGINT.

        Hourly jobs run at once on start, then every hour; daily and monthly ones when due."""
        with acquire_lock(self.database_url, "worker"):
            previous = {
                sig: signal.signal(sig, self.stop) for sig in (signal.SIGTERM, signal.SIGINT)
            }
            try:
                plan = self.scheduler()
                jobs = ", ".join(f"{job.name} ({every_text(job.every)})" for job in self.jobs)
                log.info(_("Worker démarré : {jobs}.", jobs=jobs))
                plan.run_all()  # sync at once, and whatever daily/monthly work is due
                while not self._stop:
                    plan.run_pending()
                    time.sleep(tick)
            finally:
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
    """The worker of `campus`: its jobs, its mirror (for the lock), its time zone and clock."""
    return Worker(jobs(campus), campus.database_url, tz=campus.timezone, clock=campus.clock)


def once_line(record: RunRecord) -> str:
    """The line `worker --once` prints for one run."""
    outcomes = {
        "ok": _("réussi"),
        "failed": _("échec"),
        "skipped": _("sauté (verrou pris par une autre exécution)"),
    }
    return _(
        "{job} : {outcome} ({seconds} s). {detail}",
        job=record.job,
        outcome=outcomes[record.outcome],
        seconds=format_number(record.seconds),
        detail=record.detail,
    ).rstrip()
