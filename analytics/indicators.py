"""Monthly QVT and collaboration-risk indicators (DESIGN §7), for the network and each cooperative.

Only timestamps, structure and self-reported poll counts are used: the mirror holds no text.
Every figure carries `n`, the number of people it is computed over; a figure with
`n < min_group_size` is suppressed (its value is withheld, and marked as such).

Scopes: the network (`None`) or a cooperative slug. Two populations are used, as each
definition states:
- *topic-based* figures look at topics in the scope's categories (`root_slug` = the slug; all
  topics for the network);
- *people-based* figures look at what the scope's members wrote anywhere (members = accounts of
  its group, `users.cooperative`; for the network, every member of a cooperative).

What counts: regular posts (post_type 1), not deleted, in a non-deleted regular topic, by a real
account (id > 0; Discourse's system and bot accounts have negative ids). Topics that carry the
pulse polls are left out. Months and nights are cut in the network's time zone (Europe/Paris by
default), so 20:00 means 20:00 in Paris on both sides of a daylight-saving change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from analytics.forum import Forum
from analytics.periods import month_bounds
from sync.pulse import AXES

RESPONSE_WINDOW = pd.Timedelta(hours=48)
RETURN_WINDOW = pd.Timedelta(days=30)
EVENING_HOUR = 20  # after-hours from 20:00 …
MORNING_HOUR = 7  # … to 07:00, local time; and Saturdays and Sundays
TOP_SHARE = 0.10  # top 10 % of repliers
OVERLOAD_FACTOR = 3.0  # ≥ 3 × the median replier's replies …
OVERLOAD_AFTER_HOURS = 0.30  # … and ≥ 30 % of them after hours
ROLES = ("entrepreneur", "appui", "direction")


@dataclass(frozen=True)
class Definition:
    """What an indicator is: its axis, unit, and its definition in French and English."""

    id: str
    axis: str
    unit: str  # "people" | "count" | "share" | "hours" | "scale" (1–5)
    family: str  # participation, mutual_aid, working_time, load, social, pulse
    fr: str
    en: str
    definition_fr: str
    definition_en: str


def _d(id, axis, unit, family, fr, en, definition_fr, definition_en) -> Definition:
    return Definition(id, axis, unit, family, fr, en, definition_fr, definition_en)


DEFINITIONS: dict[str, Definition] = {
    d.id: d
    for d in [
        _d(
            "members",
            "rapports_sociaux",
            "people",
            "participation",
            "Membres",
            "Members",
            "Comptes du groupe (coopérative ; réseau : tous les membres d'une coopérative), hors comptes supprimés ou fantômes. n = ces membres.",
            "Accounts of the group (cooperative; network: every member of a cooperative), deleted and staged accounts excluded. n = these members.",
        ),
        _d(
            "active_members",
            "rapports_sociaux",
            "people",
            "participation",
            "Membres actifs",
            "Active members",
            "Membres ayant écrit au moins un message dans le mois (n'importe où sur le forum). n = les membres.",
            "Members who wrote at least one post in the month (anywhere on the forum). n = the members.",
        ),
        _d(
            "participation_rate",
            "rapports_sociaux",
            "share",
            "participation",
            "Taux de participation",
            "Participation rate",
            "Membres actifs ÷ membres. n = les membres.",
            "Active members ÷ members. n = the members.",
        ),
        _d(
            "new_contributors",
            "rapports_sociaux",
            "people",
            "participation",
            "Nouveaux contributeurs",
            "New contributors",
            "Membres dont le tout premier message date du mois. n = les membres.",
            "Members whose very first post was written in the month. n = the members.",
        ),
        _d(
            "topics",
            "rapports_sociaux",
            "count",
            "participation",
            "Sujets ouverts",
            "Topics opened",
            "Sujets créés dans le mois dans les catégories du périmètre. n = leurs auteurs.",
            "Topics created in the month in the scope's categories. n = their authors.",
        ),
        _d(
            "replies",
            "rapports_sociaux",
            "count",
            "participation",
            "Réponses",
            "Replies",
            "Messages autres que le premier d'un sujet, écrits dans le mois dans les catégories du périmètre. n = leurs auteurs.",
            "Posts other than a topic's first, written in the month in the scope's categories. n = their authors.",
        ),
        _d(
            "questions",
            "rapports_sociaux",
            "count",
            "mutual_aid",
            "Questions",
            "Questions",
            "Sujets créés dans le mois dans une catégorie où une réponse peut être acceptée (Entraide, Campus). n = leurs auteurs.",
            "Topics created in the month in a category where an answer can be accepted (Entraide, Campus). n = their authors.",
        ),
        _d(
            "answered_48h",
            "rapports_sociaux",
            "share",
            "mutual_aid",
            "Questions avec réponse en 48 h",
            "Questions answered within 48 h",
            "Part des questions du mois dont la première réponse d'une autre personne que l'auteur arrive au plus 48 heures après la question. n = les auteurs des questions.",
            "Share of the month's questions whose first reply by someone other than the author came at most 48 hours after the question. n = the question authors.",
        ),
        _d(
            "first_response_hours",
            "rapports_sociaux",
            "hours",
            "mutual_aid",
            "Délai médian de première réponse (h)",
            "Median time to first response (h)",
            "Médiane, en heures, du délai entre une question du mois et sa première réponse par une autre personne (questions ayant reçu une réponse à ce jour). n = les auteurs de ces questions.",
            "Median hours between a question of the month and its first reply by someone else (questions answered so far). n = the authors of these questions.",
        ),
        _d(
            "unanswered",
            "rapports_sociaux",
            "count",
            "mutual_aid",
            "Questions sans réponse en fin de mois",
            "Questions unanswered at month end",
            "Questions du mois sans aucune réponse d'une autre personne à la fin du mois. n = les auteurs des questions.",
            "Questions of the month with no reply by anyone else at the end of the month. n = the question authors.",
        ),
        _d(
            "solved_share",
            "autonomie",
            "share",
            "mutual_aid",
            "Questions résolues",
            "Questions solved",
            "Part des questions du mois ayant une réponse acceptée (à ce jour). n = les auteurs des questions.",
            "Share of the month's questions with an accepted answer (so far). n = the question authors.",
        ),
        _d(
            "peer_response_share",
            "autonomie",
            "share",
            "mutual_aid",
            "Premières réponses données par des pairs",
            "First responses given by peers",
            "Part des premières réponses aux questions du mois écrites par des entrepreneur·es (rôle entrepreneur) plutôt que par l'équipe d'appui ou la direction. n = les auteurs de ces premières réponses.",
            "Share of first responses to the month's questions written by entrepreneurs (role entrepreneur) rather than support staff or directors. n = the authors of these first responses.",
        ),
        _d(
            "after_hours",
            "intensite",
            "share",
            "working_time",
            "Messages en soirée, la nuit ou le week-end",
            "Posts in the evening, at night or at weekends",
            "Part des messages du mois écrits par les membres entre 20 h et 7 h (heure locale) ou le samedi ou le dimanche. n = leurs auteurs.",
            "Share of the month's posts by members written between 20:00 and 07:00 (local time) or on Saturday or Sunday. n = their authors.",
        ),
        *[
            _d(
                f"after_hours_{role}",
                "intensite",
                "share",
                "working_time",
                f"Messages hors horaires — {label_fr}",
                f"Posts after hours — {label_en}",
                f"Même définition, pour les messages des membres de rôle {role}. n = leurs auteurs.",
                f"Same definition, for posts by members of role {role}. n = their authors.",
            )
            for role, label_fr, label_en in (
                ("entrepreneur", "entrepreneur·es", "entrepreneurs"),
                ("appui", "équipes d'appui", "support staff"),
                ("direction", "directions", "directors"),
            )
        ],
        _d(
            "top_decile_share",
            "intensite",
            "share",
            "load",
            "Réponses écrites par les 10 % les plus actifs",
            "Replies written by the top 10 %",
            "Part des réponses du mois écrites par les 10 % de membres qui en écrivent le plus (au moins une personne). n = les membres ayant répondu.",
            "Share of the month's replies written by the 10 % of members who wrote most of them (at least one person). n = the members who replied.",
        ),
        _d(
            "absence_factor",
            "insecurite",
            "people",
            "load",
            "Facteur d'absence",
            "Absence factor",
            "Plus petit nombre de personnes qui écrivent ensemble la moitié des réponses du mois : plus il est bas, plus l'entraide dépend de quelques-uns. n = les membres ayant répondu.",
            "Fewest people who together write half of the month's replies: the lower, the more mutual aid depends on a few. n = the members who replied.",
        ),
        _d(
            "overloaded_helpers",
            "intensite",
            "people",
            "load",
            "Aidant·es surchargé·es",
            "Overloaded helpers",
            "Nombre (jamais les noms) de membres ayant écrit au moins 3 fois les réponses du répondant médian, dont au moins 30 % hors horaires. n = les membres ayant répondu.",
            "Number (never the names) of members who wrote at least 3 times the median replier's replies, at least 30 % of them after hours. n = the members who replied.",
        ),
        _d(
            "authors_without_reply",
            "rapports_sociaux",
            "people",
            "social",
            "Auteur·es restés sans réponse",
            "Authors left without a reply",
            "Personnes ayant ouvert des sujets dans le mois dont aucun n'a reçu de réponse d'une autre personne avant la fin du mois. n = les auteurs de sujets du mois.",
            "People who opened topics in the month none of which got a reply by someone else before the month ended. n = the month's topic authors.",
        ),
        _d(
            "newcomers_not_back",
            "rapports_sociaux",
            "people",
            "social",
            "Nouveaux venus non revenus",
            "Newcomers who did not come back",
            "Membres dont le premier message date du mois et qui n'ont rien écrit d'autre dans les 30 jours suivants (provisoire tant que 30 jours ne sont pas écoulés). n = ces nouveaux contributeurs.",
            "Members whose first post was written in the month and who wrote nothing else in the next 30 days (provisional until 30 days have passed). n = these new contributors.",
        ),
        _d(
            "cross_coop_share",
            "rapports_sociaux",
            "share",
            "social",
            "Réponses entre coopératives",
            "Replies across cooperatives",
            "Part des réponses du mois écrites par les membres à une personne d'une autre coopérative (l'auteur du message auquel on répond, sinon du sujet). n = les membres ayant répondu.",
            "Share of the month's replies by members addressed to someone of another cooperative (the author of the post replied to, else of the topic). n = the members who replied.",
        ),
        _d(
            "support_exchanges",
            "autonomie",
            "count",
            "social",
            "Échanges entrepreneur·es ↔ appui",
            "Entrepreneur ↔ support exchanges",
            "Réponses du mois, dans les catégories du périmètre, d'un·e entrepreneur·e à l'équipe d'appui ou l'inverse. n = leurs auteurs.",
            "Replies of the month, in the scope's categories, from an entrepreneur to support staff or the reverse. n = their authors.",
        ),
        _d(
            "flagged_posts",
            "exigences_emotionnelles",
            "count",
            "social",
            "Messages signalés ou masqués",
            "Flagged or hidden posts",
            "Messages du mois, dans les catégories du périmètre, signalés au moins une fois ou masqués par la modération (aucune lecture des textes). n = les auteurs des messages du mois.",
            "Posts of the month, in the scope's categories, flagged at least once or hidden by moderation (no text is read). n = the authors of the month's posts.",
        ),
        *[
            _d(
                f"pulse_{axis}",
                axis,
                "scale",
                "pulse",
                "Baromètre : réponse moyenne (1–5)",
                "Pulse: average answer (1–5)",
                "Moyenne des réponses au sondage du mois sur cet axe, de 1 (pas du tout d'accord) à 5 (tout à fait d'accord), lue après la clôture. n = les votant·es.",
                "Average answer to the month's poll on this axis, from 1 (strongly disagree) to 5 (strongly agree), read after closing. n = the voters.",
            )
            for axis in AXES
        ],
    ]
}


@dataclass(frozen=True)
class Figure:
    """A raw value and the number of people `n` it is computed over."""

    value: float | None
    n: int


@dataclass(frozen=True)
class Indicator:
    """One indicator of a scope for month M, with its previous month and 3-month mean.

    `value`/`previous` are None when suppressed (n below the group size) or undefined;
    `mean_3m` is the mean of the non-suppressed values of M-2, M-1 and M.
    """

    id: str
    axis: str
    unit: str
    value: float | None
    n: int
    suppressed: bool
    previous: float | None
    previous_n: int
    previous_suppressed: bool
    mean_3m: float | None


def shift_month(month: str, delta: int) -> str:
    """`"2026-01"`, -1 → `"2025-12"`."""
    year, number = int(month[:4]), int(month[5:7])
    index = year * 12 + number - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def current_month(tz: str, now: datetime | None = None) -> str:
    """The month ("YYYY-MM") it is now in the network's time zone."""
    now = now or datetime.now(ZoneInfo(tz))
    return now.astimezone(ZoneInfo(tz)).strftime("%Y-%m")


