"""`campus pulse`: the month's anonymous barometer — open and announce it, follow it, remind it a
week before it closes, close it, and (in the non-anonymous polls mode) collect its polls; also
the members' answers as the web page takes them, for the demo, and what the pages say of a
month (its dates in words). `campus worker` calls the same functions on schedule.
"""

from __future__ import annotations

import time
from datetime import date, timedelta

from babel.dates import format_date

from analytics import barometer_figures
from app import barometer_results
from app.context import Campus
from core.errors import InputError
from core.i18n import _, current_lang, format_month, ngettext
from core.vocabulary import month_bounds, shift_month, zone
from reports.formatting import LOCALES, Formatter
from sync.forum import barometer_topics
from sync.mirror import barometer_store

# What the barometer page uses of the mirror, re-exported: web reaches the mirror only through app.
from sync.mirror.barometer_store import AnswerBuffer as AnswerBuffer
from sync.mirror.barometer_store import Respondent as Respondent
from sync.mirror.barometer_store import UnansweredStatements as UnansweredStatements
from sync.mirror.barometer_store import clean_answers as clean_answers
from sync.mirror.barometer_store import has_answered as has_answered
from sync.mirror.barometer_store import month_state as month_state
from sync.mirror.barometer_store import respondent_from_groups as respondent_from_groups

RESULTS_PATH = "/barometre/resultats"  # the results page of the web service (DESIGN §10)
REMIND_DAYS = 7  # the reminder is posted this many days before the month closes


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

    What is then still neither counted nor dropped was held by a web service that stopped
    without counting it (killed): it is added to the month's `lost` (`lost_at_close`).

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
    lost_at_close = barometer_store.declare_lost(engine, month)
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
        "lost_at_close": lost_at_close,
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
                month=format_month(month),
            ),
            ngettext("({n} vote),", "({n} votes),", outcome.voters),
            ngettext("{n} encore ouvert,", "{n} encore ouverts,", outcome.still_open),
            ngettext("{n} introuvable.", "{n} introuvables.", outcome.missing),
        ]
    )


def status(campus: Campus, month: str, slugs: list[str] | None = None) -> dict:
    """The `pulse status --json` body (DESIGN §3): participation and means, null below the size.

    `slugs`: the cooperatives to list (default: cooperatives.csv's, exit 2 if it is wrong; the
    web service passes the ones it already knows)."""
    data = barometer_store.read_month(campus.engine, month)
    body = barometer_figures.status(
        data.state,
        data.respondents,
        data.cells,
        data.counts,
        campus.cooperative_slugs() if slugs is None else slugs,
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


def _day_words(day: date) -> str:
    """A day in words in the reader's language (« 31 décembre 2026 »)."""
    return format_date(day, format="long", locale=LOCALES[current_lang()])


def _closes_on(campus: Campus, month: str) -> date:
    """The day `month` closes in the network's time zone: the 1st of the next month."""
    return month_bounds(month, campus.timezone)[1].astimezone(zone(campus.timezone)).date()


def month_facts(campus: Campus, month: str) -> dict:
    """What the pages say of `month`'s barometer, in words: the month, its last day, and the day
    its results appear (the month closes, and is counted, on the 1st of the next one)."""
    closes = _closes_on(campus, month)
    return {
        "month": month,
        "month_words": Formatter(current_lang(), campus.timezone).month(month),
        "last_day": _day_words(closes - timedelta(days=1)),
        "results_on": _day_words(closes),
        "results_path": RESULTS_PATH,
    }


def invitation(campus: Campus, user_id: int) -> dict:
    """The current month's barometer for the home page: its facts, whether it is open and
    whether this member has answered it."""
    month = campus.current_month()
    state = month_state(campus.engine, month)
    answered = state == "open" and has_answered(campus.engine, month, user_id)
    return month_facts(campus, month) | {"state": state, "answered": answered}


def reminder_day(campus: Campus, month: str) -> date:
    """The day the month's reminder is due: `REMIND_DAYS` before the month closes."""
    return _closes_on(campus, month) - timedelta(days=REMIND_DAYS)


def remind(campus: Campus) -> dict:
    """A week before the month closes, reply once in each cooperative's announcement topic of
    the open month (a bump, no mention) so members who have not answered think of it.

    Before that week, with the month not open, or in the polls mode, nothing is sent. Run daily
    by the worker; each topic gets one reminder a month (recorded in the mirror)."""
    month = campus.current_month()
    starts = reminder_day(campus, month)
    body: dict = {"month": month, "from": starts.isoformat(), "reminded": [], "already": []}
    if not campus["pulse"].anonymous or month_state(campus.engine, month) != "open":
        return body | {"due": False, "open": False}
    if campus.today() < starts:
        return body | {"due": False, "open": True}
    facts = month_facts(campus, month)
    raw = barometer_topics.reminder_raw(
        campus.barometer_url, facts["month_words"], facts["last_day"]
    )
    outcome = barometer_topics.remind_barometer(
        campus.open_client(), campus.engine, month, campus.today(), raw
    )
    return body | {"due": True, "open": True} | outcome.as_dict()


def reminder_line(data: dict) -> str:
    """The line the worker logs for `remind`."""
    month = data["month"]
    if not data["open"]:
        return _("Rappel du baromètre {month} : mois non ouvert, rien à rappeler.", month=month)
    if not data["due"]:
        return _(
            "Rappel du baromètre {month} : pas avant le {day}.",
            month=month,
            day=_day_words(date.fromisoformat(data["from"])),
        )
    line = ngettext(
        "Rappel du baromètre {month} : {n} sujet relancé,",
        "Rappel du baromètre {month} : {n} sujets relancés,",
        len(data["reminded"]),
        month=month,
    )
    line += " " + ngettext(
        "{n} déjà relancé ce mois-ci.", "{n} déjà relancés ce mois-ci.", len(data["already"])
    )
    if data.get("missing"):
        line += " " + ngettext(
            "{n} sujet introuvable.", "{n} sujets introuvables.", len(data["missing"])
        )
    return line
