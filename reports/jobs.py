"""The runs Campus makes on a schedule and on demand: sync, scores, the month's barometer and
report, relay and digest. `campus worker` schedules them; `report`, `pulse`, `relay` and `digest`
call the same functions, so a command and the worker never differ.

Everything comes in as plain values in a `Campus` (built by cli.py from campus.toml and the
environment); the database is named by its URL and opened once per `Campus`.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from analytics import barometer as barometer_figures
from analytics import score as score_engine
from analytics.relay_settings import RelaySettings
from analytics.settings import IndicatorSettings, ScoreWeights
from core.i18n import _, ngettext
from core.vocabulary import current_month, month_bounds, parse_period, shift_month
from reports import digest as digest_runner
from reports import publish as report_publish
from reports import relay as relay_runner
from reports import render as report_render
from reports.digest_settings import DigestSettings
from reports.settings import ReportSettings
from sync.discourse.client import DiscourseAPI
from sync.forum import pulse
from sync.forum.provision import load_cooperatives
from sync.forum.pulse import PulseSettings
from sync.mirror import barometer as barometer_store
from sync.mirror import db
from sync.mirror import pull as mirror
from sync.mirror.loader import load_forum
from sync.settings import ForumTemplate, SyncSettings, WorkerSettings
from sync.worker import Job

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Campus:
    """What the runs need, as plain values. `open_client` makes a Discourse client (it refuses
    to without an API key); `cooperatives_csv` is read when a run needs it, so an edit applies
    to the worker's next run; `forum_url` and `barometer_url` are what messages link to."""

    database_url: str
    open_client: Callable[[], DiscourseAPI]
    cooperatives_csv: Path
    timezone: str
    forum_url: str
    barometer_url: str
    scores_dir: Path
    reports_dir: Path
    template: ForumTemplate
    sync: SyncSettings
    score: ScoreWeights
    indicators: IndicatorSettings
    reports: ReportSettings
    pulse: PulseSettings
    relay: RelaySettings
    digest: DigestSettings
    worker: WorkerSettings

    @functools.cached_property
    def engine(self) -> Engine:
        """The mirror, opened (and migrated) on first use, then shared by every run."""
        return db.connect(self.database_url)

    def today(self) -> date:
        """Today in the network's time zone."""
        return datetime.now(ZoneInfo(self.timezone)).date()

    def cooperative_slugs(self) -> list[str]:
        """The cooperatives of cooperatives.csv (exit 2 if it is absent or wrong)."""
        return [coop.slug for coop in load_cooperatives(self.cooperatives_csv, self.template)]

    def sync_options(self) -> mirror.SyncOptions:
        """What `sync` and the worker mirror; without cooperatives.csv, no cooperative is known."""
        slugs = self.cooperative_slugs() if self.cooperatives_csv.exists() else []
        return mirror.sync_options(self.template, self.sync, slugs)


def run_sync(campus: Campus, *, full: bool = False, progress=None) -> mirror.SyncSummary:
    """One sync of the mirror (incremental, or `full`)."""
    return mirror.run_sync(
        campus.database_url,
        campus.open_client(),
        campus.sync_options(),
        full=full,
        progress=progress,
    )


def run_report(
    campus: Campus,
    month: str,
    *,
    coop: str | None = None,
    out: Path | None = None,
    lang: str | None = None,
    publish: bool = False,
    partial: bool = False,
    with_pdf: bool = False,
) -> dict:
    """Write the month's reports (and publish the network one); what `report` and the worker do."""
    settings = campus.reports
    folder = report_render.build_report(
        campus.engine,
        month,
        out or campus.reports_dir,
        lang=lang or settings.lang,
        settings=settings,
        thresholds=campus.indicators,
        tz=campus.timezone,
        only=coop,
        partial=partial,
        with_pdf=with_pdf,
    )
    result: dict = {"folder": str(folder)}
    if publish:
        markdown = (folder / "network.md").read_text(encoding="utf-8")
        result["published"] = report_publish.publish_report(
            campus.open_client(), month, markdown, settings, campus.timezone
        ).as_dict()
    return result


