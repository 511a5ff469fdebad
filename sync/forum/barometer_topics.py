"""The monthly QVT pulse (DESIGN §8): the anonymous barometer's settings and announcements, and
the older Discourse polls, kept behind `[pulse] mode = "discourse_polls"`.

In the default mode (`barometre`), `announce_barometer` opens the month in Campus's database and
posts, in each cooperative's category, one topic linking to the barometer page of the web service
(`<base_url>/barometre`); answers never go through Discourse (see `sync.mirror.barometer_store`).

In the polls mode, each cooperative gets one topic a month holding one Discourse poll per Gollac
axis, and only the aggregate counts of closed polls are read back into the mirror (`polls` /
`poll_options`). Discourse keeps who voted what (`poll_votes.user_id`) and any admin can read it:
that mode is not anonymous and says so. Months collected that way stay readable in reports.

Posting is idempotent: a cooperative whose topic of the month is recorded in the mirror gets no
second topic. The announcements of the anonymous barometer are found by that recorded id only;
the older polls mode also looks for the month's topic by its title when the mirror lost it (its
poll ids are read back from that post).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import Engine

from core.errors import InputError
from core.i18n import _, current_lang, format_month, format_number, ngettext
from core.settings import NON_NEGATIVE, Bounds, Section, doc
from core.vocabulary import AXES, AXIS_LABELS
from sync.discourse.client import DiscourseAPI
from sync.discourse.exceptions import DiscourseNotFound
from sync.mirror import barometer_store, db, store
from sync.mirror.records import parse_time

log = logging.getLogger("campus.pulse")

MODES = ("barometre", "discourse_polls")

# How far back (in bumped order) to look for an existing pulse topic in a cooperative category.
SEARCH_MARGIN = timedelta(days=62)
LIST_PAGE = 100


@dataclass(frozen=True)
class PulseSettings(Section):
    """The barometer: how answers are collected, its statements, scale, notice and topics."""

    SECTION: ClassVar[str] = "pulse"
    TITLE: ClassVar[str] = "Le baromètre QVT mensuel anonyme (campus pulse)"

    mode: str = doc(
        "barometre",
        "« barometre » : page anonyme du service web (défaut) ; « discourse_polls » : anciens "
        "sondages Discourse, NON anonymes (tout admin du forum voit qui a voté quoi)",
    )
    contact: str = doc(
        "l'animation du réseau (voir la catégorie Campus du forum)",
        "à qui s'adresser pour une question sur le baromètre (affiché sur la page)",
    )
    keep_years: int = doc(
        5,
        "années de conservation des totaux anonymes ; « pulse close » efface les plus anciens",
        bounds=Bounds(1),
    )
    close_wait_seconds: int = doc(
        30,
        "« pulse close » attend au plus ce délai que le service web compte ses réponses",
        bounds=NON_NEGATIVE,
    )

    title: str = doc(
        "Baromètre QVT {month} — {cooperative}",
        "titre du sujet ({month} : le mois en toutes lettres, {cooperative} : slug)",
    )
    intro: str = doc(
        "Six questions, une minute : vos réponses sont anonymes et seuls les totaux sont lus. "
        "Ils ne sont montrés que si au moins {min_group_size} personnes ont répondu.",
        "texte en tête du sujet ({min_group_size} : le min_group_size de [reports])",
    )
    statements: dict[str, str] = doc(
        {
            "intensite": "Ce mois-ci, ma charge de travail est restée soutenable.",
            "exigences_emotionnelles": "J'ai pu faire face aux tensions avec mes clients ou "
            "partenaires sans m'épuiser.",
            "autonomie": "Je garde la main sur l'organisation de mon activité.",
            "rapports_sociaux": "Quand j'ai besoin d'aide, je sais vers qui me tourner dans le "
            "réseau.",
            "conflits_valeurs": "Je peux exercer mon métier en accord avec ce qui compte pour moi.",
            "insecurite": "Je suis serein·e quant à l'avenir de mon activité pour les six "
            "prochains mois.",
        },
        "affirmation soumise pour chaque axe du rapport Gollac",
    )
    options: dict[str, str] = doc(
        {
            "1": "Pas du tout d'accord",
            "2": "Plutôt pas d'accord",
            "3": "Ni d'accord ni pas d'accord",
            "4": "Plutôt d'accord",
            "5": "Tout à fait d'accord",
        },
        "les cinq réponses, de 1 (pas du tout d'accord) à 5 (tout à fait d'accord)",
    )

    def check(self) -> None:
        """An unknown mode is refused (exit 2)."""
        if self.mode not in MODES:
            raise InputError(
                _(
                    "[pulse] mode = {value!r} : valeurs possibles {known}. Corrigez campus.toml.",
                    value=self.mode,
                    known=", ".join(MODES),
                )
            )

    @property
    def anonymous(self) -> bool:
        """False in the polls mode: Discourse keeps every voter."""
        return self.mode == "barometre"

    def validate(self) -> None:
        """Refuse statements that do not cover exactly the six axes, or a scale other than 1–5."""
        if set(self.statements) != set(AXES):
            raise InputError(
                _(
                    "[pulse] statements : axes attendus {expected} ; reçus {found}. "
                    "Corrigez campus.toml.",
                    expected=", ".join(AXES),
                    found=", ".join(self.statements) or "—",
                )
            )
        if sorted(self.options) != ["1", "2", "3", "4", "5"]:
            raise InputError(
                _(
                    "[pulse] options : il faut exactement 5 réponses, clés 1 à 5 (reçues : "
                    "{found}). Corrigez campus.toml.",
                    found=", ".join(self.options) or "—",
                )
            )

    def scale(self) -> list[str]:
        """The answer labels, from 1 to 5."""
        return [self.options[str(position)] for position in range(1, 6)]


def option_digest(text: str) -> str:
    """The id Discourse gives a poll option: md5 of `JSON.stringify([text])`, in hex."""
    encoded = json.dumps([text], ensure_ascii=False, separators=(",", ":"))
    return hashlib.md5(encoded.encode("utf-8")).hexdigest()


def pulse_raw(settings: PulseSettings, closes_at: datetime, min_group_size: int = 5) -> str:
    """The first post of a pulse topic: the intro, then one secret poll per axis.

    `{min_group_size}` in the intro becomes the reports' group size, so what members are told
    matches what the report does (plain replacement: other braces in the text stay as written)."""
    close = closes_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    blocks = [settings.intro.replace("{min_group_size}", str(min_group_size))]
    for axis in AXES:
        options = "\n".join(f"* {label}" for label in settings.scale())
        blocks.append(
            f"**{AXIS_LABELS['fr'][axis]}** — {settings.statements[axis]}\n\n"
            f"[poll name={axis} type=regular results=on_close public=false close={close}]\n"
            f"{options}\n[/poll]"
        )
    return "\n\n".join(blocks) + "\n"


@dataclass
class PulseOutcome:
    """What `post_pulse` / `collect_pulse` did, per cooperative or poll (for `--json`)."""

    posted: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    closed: int = 0
    still_open: int = 0
    missing: int = 0
    voters: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "posted": self.posted,
            "already": self.already,
            "closed": self.closed,
            "still_open": self.still_open,
            "missing": self.missing,
            "voters": self.voters,
        }


def post_pulse(
    api: DiscourseAPI,
    engine: Engine,
    month: str,
    closes_at: datetime,
    cooperatives: Iterable[str],
    settings: PulseSettings,
    min_group_size: int = 5,
) -> PulseOutcome:
    """Post the pulse topic of `month` in each cooperative's category, unless already there.

    `closes_at` is the end of the month in the network's time zone (the caller computes it);
    every poll closes then. `min_group_size` (the reports' setting) is the number of voters the
    intro promises before a result is shown. Each topic posted (or found) is recorded in the mirror at once, so a
    second run makes no write request.
    """
    settings.validate()
    outcome = PulseOutcome()
    slugs = list(cooperatives)
    with db.reader(engine).connect() as conn:
        recorded = store.pulse_cooperatives(conn, month)
    pending = [slug for slug in slugs if slug not in recorded]
    outcome.already.extend(slug for slug in slugs if slug in recorded)
    if not pending:
        return outcome
    categories = {
        category["slug"]: category
        for category in api.all_categories()
        if not category.get("parent_category_id")
    }
    missing = [slug for slug in pending if slug not in categories]
    if missing:  # refused before any topic is posted: nothing half-done
        raise InputError(_no_category(missing))
    raw = pulse_raw(settings, closes_at, min_group_size)
    for slug in pending:
        category = categories[slug]
        title = settings.title.format(month=format_month(month), cooperative=slug)
        topic_id = find_topic(api, category["id"], title, closes_at - SEARCH_MARGIN)
        if topic_id is not None:
            first_post = first_post_of(api, topic_id)
            outcome.already.append(slug)
        else:
            first_post = api.create_topic(title, raw, category["id"])
            outcome.posted.append(slug)
            log.info(
                _(
                    "Baromètre {month} publié pour {slug} (sujet {topic_id}).",
                    month=format_month(month),
                    slug=slug,
                    topic_id=first_post["topic_id"],
                )
            )
        _record(engine, first_post, month, slug, settings, closes_at)
    return outcome


def find_topic(api: DiscourseAPI, category_id: int, title: str, since: datetime) -> int | None:
    """The id of the topic titled `title` in a category, or None.

    Walks `/latest.json?category=<id>` (bumped order, 100 a page) down to topics last bumped
    before `since`: a topic created after `since` is always bumped after it. Items are filtered
    on `category_id` too, so a forum that ignores the `category` filter gives the same answer.
    """
    since = _naive_utc(since)
    for topics in api.iter_latest_topics(per_page=LIST_PAGE, category=category_id):
        for topic in topics:
            if topic.get("category_id") == category_id and topic.get("title") == title:
                return int(topic["id"])
        bumped = (
            parse_time(topic.get("bumped_at") or topic.get("created_at"))
            for topic in topics
            if not topic.get("pinned")
        )
        if not any(moment is not None and moment >= since for moment in bumped):
            return None
    return None


def first_post_of(api: DiscourseAPI, topic_id: int) -> dict:
    """The first post of a topic (with its `polls`), from the topic view."""
    topic = api.topic_with_posts(topic_id)
    posts = topic["post_stream"]["posts"]
    return next(post for post in posts if post.get("post_number") == 1)


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _record(
    engine: Engine,
    post: dict,
    month: str,
    cooperative: str,
    settings: PulseSettings,
    closes_at: datetime,
) -> None:
    """Write (or tag) the polls of a pulse post in the mirror, options in scale order."""
    served = {poll["name"]: poll for poll in post.get("polls") or []}
    with engine.begin() as conn:
        for axis in AXES:
            options = served.get(axis, {}).get("options") or [
                {"id": option_digest(label), "html": label} for label in settings.scale()
            ]
            store.record_pulse_poll(
                conn,
                post,
                axis,
                options,
                month=month,
                cooperative=cooperative,
                close_at=_naive_utc(closes_at),
            )


def collect_pulse(api: DiscourseAPI, engine: Engine, month: str) -> PulseOutcome:
    """Read the aggregate results of the month's closed pulse polls into the mirror.

    One request per pulse post. Polls still open are left as they are (their results are not
    visible before closing); a post deleted on the forum is counted as missing.
    """
    outcome = PulseOutcome()
    with db.reader(engine).connect() as conn:
        post_ids = store.pulse_post_ids(conn, month)
    for post_id in post_ids:
        try:
            post = api.post_by_id(post_id)
        except DiscourseNotFound:
            outcome.missing += 1
            log.warning(
                _("Le message de baromètre {post_id} n'existe plus sur le forum.", post_id=post_id)
            )
            continue
        served = {poll["name"]: poll for poll in (post or {}).get("polls") or []}
        with engine.begin() as conn:
            for poll in store.pulse_polls_of(conn, post_id, month):
                data = served.get(poll.name)
                if data is None:
                    outcome.missing += 1
                    continue
                if data.get("status") != "closed":
                    outcome.still_open += 1
                    continue
                outcome.voters += store.store_poll_results(conn, poll.id, data)
                outcome.closed += 1
    return outcome


def _no_category(missing: list[str]) -> str:
    return _(
        "Catégorie introuvable sur le forum pour la ou les coopératives {slug} : lancez "
        "« campus provision ». Rien n'a été publié.",
        slug=", ".join(missing),
    )


def not_anonymous_warning() -> str:
    """What an animator is told whenever the polls mode is used."""
    return _(
        'Attention : [pulse] mode = "discourse_polls" n\'est pas anonyme. Discourse garde qui a '
        "voté quoi, et tout admin du forum peut le lire. Le baromètre anonyme est le mode "
        "« barometre » (page du service web)."
    )


# --- the anonymous barometer's announcements ---------------------------------------------------


def announcement_raw(settings: PulseSettings, page_url: str, min_group_size: int = 5) -> str:
    """The announcement topic's post: the intro and the link to the barometer page.

    Nothing in it comes from a member; `page_url` is Campus's own address (configuration)."""
    intro = settings.intro.replace("{min_group_size}", str(min_group_size))
    return (
        f"{intro}\n\n"
        + _(
            "Répondre au baromètre du mois : {url} (connexion avec votre compte du forum ; "
            "la page explique qui voit quoi avant toute réponse).",
            url=page_url,
        )
        + "\n"
    )


@dataclass
class AnnounceOutcome:
    """What `announce_barometer` did (for `--json`)."""

    opened: bool = False
    posted: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"opened": self.opened, "posted": self.posted, "already": self.already}


