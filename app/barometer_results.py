"""« Vous avez dit / nous avons fait » (DESIGN §14): a closed month's barometer results and the
actions decided since, for the members' page `/barometre/resultats` and for the summary posted
in each cooperative's barometer topic when the month closes.

Results are those `pulse status` publishes (`analytics.barometer_figures.status`): one month,
never pooled across months, a mean only where at least `min_group_size` people answered (on the
axis too), participation only from that size. Actions are those of the cooperative's log recorded
or started since the month began: kind, title, status and start date — never who recorded them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from analytics import barometer_figures
from app import actions as action_log
from app.context import Campus
from core.i18n import _
from core.vocabulary import month_bounds
from reports.barometer_summary import summary_markdown
from sync.mirror import barometer_store

log = logging.getLogger("campus.pulse")


@dataclass(frozen=True)
class ScopeResults:
    """One scope's results: how many answered and each axis's mean (None below the size)."""

    respondents: int | None
    axes: dict[str, float | None]

    @property
    def shown(self) -> bool:
        return self.respondents is not None


@dataclass(frozen=True)
class Results:
    """A closed month's results for the network and some cooperatives, with their actions.

    `month` None: no month is closed yet. `names`: cooperative slug → name."""

    month: str | None
    min_group_size: int
    network: ScopeResults | None = None
    cooperatives: dict[str, ScopeResults] = field(default_factory=dict)
    actions: dict[str, list[action_log.ActionRecord]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)


def latest_closed_month(campus: Campus) -> str | None:
    """The most recent month whose barometer is closed, or None."""
    months = barometer_store.closed_months(campus.engine)
    return max(months) if months else None


def results(
    campus: Campus, month: str | None, cooperatives: list[str], names: dict[str, str]
) -> Results:
    """`month`'s results (None: the latest closed month) for the network and `cooperatives`,
    with each cooperative's actions decided since the month began."""
    k = campus["reports"].min_group_size
    month = month or latest_closed_month(campus)
    if month is None:
        return Results(None, k, names=names)
    data = barometer_store.read_month(campus.engine, month)
    status = barometer_figures.status(
        "closed", data.respondents, data.cells, data.counts, cooperatives, k
    )

    def scope(body: dict) -> ScopeResults:
        return ScopeResults(body["respondents"], dict(body["axes"]))

    since = month_bounds(month, campus.timezone)[0].date()
    decided: dict[str, list[action_log.ActionRecord]] = {slug: [] for slug in cooperatives}
    for action in action_log.all_actions(campus):
        if action.cooperative in decided and _decided_since(action, since):
            decided[action.cooperative].append(action)
    return Results(
        month,
        k,
        network=scope(status["network"]),
        cooperatives={slug: scope(status["cooperatives"][slug]) for slug in cooperatives},
        actions=decided,
        names=names,
    )


def _decided_since(action: action_log.ActionRecord, since: date) -> bool:
    """Recorded in the log, or started, on or after `since` (an abandoned one too: members are
    told what became of it)."""
    return action.created_at.date() >= since or action.started >= since


def post_summaries(campus: Campus, month: str) -> int:
    """Reply, in each cooperative's barometer topic of `month`, with the month's results and the
    actions decided since (inert Markdown: no mention, no link); how many replies were posted.

    Once per topic: a reply is recorded as soon as it is posted, so running `pulse close` again
    posts only what a failure left out, and nothing when every topic has its summary."""
    pending = barometer_store.unsummarised(campus.engine, month)
    if not pending:
        return 0
    slugs = sorted(pending)
    cooperatives = campus.cooperatives() if campus.cooperatives_csv.is_file() else []
    names = {coop.slug: coop.name for coop in cooperatives}
    found = results(campus, month, slugs, names)
    lang = campus["reports"].lang
    client = campus.open_client()
    for slug in slugs:
        raw = summary_markdown(found, slug, lang)
        post = client.reply(pending[slug], raw)
        barometer_store.record_summary(campus.engine, month, slug, int(post["id"]))
        log.info(
            _(
                "Baromètre {month} : résultats publiés pour {slug} (sujet {topic_id}).",
                month=month,
                slug=slug,
                topic_id=pending[slug],
            )
        )
    return len(slugs)