def run_pulse_post(campus: Campus, month: str) -> dict:
    """Open and announce `month` (or, in the polls mode, post its polls); the `--json` body."""
    settings = campus.pulse
    client = campus.open_client()
    slugs = campus.cooperative_slugs()
    min_group_size = campus.reports.min_group_size
    if settings.anonymous:
        outcome = pulse.announce_barometer(
            client,
            campus.engine,
            month,
            campus.today(),
            slugs,
            settings,
            campus.barometer_url,
            min_group_size,
        )
    else:
        closes_at = month_bounds(month, campus.timezone)[1]
        outcome = pulse.post_pulse(
            client, campus.engine, month, closes_at, slugs, settings, min_group_size
        )
    return outcome.as_dict() | {
        "month": month,
        "mode": settings.mode,
        "requests": client.total_requests,
    }


def run_pulse_close(campus: Campus, month: str) -> dict:
    """Close `month`, wait (a little) for the web service to count what it holds, purge old months."""
    settings = campus.pulse
    engine = campus.engine
    closed = barometer_store.close_month(engine, month, campus.today())
    deadline = time.monotonic() + settings.close_wait_seconds
    while barometer_store.uncounted(engine, month) and time.monotonic() < deadline:
        time.sleep(1)
    keep_from = shift_month(month, -12 * settings.keep_years + 1)
    purged = barometer_store.purge_before(engine, keep_from)
    data = barometer_store.read_month(engine, month)
    return {
        "month": month,
        "closed": closed,
        "answered": data.answered,
        "counted": int(data.cells["respondents"].sum()),
        "lost": data.lost,
        "uncounted": barometer_store.uncounted(engine, month),
        "purged_months": purged,
    }


def run_pulse_collect(campus: Campus, month: str) -> tuple[pulse.PulseOutcome, dict]:
    """Polls mode only: read the closed polls' totals of `month`; the outcome and `--json` body."""
    client = campus.open_client()
    outcome = pulse.collect_pulse(client, campus.engine, month)
    return outcome, outcome.as_dict() | {"month": month, "requests": client.total_requests}


def pulse_collected_line(outcome: pulse.PulseOutcome, month: str) -> str:
    """What `pulse collect` read: closed polls and their votes (one per person and axis)."""
    return " ".join(
        [
            ngettext(
                "Baromètre {month} : {n} sondage clos lu",
                "Baromètre {month} : {n} sondages clos lus",
                outcome.closed,
                month=month,
            ),
            ngettext("({n} vote),", "({n} votes),", outcome.voters),
            ngettext("{n} encore ouvert,", "{n} encore ouverts,", outcome.still_open),
            ngettext("{n} introuvable.", "{n} introuvables.", outcome.missing),
        ]
    )


def run_relay(campus: Campus, dry_run: bool) -> relay_runner.RelayOutcome:
    """One relay run (what `relay` and the worker do)."""
    return relay_runner.run_relay(
        campus.engine,
        campus.open_client(),
        campus.relay,
        tz=campus.timezone,
        relay_group=campus.template.relay_group,
        optout_group=campus.template.optout_group,
        forum_url=campus.forum_url,
        now=datetime.now(UTC),
        dry_run=dry_run,
    )


def run_digest(
    campus: Campus, month: str, coop: str | None, publish: bool
) -> tuple[digest_runner.Digest, dict | None]:
    """Build (and publish) a month's digest; what `digest` and the worker do."""
    digest = digest_runner.build_digest(
        campus.engine,
        month,
        tz=campus.timezone,
        forum_url=campus.forum_url,
        optout_group=campus.template.optout_group,
        coop=coop,
        now=datetime.now(UTC),
    )
    published = None
    if publish:
        category = coop or campus.digest.category
        published = digest_runner.publish_digest(
            campus.open_client(), campus.engine, digest, category, campus.timezone
        )
    return digest, published


def write_scores(campus: Campus) -> str:
    """The last 30 days' scores into scores/last30.csv (animator-facing, with names: kept apart
    from the directors' report folders); the line the worker prints."""
    start, end = parse_period("last30", campus.timezone, datetime.now(UTC))
    forum = load_forum(campus.engine, score_only=True)
    table = score_engine.score(
        forum, campus.score, start=start, end=end, optout_group=campus.template.optout_group
    )
    target = campus.scores_dir / "last30.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    # the same CSV as `campus score --format csv` (cells never start a formula)
    target.write_text(score_engine.render_scores(table, "csv") + "\n", encoding="utf-8")
    return ngettext(
        "{n} personne classée sur 30 jours → {path}",
        "{n} personnes classées sur 30 jours → {path}",
        len(table),
        path=target,
    )


