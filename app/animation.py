"""The animators' dashboard (`GET /animation`, DESIGN §10): everything an animator checks in the
morning, gathered in one call over the `Campus` context.

- the health of the mirror, as `/healthz` reports it (`app.health`): the database, the age of the
  last sync and of the last webhook (and whatever else the health check adds);
- the last sync runs and how many of them failed;
- the barometer's participation by cooperative, as `pulse status` gives it (null below
  `min_group_size`), and the day of the reminder (a week before the month closes);
- the relay's queue (questions nobody but their author has answered yet) and the suggestions sent
  over the last 7 days;
- the score's candidates for recognition (the first `[recognition] top` of the last 30 days);
- the reports on disk with their vigilance counts (`app.report_index`).

It names members (volunteers, candidates): only animators may see it (`web.access`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from babel.dates import format_timedelta

from analytics import scoring as score_engine
from analytics.relay_plan import working_hours_between
from app import barometer
from app.context import Campus
from app.health import health, worker_jobs
from app.report_index import report_rows
from core.i18n import _, current_lang, format_number
from core.vocabulary import parse_period
from reports.formatting import Formatter
from sync.mirror import store
from sync.mirror.loader import load_forum
from sync.mirror.relay_inputs import load_relay_inputs

RUNS_SHOWN = 10
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Dashboard:
    """What `/animation` shows; plain values (rows are dicts the page can sort and search).

    - health: `app.health.health`'s dictionary;
    - runs: the last sync runs (newest first), `failures`: how many of them failed;
    - barometer: `pulse status`'s body for this month, `barometer_rows` one row per cooperative
      (slug, name, respondents or None below the size), `reminder` the reminder's day;
    - queue: waiting questions (topic_id, title, created, waited_hours, due, suggested);
      `suggestions`: the week's relay suggestions (with the volunteer's username);
    - candidates: rank, username, cooperative, role, score;
    - reports: `app.report_index.report_rows` for every cooperative."""

    now: datetime
    health: dict
    health_rows: list[dict]
    jobs: list[dict]
    runs: list[dict]
    failures: int
    barometer: dict
    barometer_rows: list[dict]
    reminder: str
    month_label: str
    queue: list[dict]
    suggestions: list[dict]
    wait_hours: int
    candidates: list[dict]
    reports: list[dict]
    min_group_size: int


def dashboard(campus: Campus, names: dict[str, str]) -> Dashboard:
    """Everything the animators' dashboard shows, at the context's "now".

    `names` maps each cooperative's slug to its name (from cooperatives.csv)."""
    now = campus.now()
    formatter = Formatter(current_lang(), campus.timezone)
    month = campus.current_month()
    with campus.engine.connect() as conn:
        runs = store.recent_runs(conn, RUNS_SHOWN)
        suggestions = store.suggestions_since(conn, _naive(now - WEEK))
    status = barometer.status(campus, month, sorted(names))
    checked = health(campus.engine, campus["web"].stale_sync_hours, now)
    reports = report_rows(campus.reports_dir, names, sorted(names))
    return Dashboard(
        now=now,
        health=checked,
        health_rows=_health_rows(checked, formatter),
        jobs=_job_rows(worker_jobs(campus.engine, now), formatter),
        runs=[_run_row(run, formatter) for run in runs],
        failures=sum(run["outcome"] == "failed" for run in runs),
        barometer=status,
        barometer_rows=[
            {"slug": slug, "name": names.get(slug, slug), "respondents": scope["respondents"]}
            for slug, scope in status["cooperatives"].items()
        ],
        reminder=formatter.day(barometer.reminder_day(campus, month)),
        month_label=formatter.month(month),
        queue=_relay_queue(campus, now, formatter),
        suggestions=[
            {**row, "suggested": formatter.moment(_aware(row["suggested_at"]))}
            for row in suggestions
        ],
        wait_hours=campus["relay"].wait_hours,
        candidates=_candidates(campus, names),
        reports=[row for row in reports if row["month"] == reports[0]["month"]] if reports else [],
        min_group_size=campus["reports"].min_group_size,
    )


AGE = "_age_seconds"