class Activity:
    """The forum prepared once for every month and scope: filtered rows and derived columns."""

    def __init__(self, forum: Forum, tz: str = "Europe/Paris") -> None:
        self.forum = forum
        self.tz = tz
        users = forum.users
        real = users[(users["id"] > 0) & ~users["staged"] & ~users["deleted"]]
        self.members = real[real["cooperative"].notna()][["id", "cooperative", "role"]]
        self.coop_of = users.set_index("id")["cooperative"]
        self.role_of = users.set_index("id")["role"]

        polls = forum.polls
        pulse_topics = set(polls.loc[polls["pulse_month"].notna(), "topic_id"])
        topics = forum.topics
        self.topics = topics[
            topics["deleted_at"].isna() & (topics["user_id"] > 0) & ~topics["id"].isin(pulse_topics)
        ].copy()

        posts = forum.posts
        posts = posts[
            (posts["post_type"] == 1)
            & posts["deleted_at"].isna()
            & ~posts["topic_deleted"]
            & (posts["user_id"] > 0)
            & posts["topic_id"].isin(self.topics["id"])
        ].copy()
        local = posts["created_at"].dt.tz_convert(tz)
        hour = local.dt.hour
        posts["after_hours"] = (
            (hour >= EVENING_HOUR) | (hour < MORNING_HOUR) | (local.dt.day_of_week >= 5)
        )
        posts["author_coop"] = posts["user_id"].map(self.coop_of)
        posts["author_role"] = posts["user_id"].map(self.role_of)
        posts["is_reply"] = posts["post_number"] > 1
        posts["addressee"] = self._addressees(forum.posts, posts)
        posts["addressee_coop"] = posts["addressee"].map(self.coop_of)
        posts["addressee_role"] = posts["addressee"].map(self.role_of)
        self.posts = posts.sort_values("created_at", kind="stable")

        # first and second post of each person, over the whole history
        by_user = self.posts.groupby("user_id")
        self.first_post = by_user["created_at"].min()
        self.second_post = by_user.nth(1).set_index("user_id")["created_at"]

        # first response to each topic: first reply by someone other than its author
        responses = self.posts[
            self.posts["is_reply"] & (self.posts["user_id"] != self.posts["topic_user_id"])
        ].drop_duplicates("topic_id", keep="first")
        self.first_response = responses.set_index("topic_id")[["created_at", "user_id"]].rename(
            columns={"created_at": "responded_at", "user_id": "responder"}
        )
        solved = set(forum.solutions["topic_id"]) | set(
            forum.topics.loc[forum.topics["accepted_post_id"].notna(), "id"]
        )
        self.topics["solved"] = self.topics["id"].isin(solved)
        self.topics = self.topics.join(self.first_response, on="id")
        self._months: dict[str, tuple[datetime, datetime]] = {}
        self._rows: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}

    @staticmethod
    def _addressees(all_posts: pd.DataFrame, posts: pd.DataFrame) -> pd.Series:
        """Whom each reply answers: the author of the post replied to, else the topic's author."""
        authors = all_posts.set_index(["topic_id", "post_number"])["user_id"]
        keys = pd.MultiIndex.from_arrays(
            [posts["topic_id"], posts["reply_to_post_number"].fillna(-1).astype("int64")]
        )
        replied = pd.Series(authors.reindex(keys).to_numpy(), index=posts.index)
        return replied.fillna(posts["topic_user_id"]).where(posts["is_reply"])

    def bounds(self, month: str) -> tuple[datetime, datetime]:
        """The month's `[start, end)` in UTC, cut in the network's time zone."""
        if month not in self._months:
            self._months[month] = month_bounds(month, self.tz)
        return self._months[month]

    def month_rows(self, month: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Posts written and topics created in the month (computed once per month)."""
        if month not in self._rows:
            start, end = self.bounds(month)
            posts, topics = self.posts, self.topics
            self._rows[month] = (
                posts[(posts["created_at"] >= start) & (posts["created_at"] < end)],
                topics[(topics["created_at"] >= start) & (topics["created_at"] < end)],
            )
        return self._rows[month]


@dataclass
class _Slice:
    """The rows one month and one scope look at."""

    members: pd.DataFrame
    member_posts: pd.DataFrame  # posts of the month by the scope's members (anywhere)
    scope_posts: pd.DataFrame  # posts of the month in the scope's categories
    scope_topics: pd.DataFrame  # topics created in the month in the scope's categories


def _slice(activity: Activity, month: str, scope: str | None) -> _Slice:
    in_month, new_topics = activity.month_rows(month)
    if scope is None:
        members = activity.members
        member_posts = in_month[in_month["author_coop"].notna()]
        return _Slice(members, member_posts, in_month, new_topics)
    return _Slice(
        activity.members[activity.members["cooperative"] == scope],
        in_month[in_month["author_coop"] == scope],
        in_month[in_month["root_slug"] == scope],
        new_topics[new_topics["root_slug"] == scope],
    )


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def compute_month(activity: Activity, month: str, scope: str | None) -> dict[str, Figure]:
    """Every indicator's raw value and `n` for one month and scope (nothing suppressed yet)."""
    start, end = activity.bounds(month)
    s = _slice(activity, month, scope)
    figures: dict[str, Figure] = {}

    # participation
    n_members = len(s.members)
    active = s.member_posts["user_id"].nunique()
    first = activity.first_post.reindex(s.members["id"])
    new = int(((first >= start) & (first < end)).sum())
    figures["members"] = Figure(n_members, n_members)
    figures["active_members"] = Figure(active, n_members)
    figures["participation_rate"] = Figure(_share(active, n_members), n_members)
    figures["new_contributors"] = Figure(new, n_members)
    figures["topics"] = Figure(len(s.scope_topics), s.scope_topics["user_id"].nunique())
    scope_replies = s.scope_posts[s.scope_posts["is_reply"]]
    figures["replies"] = Figure(len(scope_replies), scope_replies["user_id"].nunique())

    # mutual aid
    questions = s.scope_topics[s.scope_topics["accepted_answers"]]
    askers = questions["user_id"].nunique()
    delay = questions["responded_at"] - questions["created_at"]
    answered = questions[questions["responded_at"].notna()]
    figures["questions"] = Figure(len(questions), askers)
    figures["answered_48h"] = Figure(
        _share(int((delay <= RESPONSE_WINDOW).sum()), len(questions)), askers
    )
    hours = (answered["responded_at"] - answered["created_at"]).dt.total_seconds() / 3600
    figures["first_response_hours"] = Figure(
        float(hours.median()) if len(hours) else None, answered["user_id"].nunique()
    )
    unanswered = questions["responded_at"].isna() | (questions["responded_at"] >= end)
    figures["unanswered"] = Figure(int(unanswered.sum()), askers)
    figures["solved_share"] = Figure(_share(int(questions["solved"].sum()), len(questions)), askers)
    responder_roles = answered["responder"].map(activity.role_of)
    figures["peer_response_share"] = Figure(
        _share(int((responder_roles == "entrepreneur").sum()), len(answered)),
        answered["responder"].nunique(),
    )

    # working time
    mp = s.member_posts
    figures["after_hours"] = Figure(
        float(mp["after_hours"].mean()) if len(mp) else None, mp["user_id"].nunique()
    )
    for role in ROLES:
        rp = mp[mp["author_role"] == role]
        figures[f"after_hours_{role}"] = Figure(
            float(rp["after_hours"].mean()) if len(rp) else None, rp["user_id"].nunique()
        )

    # load concentration
    member_replies = mp[mp["is_reply"]]
    counts = member_replies.groupby("user_id").size().sort_values(ascending=False)
    repliers = len(counts)
    total = int(counts.sum())
    if repliers:
        top = math.ceil(TOP_SHARE * repliers)
        cumulative = counts.cumsum().to_numpy()
        figures["top_decile_share"] = Figure(float(cumulative[top - 1] / total), repliers)
        figures["absence_factor"] = Figure(
            int(np.searchsorted(cumulative, total / 2) + 1), repliers
        )
        late = member_replies.groupby("user_id")["after_hours"].mean().reindex(counts.index)
        overloaded = (counts >= OVERLOAD_FACTOR * counts.median()) & (late >= OVERLOAD_AFTER_HOURS)
        figures["overloaded_helpers"] = Figure(int(overloaded.sum()), repliers)
    else:
        for key in ("top_decile_share", "absence_factor", "overloaded_helpers"):
            figures[key] = Figure(None, 0)

    # social relations
    topics = s.scope_topics
    no_reply = topics["responded_at"].isna() | (topics["responded_at"] >= end)
    authors = topics.groupby("user_id")
    figures["authors_without_reply"] = Figure(
        int(no_reply.groupby(topics["user_id"]).all().sum()) if len(topics) else 0,
        authors.ngroups,
    )
    newcomers = first[(first >= start) & (first < end)]
    second = activity.second_post.reindex(newcomers.index)
    not_back = second.isna() | (second > newcomers + RETURN_WINDOW)
    figures["newcomers_not_back"] = Figure(int(not_back.sum()), len(newcomers))
    known = member_replies[member_replies["addressee_coop"].notna()]
    figures["cross_coop_share"] = Figure(
        _share(int((known["addressee_coop"] != known["author_coop"]).sum()), len(known)),
        repliers,
    )
    sr = scope_replies
    pair = ("entrepreneur", "appui")
    exchanges = sr[
        sr["author_role"].isin(pair)
        & sr["addressee_role"].isin(pair)
        & (sr["author_role"] != sr["addressee_role"])
    ]
    figures["support_exchanges"] = Figure(len(exchanges), exchanges["user_id"].nunique())
    flagged = s.scope_posts[(s.scope_posts["flag_count"] > 0) | s.scope_posts["hidden"]]
    figures["flagged_posts"] = Figure(len(flagged), s.scope_posts["user_id"].nunique())

    figures.update(pulse_figures(activity.forum, month, scope))
    return figures


def pulse_figures(forum: Forum, month: str, scope: str | None) -> dict[str, Figure]:
    """Average answer (1–5) per axis from the month's closed pulse polls; n = voters."""
    polls = forum.polls
    polls = polls[(polls["pulse_month"] == month) & (polls["status"] == "closed")]
    if scope is not None:
        polls = polls[polls["cooperative"] == scope]
    options = forum.poll_options[forum.poll_options["poll_id"].isin(polls["id"])]
    options = options.join(polls.set_index("id")["name"], on="poll_id")
    # the answer's score is its rank on the scale (1–5), whatever base the positions use
    options = options.assign(score=options.groupby("poll_id")["position"].rank(method="first"))
    figures = {}
    for axis in AXES:
        votes = options[options["name"] == axis]
        voters = int(polls.loc[polls["name"] == axis, "voters"].sum())
        total = int(votes["votes"].sum())
        mean = float((votes["score"] * votes["votes"]).sum() / total) if total else None
        figures[f"pulse_{axis}"] = Figure(mean, voters)
    return figures


def monthly_figures(
    activity: Activity, month: str, scope: str | None, months: int = 3
) -> dict[str, dict[str, Figure]]:
    """Raw figures of the `months` months ending with `month`, oldest first (`{month: figures}`)."""
    return {
        shift_month(month, -delta): compute_month(activity, shift_month(month, -delta), scope)
        for delta in range(max(months, 3) - 1, -1, -1)
    }


def indicators(
    activity: Activity,
    month: str,
    scope: str | None,
    min_group_size: int,
    figures: dict[str, dict[str, Figure]] | None = None,
) -> list[Indicator]:
    """The indicators of `scope` for `month`, with previous month and 3-month mean, suppressed
    where fewer than `min_group_size` people are behind a figure.

    `figures` (from `monthly_figures`) avoids computing the same months twice."""
    figures = figures or monthly_figures(activity, month, scope)
    months = [figures[shift_month(month, delta)] for delta in (0, -1, -2)]

    def shown(figure: Figure) -> float | None:
        return figure.value if figure.n >= min_group_size else None

    result = []
    for key, definition in DEFINITIONS.items():
        current, previous, before = (by_key[key] for by_key in months)
        visible = [v for v in (shown(current), shown(previous), shown(before)) if v is not None]
        result.append(
            Indicator(
                id=key,
                axis=definition.axis,
                unit=definition.unit,
                value=shown(current),
                n=current.n,
                suppressed=current.n < min_group_size,
                previous=shown(previous),
                previous_n=previous.n,
                previous_suppressed=previous.n < min_group_size,
                mean_3m=float(np.mean(visible)) if visible else None,
            )
        )
    return result


def history(
    figures: dict[str, dict[str, Figure]], min_group_size: int
) -> dict[str, list[float | None]]:
    """Each indicator's shown value (None when suppressed) month by month, oldest first."""
    return {
        key: [
            by_key[key].value if by_key[key].n >= min_group_size else None
            for by_key in figures.values()
        ]
        for key in DEFINITIONS
    }


def response_hours(activity: Activity, month: str, scope: str | None) -> pd.Series:
    """Hours to first response of the month's questions (NaN: no response yet)."""
    questions = _slice(activity, month, scope).scope_topics
    questions = questions[questions["accepted_answers"]]
    return (questions["responded_at"] - questions["created_at"]).dt.total_seconds() / 3600


def reply_counts(activity: Activity, month: str, scope: str | None) -> pd.Series:
    """Replies written in the month by each replier of the scope, most first (no names)."""
    posts = _slice(activity, month, scope).member_posts
    counts = posts[posts["is_reply"]].groupby("user_id").size()
    return counts.sort_values(ascending=False).reset_index(drop=True)


def cooperatives(forum: Forum) -> list[str]:
    """The cooperatives of the mirror: slugs of the members' groups, sorted."""
    return sorted(forum.users["cooperative"].dropna().unique().tolist())