def announce_barometer(
    api: DiscourseAPI,
    engine: Engine,
    month: str,
    today: date,
    cooperatives: Iterable[str],
    settings: PulseSettings,
    page_url: str,
    min_group_size: int = 5,
) -> AnnounceOutcome:
    """Open `month` for answers and post its announcement in each cooperative's category.

    Idempotent: an announcement recorded in the mirror (by its topic id, never found by its
    title, which says the month in words and may change) is not posted again; a second run
    right after makes no write request. Every category is
    checked before anything is written. No answer, count or name is ever sent to Discourse."""
    outcome = AnnounceOutcome()
    slugs = list(cooperatives)
    recorded = barometer_store.announced(engine, month)
    pending = [slug for slug in slugs if slug not in recorded]
    outcome.already.extend(slug for slug in slugs if slug in recorded)
    categories: dict[str, dict] = {}
    if pending:
        categories = {
            category["slug"]: category
            for category in api.all_categories()
            if not category.get("parent_category_id")
        }
        missing = [slug for slug in pending if slug not in categories]
        if missing:  # refused before anything is opened or posted: nothing half-done
            raise InputError(_no_category(missing))
    outcome.opened = barometer_store.open_month(engine, month, today)
    raw = announcement_raw(settings, page_url, min_group_size)
    for slug in pending:
        category = categories[slug]
        title = settings.title.format(month=format_month(month), cooperative=slug)
        topic_id = int(api.create_topic(title, raw, category["id"])["topic_id"])
        outcome.posted.append(slug)
        log.info(
            _(
                "Baromètre {month} annoncé pour {slug} (sujet {topic_id}).",
                month=format_month(month),
                slug=slug,
                topic_id=topic_id,
            )
        )
        barometer_store.record_announcement(engine, month, slug, topic_id)
    return outcome


