"""`campus pulse`: the month's anonymous barometer — open and announce it, follow it, close it,
and (in the non-anonymous polls mode) collect its polls; also the members' answers as the web
page takes them, for the demo. `campus worker` calls the same functions on the 1st.
"""

from __future__ import annotations

import time

from analytics import barometer_figures
from app import barometer_results
from app.context import Campus
from core.errors import InputError
from core.i18n import _, ngettext
from core.vocabulary import month_bounds, shift_month
from sync.forum import barometer_topics
from sync.mirror import barometer_store

# What the barometer page uses of the mirror, re-exported: web reaches the mirror only through app.
from sync.mirror.barometer_store import AnswerBuffer as AnswerBuffer
from sync.mirror.barometer_store import Respondent as Respondent
from sync.mirror.barometer_store import clean_answers as clean_answers
from sync.mirror.barometer_store import has_answered as has_answered
from sync.mirror.barometer_store import month_state as month_state
from sync.mirror.barometer_store import respondent_from_groups as respondent_from_groups


def post(campus: Campus, month: str) -> dict:
    """Open and announce `month` (or, in the polls mode, post its polls); the `--json` body.

    Only the current month (in the network's time zone) opens: any other is refused (exit 2)
    before anything is written or sent."""
    current = campus.current_month()
    if month != current:
        raise InputError(
            _(
                "Le baromètre {month} ne peut pas être ouvert : seul celui du mois en cours"
                " ({current}) s'ouvre.",
                month=month,
                current=current,
            )
        )
    settings = campus["pulse"]
    client = campus.open_client()
    slugs = campus.cooperative_slugs()
    min_group_size = campus["reports"].min_group_size
    if settings.anonymous:
        outcome = barometer_topics.announce_barometer(
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
        outcome = barometer_topics.post_pulse(
            client, campus.engine, month, closes_at, slugs, settings, min_group_size
        )
    return outcome.as_dict() | {
        "month": month,
        "mode": settings.mode,
        "requests": client.total_requests,
    }


def close(campus: Campus, month: str) -> dict:
    """Close `month`, wait (a little) for the web service to count what it holds, purge old months,
    then reply in each cooperative's topic of the month with its results and the actions decided
    since (« vous avez dit / nous avons fait »; `summaries`: how many replies were posted).

    Only a finished month closes: the current or a future one is refused (exit 2) before
    anything is written; one already closed is left as it is (`closed` false), and only the
    summaries a failure left out are posted."""
    current = campus.current_month()
    if month >= current:
        raise InputError(
            _(
                "Le baromètre {month} ne peut pas être clos : seul un mois fini se clôt, et le"
                " mois en cours est {current}.",
                month=month,
                current=current,
            )
        )
    settings = campus["pulse"]
    engine = campus.engine
    closed = barometer_store.close_month(engine, month, campus.today())
    deadline = time.monotonic() + settings.close_wait_seconds
    while barometer_store.uncounted(engine, month) and time.monotonic() < deadline:
        time.sleep(1)
    keep_from = shift_month(month, -12 * settings.keep_years + 1)
    purged = barometer_store.purge_before(engine, keep_from)
    data = barometer_store.read_month(engine, month)
    summaries = barometer_results.post_summaries(campus, month)
    return {
        "month": month,
        "closed": closed,
        "answered": data.answered,
        "counted": int(data.cells["respondents"].sum()),
        "lost": data.lost,
        "uncounted": barometer_store.uncounted(engine, month),
        "purged_months": purged,
        "summaries": summaries,
    }


def collect(campus: Campus, month: str) -> tuple[barometer_topics.PulseOutcome, dict]:
    """Polls mode only: read the closed polls' totals of `month`; the outcome and `--json` body."""
    client = campus.open_client()
    outcome = barometer_topics.collect_pulse(client, campus.engine, month)
    return outcome, outcome.as_dict() | {"month": month, "requests": client.total_requests}


def collected_line(outcome: barometer_topics.PulseOutcome, month: str) -> str:
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


def status(campus: Campus, month: str) -> dict:
    """The `pulse status --json` body (DESIGN §3): participation and means, null below the size."""
    data = barometer_store.read_month(campus.engine, month)
    body = barometer_figures.status(
        data.state,
        data.respondents,
        data.cells,
        data.counts,
        campus.cooperative_slugs(),
        campus["reports"].min_group_size,
    )
    return {"month": month, **body, "lost": data.lost}


def answer(campus: Campus, month: str, answers: list[tuple[int, list[str], dict]]) -> dict:
    """Members answer through the page's own door (`AnswerBuffer`), then the month closes: what
    `campus serve` and `pulse close` do, in one process (the demo's)."""
    buffer = barometer_store.AnswerBuffer(campus.engine, campus["reports"].min_group_size)
    slugs = campus.cooperative_slugs()
    for user_id, groups, values in answers:
        respondent = barometer_store.respondent_from_groups(
            user_id, groups, slugs, campus["template"].role_groups
        )
        if respondent is not None:
            buffer.submit(month, respondent, values)
    closed = barometer_store.close_month(campus.engine, month, campus.today())
    buffer.sweep()
    data = barometer_store.read_month(campus.engine, month)
    return {
        "month": month,
        "closed": closed,
        "counted": int(data.cells["respondents"].sum()),
        "lost": data.lost,
    }
