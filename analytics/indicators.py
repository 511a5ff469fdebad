"""Monthly QVT and collaboration-risk indicators (DESIGN §7), for the network and each cooperative.

Only timestamps, structure and self-reported poll counts are used: the mirror holds no text.
Every figure carries `n`, the number of people it is computed over; a figure with
`n < min_group_size` is suppressed (its value is withheld, and marked as such). For additive
figures (counts whose network value is the sum of the cooperatives' values) a second,
complementary suppression follows, so the network minus the shown cooperatives never gives one
hidden value: see `suppression`, the one place where what is withheld is decided. What each
indicator is (axis, unit, definition, better direction, additive…) is declared once in
`analytics.catalogue`; this module computes the figures.

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

import functools
import math
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analytics import barometer_figures
from analytics.catalogue import CATALOGUE
from analytics.relay_outcomes import relay_outcomes
from core.forum import Forum
from core.vocabulary import AXES, ROLES, month_bounds, shift_month

if TYPE_CHECKING:
    from analytics.pooling import Window

RESPONSE_WINDOW = pd.Timedelta(hours=48)
RETURN_WINDOW = pd.Timedelta(days=30)
EVENING_HOUR = 20  # after-hours from 20:00 …
MORNING_HOUR = 7  # … to 07:00, local time; and Saturdays and Sundays
TOP_SHARE = 0.10  # top 10 % of repliers
OVERLOAD_FACTOR = 3.0  # ≥ 3 × the median replier's replies …
OVERLOAD_AFTER_HOURS = 0.30  # … and ≥ 30 % of them after hours


def top_repliers(repliers: int) -> int:
    """How many people "the top 10 %" of `repliers` is, everywhere: the ⌈10 % × repliers⌉ most
    active (at least one)."""
    return max(1, math.ceil(round(TOP_SHARE * repliers, 9)))


def suppression(n: pd.DataFrame, min_group_size: int) -> pd.DataFrame:
    """Which figures of one month are withheld (True), from their `n`.

    `n` has one row per scope (index: the cooperative's slug, `NETWORK` for the network) and one
    column per indicator. Primary suppression: `n < min_group_size`. Complementary (secondary)
    suppression, the usual statistical-disclosure rule: for an additive indicator,
    if exactly one cooperative is withheld with 1 to `min_group_size - 1` people behind it, the
    network minus the shown cooperatives would give its value; so the shown cooperative with the
    next smallest `n` (ties: first slug) is withheld too, with its declared followers that
    would give that value back; when no other cooperative has anyone behind it (all shown as
    empty), the network's figure is withheld instead, since it would be that cooperative's (plus,
    for topics, what lies outside the cooperatives). With two or more withheld, no single value
    can be worked out.
    A figure with n = 0 hides nothing (it is shown as "no data") and is never counted as withheld.
    """
    hidden = n < min_group_size
    coops = n.drop(index=NETWORK, errors="ignore").sort_index()
    followers = CATALOGUE.followers()
    for key in CATALOGUE.additive() & set(n.columns):
        withheld = (coops[key] > 0) & (coops[key] < min_group_size)
        shown = coops.loc[coops[key] >= min_group_size, key]
        if withheld.sum() != 1:
            continue
        # the next smallest shown cooperative; with none (every other one empty), the network
        nearest = shown.sort_values(kind="stable").index[0] if not shown.empty else NETWORK
        if nearest not in hidden.index:
            continue
        for column in (key, *followers.get(key, ())):
            if column in hidden.columns:
                hidden.loc[nearest, column] = True
    return hidden


@dataclass(frozen=True)
class Figure:
    """A raw value and the number of people `n` it is computed over."""

    value: float | None
    n: int


@dataclass(frozen=True)
class Indicator:
    """One indicator of a scope for month M, with its previous month and 3-month mean.

    `value` is what the report publishes: the month's figure, or the figure of a pooled window
    (`window`; see `analytics.pooling`), or None when masked (n below the group size, or withheld
    as the complement of an additive figure: see `suppression`) or undefined; `previous` and
    `mean_3m` (the mean of M-2, M-1 and M) use the monthly figures shown only.
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
    window: Window | None = None  # where the value was published from (`analytics.pooling`)


class Activity:
    """The forum prepared once for every month and scope: filtered rows and derived columns."""

    def __init__(self, forum: Forum, tz: str = "Europe/Paris", min_group_size: int = 5) -> None:
        self.forum = forum
        self.tz = tz
        self.min_group_size = min_group_size  # which pulse polls the network may pool
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
        self._figures: dict[str, dict[str | None, dict[str, Figure]]] = {}
        self._some: dict[str, dict[str, dict[str, Figure]]] = {}  # span → cooperative → some
        self._hidden: dict[tuple[str, int], pd.DataFrame] = {}
        self._withheld: dict[tuple[str, int], dict[str, dict[str, bool]]] = {}

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
        """The month's `[start, end)` in UTC, cut in the network's time zone; `month` may also be
        a span of months, "YYYY-MM..YYYY-MM" (a pooled window, `analytics.pooling`)."""
        if month not in self._months:
            first, _, last = month.partition("..")
            start = month_bounds(first, self.tz)[0]
            self._months[month] = (start, month_bounds(last or first, self.tz)[1])
        return self._months[month]

    def figures(self, month: str) -> dict[str | None, dict[str, Figure]]:
        """Every scope's raw figures for `month` or a span of months (see `bounds`; the
        barometer has no figure over a span), computed once."""
        if month not in self._figures:
            cached = month in self._rows
            self._figures[month] = _compute_all(self, month)
            if not cached:  # rows kept only once asked for themselves (`month_rows`): the
                self._rows.pop(month, None)  # months and spans pooling reads cost no copy
        return self._figures[month]

    def some_figures(
        self,
        month: str,
        scopes: Collection[str | None],
        keys: Collection[str] | None = None,
    ) -> dict[str | None, dict[str, Figure]]:
        """The figures of `scopes` only (of `keys` only, when given), for `month` or a span:
        equal to `figures`'s, computed from the rows of those cooperatives alone and for those
        indicators alone (each kept once computed). Pooled windows need a span for the few
        figures under `min_group_size`, not every figure of every scope; the network needs every
        row: asking for it computes every scope."""
        if month in self._figures or None in scopes:
            every = self.figures(month)
            return {scope: every.get(scope) or _empty_figures() for scope in scopes}
        wanted = frozenset(keys) if keys is not None else frozenset(CATALOGUE)
        known = self._some.setdefault(month, {})
        short = [scope for scope in scopes if not wanted <= known.get(scope, {}).keys()]
        if short:
            missing = frozenset().union(*(wanted - known.get(scope, {}).keys() for scope in short))
            every_key = None if missing == frozenset(CATALOGUE) else missing  # with the barometer
            computed = _compute_all(self, month, only=frozenset(short), keys=every_key)
            self._rows.pop(month, None)  # a span's rows are not kept (see `figures`)
            empty = _empty_figures()
            for scope in short:
                figures = computed.get(scope) or {key: empty[key] for key in missing}
                known.setdefault(scope, {}).update(figures)
        return {scope: known[scope] for scope in scopes}

    def hidden(self, month: str, min_group_size: int) -> pd.DataFrame:
        """`suppression` of every scope's figures for `month` (network row: `NETWORK`)."""
        key = (month, min_group_size)
        if key not in self._hidden:
            n = pd.DataFrame(
                {
                    NETWORK if scope is None else scope: {k: f.n for k, f in figures.items()}
                    for scope, figures in self.figures(month).items()
                }
            ).T
            self._hidden[key] = suppression(n, min_group_size)
        return self._hidden[key]

    def withheld(self, month: str, scope: str | None, min_group_size: int) -> dict[str, bool]:
        """Which of `scope`'s figures for `month` are withheld (a scope with no figure: all)."""
        key = (month, min_group_size)
        if key not in self._withheld:  # every scope's row at once: one conversion per month
            hidden = self.hidden(month, min_group_size)
            self._withheld[key] = {
                scope_key: {name: bool(flag) for name, flag in flags.items()}
                for scope_key, flags in hidden[list(CATALOGUE)].to_dict("index").items()
            }
        row = NETWORK if scope is None else scope
        return dict(self._withheld[key].get(row) or dict.fromkeys(CATALOGUE, True))

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


NETWORK = ""  # the network's key while computing (no cooperative slug is empty)


def _both(
    frame: pd.DataFrame, column: str, network_needs_scope: bool, scopes: pd.CategoricalDtype
) -> pd.DataFrame:
    """`frame` twice, keyed by `_scope`: once per cooperative (`column`), once for the network.

    The network takes every row (topic-based figures) or only rows with a cooperative
    (people-based figures), so one `groupby("_scope")` computes every scope at once. `_scope`
    is categorical over `scopes` (the network and the cooperatives; a category that is no
    cooperative's is left out): the scope names are read once, not at every grouping."""
    scoped = frame[frame[column].notna()]
    network = scoped if network_needs_scope else frame
    scoped = scoped[scoped[column].isin(scopes.categories)]
    both = pd.concat(
        [network.assign(_scope=NETWORK), scoped.assign(_scope=scoped[column])], ignore_index=True
    )
    both["_scope"] = both["_scope"].astype(scopes)
    return both


def compute_month(activity: Activity, month: str, scope: str | None) -> dict[str, Figure]:
    """Every indicator's raw value and `n` for one month and scope (nothing suppressed yet)."""
    figures = activity.figures(month)
    return figures.get(scope) or _empty_figures()


def _empty_figures() -> dict[str, Figure]:
    """The figures of a scope with no member and no topic: zero counts, no values, n = 0."""
    return {key: Figure(spec.empty_value, 0) for key, spec in CATALOGUE.items()}


_POST_COLUMNS = (  # the columns of the posts `_compute_all` reads
    "user_id",
    "root_slug",
    "author_coop",
    "author_role",
    "is_reply",
    "after_hours",
    "addressee_coop",
    "addressee_role",
    "flag_count",
    "hidden",
)


class _Rows:
    """The rows a month's (or span's) figures group by scope, each prepared when first read
    (figures asked for some indicators only read the rows those need)."""

    def __init__(
        self,
        activity: Activity,
        posts: pd.DataFrame,
        new_topics: pd.DataFrame,
        members: pd.DataFrame,
        scopes: pd.CategoricalDtype,
        end: datetime,
        start: datetime,
    ) -> None:
        self.activity, self.posts, self.new_topics = activity, posts, new_topics
        self._members, self.scopes, self.start, self.end = members, scopes, start, end

    @functools.cached_property
    def members(self) -> pd.DataFrame:
        members = _both(self._members, "cooperative", network_needs_scope=True, scopes=self.scopes)
        first = self.activity.first_post.reindex(members["id"]).to_numpy()
        members["new"] = (first >= self.start) & (first < self.end)
        return members

    @functools.cached_property
    def member_posts(self) -> pd.DataFrame:
        return _both(self.posts, "author_coop", network_needs_scope=True, scopes=self.scopes)

    @functools.cached_property
    def topics(self) -> pd.DataFrame:
        return _both(self.new_topics, "root_slug", network_needs_scope=False, scopes=self.scopes)

    @functools.cached_property
    def scope_posts(self) -> pd.DataFrame:
        return _both(self.posts, "root_slug", network_needs_scope=False, scopes=self.scopes)

    @functools.cached_property
    def replies(self) -> pd.DataFrame:
        return self.scope_posts[self.scope_posts["is_reply"]]

    @functools.cached_property
    def member_replies(self) -> pd.DataFrame:
        return self.member_posts[self.member_posts["is_reply"]]

    @functools.cached_property
    def questions(self) -> pd.DataFrame:
        questions = self.topics[self.topics["accepted_answers"]].copy()
        questions["delay"] = questions["responded_at"] - questions["created_at"]
        questions["in_48h"] = questions["delay"] <= RESPONSE_WINDOW
        questions["open_at_end"] = questions["responded_at"].isna() | (
            questions["responded_at"] >= self.end
        )
        return questions

    @functools.cached_property
    def load(self) -> dict[str, dict]:
        """Per scope: repliers, the top repliers' share, the absence factor, the overloaded."""
        per_person = self.member_replies.groupby(["_scope", "user_id"])["after_hours"].agg(
            ["size", "mean"]
        )
        load: dict[str, dict] = {"top": {}, "absence": {}, "overloaded": {}, "repliers": {}}
        for scope, rows in per_person.groupby(level="_scope"):
            counts = np.sort(rows["size"].to_numpy())[::-1]
            total = counts.sum()
            cumulative = np.cumsum(counts)
            load["repliers"][scope] = len(counts)
            load["top"][scope] = float(cumulative[top_repliers(len(counts)) - 1] / total)
            load["absence"][scope] = int(np.searchsorted(cumulative, total / 2) + 1)
            heavy = rows["size"] >= OVERLOAD_FACTOR * float(np.median(counts))
            load["overloaded"][scope] = int((heavy & (rows["mean"] >= OVERLOAD_AFTER_HOURS)).sum())
        return load


def _compute_all(
    activity: Activity,
    month: str,
    only: frozenset[str] | None = None,
    keys: frozenset[str] | None = None,
) -> dict[str | None, dict[str, Figure]]:
    """The figures of the network and of every cooperative for one month, grouped by scope.

    `only`: these cooperatives alone (no network), from the rows that can count for them: posts
    they write or that are written in their categories, their topics and members. Every
    figure of a cooperative groups rows by its author's, its category's or its member's
    cooperative, so these rows give it exactly. `keys`: these indicators alone (no barometer;
    what a pooled window needs), reading only the rows they need."""
    start, end = activity.bounds(month)
    posts, new_topics = activity.month_rows(month)
    posts = posts[list(_POST_COLUMNS)]  # `_both` copies every column it is given
    members = activity.members
    if only is not None:
        posts = posts[posts["author_coop"].isin(only) | posts["root_slug"].isin(only)]
        new_topics = new_topics[new_topics["root_slug"].isin(only)]
        members = members[members["cooperative"].isin(only)]
    scopes = [NETWORK, *sorted(members["cooperative"].unique())]
    rows = _Rows(activity, posts, new_topics, members, pd.CategoricalDtype(scopes), end, start)
    out: dict[str, dict[str, Figure]] = {scope: {} for scope in scopes}

    def need(*names: str) -> bool:
        return keys is None or any(name in keys for name in names)

    def put(key: str, values, ns, default=None) -> None:
        values = values.to_dict() if isinstance(values, pd.Series) else values
        ns = ns.to_dict() if isinstance(ns, pd.Series) else ns
        for scope in scopes:
            value = values.get(scope, default)
            if value is not None and isinstance(value, float) and math.isnan(value):
                value = None
            out[scope][key] = Figure(value, int(ns.get(scope, 0)))

    def ratio(part: pd.Series, whole: pd.Series) -> pd.Series:
        return (part.reindex(whole.index, fill_value=0) / whole).where(whole > 0)

    # participation
    if need("members", "active_members", "participation_rate", "new_contributors"):
        n_members = rows.members.groupby("_scope").size()
        active = rows.member_posts.groupby("_scope")["user_id"].nunique()
        put("members", n_members, n_members, 0)
        put("active_members", active, n_members, 0)
        put("participation_rate", ratio(active, n_members), n_members)
        put("new_contributors", rows.members.groupby("_scope")["new"].sum(), n_members, 0)
    if need("topics", "authors_without_reply"):
        by_topic_scope = rows.topics.groupby("_scope")
        put("topics", by_topic_scope.size(), by_topic_scope["user_id"].nunique(), 0)
    if need("replies"):
        by_reply_scope = rows.replies.groupby("_scope")
        put("replies", by_reply_scope.size(), by_reply_scope["user_id"].nunique(), 0)

    # mutual aid
    if need("questions", "answered_48h", "unanswered", "solved_share"):
        by_question = rows.questions.groupby("_scope")
        askers = by_question["user_id"].nunique()
        asked = by_question.size()
        put("questions", asked, askers, 0)
        put("answered_48h", ratio(by_question["in_48h"].sum(), asked), askers)
        put("unanswered", by_question["open_at_end"].sum(), askers, 0)
        put("solved_share", ratio(by_question["solved"].sum(), asked), askers)
    if need("first_response_hours", "peer_response_share"):
        questions = rows.questions
        answered = questions[questions["responded_at"].notna()].copy()
        answered["hours"] = answered["delay"].dt.total_seconds() / 3600
        answered["peer"] = answered["responder"].map(activity.role_of) == "entrepreneur"
        by_answered = answered.groupby("_scope")
        put("first_response_hours", by_answered["hours"].median(), by_answered["user_id"].nunique())
        put(
            "peer_response_share",
            ratio(by_answered["peer"].sum(), by_answered.size()),
            by_answered["responder"].nunique(),
        )

    # working time
    if need("after_hours"):
        by_scope = rows.member_posts.groupby("_scope")
        put("after_hours", by_scope["after_hours"].mean(), by_scope["user_id"].nunique())
    for role in ROLES:
        if need(f"after_hours_{role}"):
            member_posts = rows.member_posts
            role_posts = member_posts[member_posts["author_role"] == role].groupby("_scope")
            put(
                f"after_hours_{role}",
                role_posts["after_hours"].mean(),
                role_posts["user_id"].nunique(),
            )

    # load concentration
    if need("top_decile_share", "absence_factor", "overloaded_helpers"):
        load = rows.load
        put("top_decile_share", load["top"], load["repliers"])
        put("absence_factor", load["absence"], load["repliers"])
        put("overloaded_helpers", load["overloaded"], load["repliers"])

    # social relations
    if need("authors_without_reply"):
        topics = rows.topics
        no_reply = topics["responded_at"].isna() | (topics["responded_at"] >= end)
        silent = (
            no_reply.groupby([topics["_scope"], topics["user_id"]]).all().groupby(level="_scope")
        )
        authors = topics.groupby("_scope")["user_id"].nunique()
        put("authors_without_reply", silent.sum(), authors, 0)
    if need("newcomers_not_back"):
        newcomers = rows.members[rows.members["new"]].copy()
        second = activity.second_post.reindex(newcomers["id"]).to_numpy()
        first_new = activity.first_post.reindex(newcomers["id"]).to_numpy()
        newcomers["not_back"] = pd.isna(second) | (second > first_new + RETURN_WINDOW)
        by_newcomer = newcomers.groupby("_scope")
        put("newcomers_not_back", by_newcomer["not_back"].sum(), by_newcomer.size(), 0)
    if need("cross_coop_share"):
        member_replies = rows.member_replies
        known = member_replies[member_replies["addressee_coop"].notna()]
        across = (known["addressee_coop"] != known["author_coop"]).groupby(known["_scope"]).mean()
        put("cross_coop_share", across, rows.load["repliers"])
    if need("support_exchanges"):
        replies = rows.replies
        pair = ("entrepreneur", "appui")
        exchanges = replies[
            replies["author_role"].isin(pair)
            & replies["addressee_role"].isin(pair)
            & (replies["author_role"] != replies["addressee_role"])
        ].groupby("_scope")
        put("support_exchanges", exchanges.size(), exchanges["user_id"].nunique(), 0)
    if need("flagged_posts"):
        scope_posts = rows.scope_posts
        flagged = (scope_posts["flag_count"] > 0) | scope_posts["hidden"]
        by_post_scope = scope_posts.groupby("_scope")
        put(
            "flagged_posts",
            flagged.groupby(scope_posts["_scope"]).sum(),
            by_post_scope["user_id"].nunique(),
            0,
        )

    # relay (issue 14): relayed questions of the month, and of them answered within 48 h
    if need("relayed_questions", "relayed_answered_48h"):
        relayed = relay_outcomes(activity.forum.relay_suggestions, activity.topics)
        relayed = relayed[(relayed["relayed_at"] >= start) & (relayed["relayed_at"] < end)]
        if only is not None:
            relayed = relayed[relayed["root_slug"].isin(only)]
        by_relayed = _both(
            relayed, "root_slug", network_needs_scope=False, scopes=rows.scopes
        ).groupby("_scope")
        relay_askers = by_relayed["user_id"].nunique()
        put("relayed_questions", by_relayed.size(), relay_askers, 0)
        put(
            "relayed_answered_48h",
            ratio(by_relayed["answered_48h"].sum(), by_relayed.size()),
            relay_askers,
        )

    for spec in CATALOGUE.values():  # the indicators declared with their own function
        if spec.compute is not None and need(spec.id):
            by_scope = spec.compute(activity, month)
            for scope in scopes:
                empty = Figure(spec.empty_value, 0)
                out[scope][spec.id] = by_scope.get(None if scope == NETWORK else scope, empty)

    if keys is not None:  # some indicators only: never the barometer (it is never pooled)
        return {
            None if scope == NETWORK else scope: figures
            for scope, figures in out.items()
            if only is None or scope != NETWORK
        }
    pulse = pulse_by_scope(activity.forum, month, activity.min_group_size)
    no_votes = {f"pulse_{axis}": Figure(None, 0) for axis in AXES}
    result: dict[str | None, dict[str, Figure]] = {}
    for scope, figures in out.items():
        if only is not None and scope == NETWORK:
            continue  # computed from some cooperatives' rows: not the network's
        key = None if scope == NETWORK else scope
        figures |= pulse.get(key, no_votes)
        result[key] = {name: figures[name] for name in CATALOGUE}
    return result


def pulse_figures(
    forum: Forum, month: str, scope: str | None, min_group_size: int = 5
) -> dict[str, Figure]:
    """Average answer (1–5) per axis of the month's barometer; n = the answers on that axis.

    The anonymous barometer's counts when the month has any, else the month's closed Discourse
    pulse polls (months collected before the barometer). A mean about fewer than
    `min_group_size` people is None. This is the door the report uses: keep its signature."""
    empty = {f"pulse_{axis}": Figure(None, 0) for axis in AXES}
    return pulse_by_scope(forum, month, min_group_size).get(scope, empty)


def pulse_by_scope(
    forum: Forum, month: str, min_group_size: int = 5
) -> dict[str | None, dict[str, Figure]]:
    """`pulse_figures` of the network (key None) and of every cooperative, in one pass."""
    cells = forum.barometer_cells[forum.barometer_cells["month"] == month]
    if not cells.empty:
        counts = forum.barometer_counts[forum.barometer_counts["month"] == month]
        return {
            scope: {f"pulse_{axis}": Figure(mean, n) for axis, (mean, n) in axes.items()}
            for scope, axes in barometer_figures.axis_means(cells, counts, min_group_size).items()
        }
    return poll_pulse_by_scope(forum, month, min_group_size)


def poll_pulse_by_scope(
    forum: Forum, month: str, min_group_size: int = 5
) -> dict[str | None, dict[str, Figure]]:
    """Pulse figures from the month's closed Discourse polls (the older, non-anonymous mode).

    The network pools the votes of the cooperatives' polls on that axis where at least
    `min_group_size` people voted: pooling a suppressed cooperative too would let anyone work its
    average out from the network's and the other cooperatives' figures."""
    polls = forum.polls
    polls = polls[(polls["pulse_month"] == month) & (polls["status"] == "closed")]
    options = forum.poll_options[forum.poll_options["poll_id"].isin(polls["id"])]
    options = options.join(polls.set_index("id")[["name", "cooperative"]], on="poll_id")
    # the answer's score is its rank on the scale (1–5), whatever base the positions use
    options = options.assign(
        score=options.groupby("poll_id")["position"].rank(method="first"),
        points=lambda frame: frame["score"] * frame["votes"],
    )
    coop_voters = polls.groupby(["cooperative", "name"], dropna=False)["voters"].transform("sum")
    pooled = polls[coop_voters >= min_group_size]
    pooled_options = options[options["poll_id"].isin(pooled["id"])]
    voters = pd.concat(
        [
            pooled.groupby("name")["voters"].sum().rename(lambda axis: (NETWORK, axis)),
            polls.groupby(["cooperative", "name"])["voters"].sum(),
        ]
    ).to_dict()
    sums = pd.concat(
        [
            pooled_options.groupby("name")[["votes", "points"]]
            .sum()
            .rename(lambda a: (NETWORK, a)),
            options.groupby(["cooperative", "name"])[["votes", "points"]].sum(),
        ]
    ).to_dict("index")
    result: dict[str | None, dict[str, Figure]] = {}
    for scope in [NETWORK, *polls["cooperative"].dropna().unique()]:
        figures = {}
        for axis in AXES:
            total = sums.get((scope, axis), {}).get("votes", 0)
            points = sums.get((scope, axis), {}).get("points", 0.0)
            mean = float(points / total) if total else None
            figures[f"pulse_{axis}"] = Figure(mean, int(voters.get((scope, axis), 0)))
        result[None if scope == NETWORK else scope] = figures
    return result


def monthly_figures(
    activity: Activity, month: str, scope: str | None, months: int = 3
) -> dict[str, dict[str, Figure]]:
    """Raw figures of the `months` months ending with `month`, oldest first (`{month: figures}`)."""
    return {
        shift_month(month, -delta): compute_month(activity, shift_month(month, -delta), scope)
        for delta in range(max(months, 3) - 1, -1, -1)
    }


def response_hours(activity: Activity, month: str, scope: str | None) -> pd.Series:
    """Hours to first response of the month's questions (NaN: no response yet)."""
    _, topics = activity.month_rows(month)
    in_scope = topics["root_slug"] == scope if scope is not None else True
    questions = topics[in_scope & topics["accepted_answers"]]
    return (questions["responded_at"] - questions["created_at"]).dt.total_seconds() / 3600


def reply_counts(activity: Activity, month: str, scope: str | None) -> pd.Series:
    """Replies written in the month by each replier of the scope, most first (no names)."""
    posts, _ = activity.month_rows(month)
    coop = posts["author_coop"]
    by_members = coop.notna() if scope is None else coop == scope
    counts = posts[by_members & posts["is_reply"]].groupby("user_id").size()
    return counts.sort_values(ascending=False).reset_index(drop=True)


def cooperatives(forum: Forum) -> list[str]:
    """The cooperatives of the mirror: slugs of the members' groups, sorted."""
    return sorted(forum.users["cooperative"].dropna().unique().tolist())