def reminder_raw(page_url: str, month_words: str, last_day_words: str) -> str:
    """The reminder posted in an announcement topic a week before the month closes.

    No mention and no member's text: only the month, its last day and Campus's own address."""
    return (
        _(
            "Rappel : le baromètre QVT de {month} se termine le {last_day} au soir. Si vous "
            "n'avez pas encore répondu : six affirmations, une minute, de façon anonyme, sur "
            "{url} (connexion avec votre compte du forum).",
            month=month_words,
            last_day=last_day_words,
            url=page_url,
        )
        + "\n"
    )


@dataclass
class ReminderOutcome:
    """What `remind_barometer` did: cooperatives reminded, already reminded, topic gone."""

    reminded: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"reminded": self.reminded, "already": self.already, "missing": self.missing}


def remind_barometer(
    api: DiscourseAPI, engine: Engine, month: str, today: date, raw: str
) -> ReminderOutcome:
    """Reply `raw` once in each announcement topic of `month` not reminded yet (a bump).

    Each cooperative's reminder is recorded as soon as it is posted, so a second run posts
    nothing; a topic deleted since the announcement is skipped (and tried again next run)."""
    outcome = ReminderOutcome()
    pending = barometer_store.unreminded(engine, month)
    outcome.already.extend(sorted(barometer_store.announced(engine, month) - set(pending)))
    for slug, topic_id in sorted(pending.items()):
        try:
            api.reply(topic_id, raw)
        except DiscourseNotFound:
            log.warning(
                _(
                    "Baromètre {month} : le sujet {topic_id} de {slug} est introuvable ; pas de "
                    "rappel.",
                    month=month,
                    topic_id=topic_id,
                    slug=slug,
                )
            )
            outcome.missing.append(slug)
            continue
        barometer_store.record_reminder(engine, month, slug, today)
        outcome.reminded.append(slug)
    return outcome