def _health_rows(checked: dict, formatter: Formatter, prefix: str = "") -> list[dict]:
    """`app.health`'s dictionary as rows to read: a label (the known keys in words, any other
    as it is), the value, and for a time its age (« il y a 3 heures »). Nested dictionaries
    (a job's freshness…) become rows of their own, their keys joined by « / »."""
    labels = {
        "status": _("État"),
        "database": _("Base de données"),
        "last_sync": _("Dernière synchronisation réussie"),
        "sync_fresh": _("Synchronisation à jour"),
        "stale_sync_hours": _("En retard au-delà de (heures)"),
        "last_webhook": _("Dernier webhook reçu"),
    }
    words = {
        ("status", "ok"): _("tout va bien"),
        ("status", "busy"): _("occupée : des écritures attendent"),
        ("status", "down"): _("base de données injoignable"),
        ("database", "ok"): _("lecture et écriture"),
        ("database", "busy"): _("occupée : des écritures attendent"),
        ("database", "read_only"): _("en lecture seule"),
        ("database", "unreachable"): _("injoignable"),
        ("sync_fresh", True): _("oui"),
        ("sync_fresh", False): _("non"),
    }
    rows = []
    for key, value in checked.items():
        if key.endswith(AGE) or key == "jobs":  # the jobs: a table of their own
            continue
        label = prefix + labels.get(key, key)
        if isinstance(value, dict):
            rows += _health_rows(value, formatter, prefix=label + " / ")
            continue
        age = checked.get(key + AGE)
        if value is None:
            shown = _("jamais")
        elif isinstance(value, str) and age is not None:
            shown = _(
                "{moment} (il y a {age})",
                moment=formatter.moment(_aware(value)),
                age=format_timedelta(timedelta(seconds=age), locale=formatter.locale),
            )
        elif isinstance(value, int | float) and not isinstance(value, bool):
            shown = format_number(value)
        else:
            shown = words.get((key, value), str(value))
        rows.append({"key": key, "label": label, "value": shown})
    return rows


def _job_rows(jobs: dict[str, dict], formatter: Formatter) -> list[dict]:
    """The worker's jobs (`app.health.worker_jobs`) as rows: name, last success in words and
    its age, last outcome, failures in a row and the last error (animators only)."""
    rows = []
    for name, job in jobs.items():
        done = job.get("done_at")
        rows.append(
            {
                "job": name,
                "done": formatter.moment(_aware(done)) if done else None,
                "outcome": job.get("last_outcome"),
                "failures": job.get("failures") or 0,
                "error": job.get("last_error") or "",
            }
        )
    return rows


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _aware(moment: datetime | str) -> datetime:
    """A time as the mirror stores it (naive UTC, text on SQLite aggregates) made aware."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _run_row(run: dict, formatter: Formatter) -> dict:
    started = _aware(run["started_at"])
    finished = _aware(run["finished_at"]) if run["finished_at"] else None
    return {
        **run,
        "started": formatter.moment(started),
        "seconds": round((finished - started).total_seconds()) if finished else None,
    }


def _relay_queue(campus: Campus, now: datetime, formatter: Formatter) -> list[dict]:
    """The questions relay watches: no reply but their author's, not closed, no accepted
    answer, younger than `[relay] max_age_days`; how long each has waited in working hours,
    whether it is due (`wait_hours` reached) and whether it was already suggested."""
    settings = campus["relay"]
    inputs = load_relay_inputs(
        campus.engine,
        [],
        optout_group=campus["template"].optout_group,
        now=now,
        max_age_days=settings.max_age_days,
    )
    questions = inputs.questions
    waiting = questions[~(questions["replied"] | questions["closed"] | questions["solved"])]
    suggested = set(inputs.past["topic_id"])
    hours = (settings.day_start_hour, settings.day_end_hour, settings.closed_days())
    rows = []
    for question in waiting.sort_values("created_at").itertuples(index=False):
        waited = working_hours_between(question.created_at, now, campus.timezone, *hours)
        rows.append(
            {
                "topic_id": int(question.topic_id),
                "title": question.title,
                "created": formatter.moment(question.created_at.to_pydatetime()),
                "waited_hours": round(waited, 1),
                "due": waited >= settings.wait_hours,
                "suggested": int(question.topic_id) in suggested,
            }
        )
    return rows


def _candidates(campus: Campus, names: dict[str, str]) -> list[dict]:
    """The first `[recognition] top` of the last 30 days' score (what `score --apply` proposes)."""
    start, end = parse_period("last30", campus.timezone, campus.now())
    forum = load_forum(campus.engine, score_only=True)
    table = score_engine.score(
        forum,
        campus["score"],
        start=start,
        end=end,
        optout_group=campus["template"].optout_group,
    ).head(campus["recognition"].top)
    return [
        {
            **record,
            "cooperative_name": names.get(record["cooperative"] or "", record["cooperative"] or ""),
            "score_label": format_number(record["score"]),
        }
        for record in score_engine.score_records(table)
    ]