def run_month(campus: Campus) -> str:
    """On the 1st: close (or collect) last month's barometer, write its report, open this one."""
    month = current_month(campus.timezone)
    previous = shift_month(month, -1)
    if campus.pulse.anonymous:
        collected = pulse.describe_closed(run_pulse_close(campus, previous))
    else:
        log.warning(pulse.not_anonymous_warning())
        outcome, _data = run_pulse_collect(campus, previous)
        collected = pulse_collected_line(outcome, previous)
    report = run_report(campus, previous, publish=campus.reports.publish_from_worker)
    posted = run_pulse_post(campus, month)
    lines = [collected]
    if "published" in report:
        lines.append(
            _(
                "Rapport écrit dans {folder}, publié dans le sujet {topic_id} « {title} ».",
                folder=report["folder"],
                **report["published"],
            )
        )
    else:
        lines.append(_("Rapport écrit dans {folder}.", **report))
    lines.append(pulse.describe_posted(posted))
    return " ".join(lines)


def digest_line(campus: Campus) -> str:
    """Last month's digest, published if [digest] publish_from_worker; the worker's line."""
    previous = shift_month(current_month(campus.timezone), -1)
    digest, published = run_digest(campus, previous, None, campus.digest.publish_from_worker)
    if published is None:
        return ngettext(
            "Récapitulatif {month} : {n} question résolue (non publié).",
            "Récapitulatif {month} : {n} questions résolues (non publié).",
            digest.questions,
            month=digest.month,
        )
    return digest_runner.describe_publication(published)


def worker_jobs(campus: Campus) -> list[Job]:
    """The worker's jobs: sync and relay hourly (relay sends only in working hours), scores
    daily, on the 1st pulse, report and digest, and a full reconciliation once a week at night
    ([worker] full_sync_weekday and full_sync_hour).

    Each returns the line `worker --once` prints and the log records, in the user's language
    (never a volunteer's name).
    """
    return [
        Job("sync", lambda: mirror.format_summary(run_sync(campus)), "hourly"),
        Job("score", lambda: write_scores(campus), "daily"),
        Job("pulse+report", lambda: run_month(campus), "monthly"),
        Job(
            "relay", lambda: run_relay(campus, dry_run=False).summary().replace("\n", " "), "hourly"
        ),
        Job("digest", lambda: digest_line(campus), "monthly"),
        Job(
            "sync --full",
            lambda: mirror.format_summary(run_sync(campus, full=True)),
            "weekly",
            at_hour=campus.worker.full_sync_hour,
            weekday=campus.worker.full_sync_weekday,
        ),
    ]


def pulse_status(campus: Campus, month: str) -> dict:
    """The `pulse status --json` body (DESIGN §3): participation and means, null below the size."""
    data = barometer_store.read_month(campus.engine, month)
    body = barometer_figures.status(
        data.state,
        data.respondents,
        data.cells,
        data.counts,
        campus.cooperative_slugs(),
        campus.reports.min_group_size,
    )
    return {"month": month, **body, "lost": data.lost}


def answer_barometer(
    campus: Campus, month: str, answers: list[tuple[int, list[str], dict]]
) -> dict:
    """Members answer through the page's own door (`AnswerBuffer`), then the month closes: what
    `campus serve` and `pulse close` do, in one process (the demo's)."""
    buffer = barometer_store.AnswerBuffer(campus.engine, campus.reports.min_group_size)
    slugs = campus.cooperative_slugs()
    for user_id, groups, values in answers:
        respondent = barometer_store.respondent_from_groups(
            user_id, groups, slugs, campus.template.role_groups
        )
        if respondent is not None:
            buffer.submit(month, respondent, values)
    barometer_store.close_month(campus.engine, month, campus.today())
    buffer.sweep()
    data = barometer_store.read_month(campus.engine, month)
    return {"month": month, "counted": int(data.cells["respondents"].sum()), "lost": data.lost}