# --- what `campus pulse …` prints ---------------------------------------------------------------


def describe_posted(data: dict) -> str:
    """The one line `pulse post` prints."""
    if data.get("mode") == "discourse_polls":
        text = ngettext(
            "Sondages {month} : {n} sujet publié,",
            "Sondages {month} : {n} sujets publiés,",
            len(data["posted"]),
            month=format_month(data["month"]),
        )
    else:
        text = ngettext(
            "Baromètre {month} : {n} sujet d'annonce publié,",
            "Baromètre {month} : {n} sujets d'annonce publiés,",
            len(data["posted"]),
            month=format_month(data["month"]),
        )
    return text + " " + _("{n} déjà en place.", n=format_number(len(data["already"]), 0))


def describe_status(data: dict, min_group_size: int) -> list[str]:
    """The lines `pulse status` prints: the month's state, then the network and each cooperative."""
    state = {
        "open": _("ouvert"),
        "closed": _("clos"),
        "unopened": _("pas ouvert (« campus pulse post » l'ouvre)"),
    }[data["state"]]
    labels = AXIS_LABELS[current_lang()]

    def block(name: str, scope: dict) -> list[str]:
        if scope["respondents"] is None:
            return [
                _(
                    "{name} : moins de {n} réponses, moyennes masquées (anonymat).",
                    name=name,
                    n=min_group_size,
                )
            ]
        head = ngettext(
            "{name} : {n} réponse, moyennes sur 5 :",
            "{name} : {n} réponses, moyennes sur 5 :",
            scope["respondents"],
            name=name,
        )
        return [head] + [
            "  "
            + _(
                "{axis} : {mean}",
                axis=labels.get(axis, axis),
                mean="—" if value is None else format_number(value, 1, fixed=True),
            )
            for axis, value in scope["axes"].items()
        ]

    lines = [_("Baromètre {month} : {state}.", month=format_month(data["month"]), state=state)]
    lines.extend(block(_("Réseau"), data["network"]))
    for slug, scope in data["cooperatives"].items():
        lines.extend(block(slug, scope))
    return lines


