"""`campus sync` and `campus stats`: pull the forum's activity into the mirror, and say what
the mirror holds."""

from __future__ import annotations

from app.context import Campus
from core.progress import Progress
from sync.mirror import pull as mirror
from sync.mirror import stats as mirror_stats


def run(
    campus: Campus, *, full: bool = False, progress: Progress | None = None
) -> mirror.SyncSummary:
    """One sync of the mirror (incremental, or `full`); what `sync` and the worker do."""
    return mirror.run_sync(
        campus.database_url,
        campus.open_client(),
        campus.sync_options(),
        full=full,
        progress=progress,
    )


def worker_line(campus: Campus, *, full: bool = False) -> str:
    """One sync, summed up in a line (the worker's)."""
    return mirror.format_summary(run(campus, full=full))


def stats(campus: Campus) -> dict:
    """The `stats --json` body: what the mirror holds and when it was last synced."""
    campus.check_mirror_named()
    return mirror_stats.database_stats(campus.database_url)


def describe_stats(campus: Campus, result: dict) -> str:
    """The `stats` text, dates in the network's time zone."""
    return mirror_stats.format_stats(result, campus.timezone)