def describe_closed(data: dict) -> str:
    """The line `pulse close` prints (« déjà clos » when it found the month closed)."""
    return " ".join(
        [
            ngettext(
                "Baromètre {month} clos : {n} réponse comptée,",
                "Baromètre {month} clos : {n} réponses comptées,",
                data["counted"],
                month=format_month(data["month"]),
            )
            if data["closed"]
            else ngettext(
                "Baromètre {month} déjà clos : {n} réponse comptée,",
                "Baromètre {month} déjà clos : {n} réponses comptées,",
                data["counted"],
                month=format_month(data["month"]),
            ),
            ngettext("{n} perdue.", "{n} perdues.", data["lost"]),
            *(
                [
                    ngettext(
                        "{n} sujet de coopérative a reçu le résumé des résultats et des actions.",
                        "{n} sujets de coopérative ont reçu le résumé des résultats et des"
                        " actions.",
                        data["summaries"],
                    )
                ]
                if data.get("summaries")
                else []
            ),
        ]
    )


def describe_lost_at_close(n: int) -> str:
    """Said when a month closes with answers no web service counted: they were lost."""
    return ngettext(
        "{n} réponse perdue : le service web (campus serve) la tenait en mémoire et s'est arrêté"
        " sans la compter (arrêt brutal). Elle est comptée dans les réponses perdues du mois.",
        "{n} réponses perdues : le service web (campus serve) les tenait en mémoire et s'est"
        " arrêté sans les compter (arrêt brutal). Elles sont comptées dans les réponses perdues"
        " du mois.",
        n,
    )


def collect_refused() -> str:
    return _(
        "« pulse collect » lit les anciens sondages Discourse : il ne sert qu'avec [pulse] mode = "
        '"discourse_polls", qui n\'est pas anonyme. Le baromètre anonyme se clôt avec '
        "« campus pulse close »."
    )
