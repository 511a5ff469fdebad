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
        self._some: dict[str, dict[str, dict[str, Figure]]] = {}  # span → cooperative → figures
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
        self, month: str, scopes: Collection[str | None]
    ) -> dict[str | None, dict[str, Figure]]:
        """The figures of `scopes` only, for `month` or a span: equal to `figures`'s, computed
        from the rows of those cooperatives alone (each kept once computed). Pooled windows need
        a span for the few cooperatives under `min_group_size`, not for all 74 (the network
        needs every row: asking for it computes every scope)."""
        if month in self._figures or None in scopes:
            every = self.figures(month)
            return {scope: every.get(scope) or _empty_figures() for scope in scopes}
        known = self._some.setdefault(month, {})
        missing = frozenset(scope for scope in scopes if scope not in known)
        if missing:
            computed = _compute_all(self, month, only=missing)
            self._rows.pop(month, None)  # a span's rows are not kept (see `figures`)
            known.update({scope: computed.get(scope) or _empty_figures() for scope in missing})
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


def _both(frame: pd.DataFrame, column: str, network_needs_scope: bool) -> pd.DataFrame:
    """`frame` twice, keyed by `_scope`: once per cooperative (`column`), once for the network.

    The network takes every row (topic-based figures) or only rows with a cooperative
    (people-based figures), so one `groupby("_scope")` computes every scope at once."""
    scoped = frame[frame[column].notna()]
    network = scoped if network_needs_scope else frame
    return pd.concat(
        [network.assign(_scope=NETWORK), scoped.assign(_scope=scoped[column])], ignore_index=True
    )


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


def _compute_all(
    activity: Activity, month: str, only: frozenset[str] | None = None
) -> dict[str | None, dict[str, Figure]]:
    """The figures of the network and of every cooperative for one month, grouped by scope.

    `only`: these cooperatives alone (no network), from the rows that can count for them: posts
    they write or that are written in their categories, their topics and members. Every
    figure of a cooperative groups rows by its author's, its category's or its member's
    cooperative, so these rows give it exactly."""
    start, end = activity.bounds(month)
    posts, new_topics = activity.month_rows(month)
    posts = posts[list(_POST_COLUMNS)]  # `_both` copies every column it is given
    members = activity.members
    if only is not None:
        posts = posts[posts["author_coop"].isin(only) | posts["root_slug"].isin(only)]
        new_topics = new_topics[new_topics["root_slug"].isin(only)]
        members = members[members["cooperative"].isin(only)]
    scopes = [NETWORK, *sorted(members["cooperative"].unique())]
    out: dict[str, dict[str, Figure]] = {scope: {} for scope in scopes}

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
    members = _both(members, "cooperative", network_needs_scope=True)
    n_members = members.groupby("_scope").size()
    member_posts = _both(posts, "author_coop", network_needs_scope=True)
    by_scope = member_posts.groupby("_scope")
    active = by_scope["user_id"].nunique()
    first = activity.first_post.reindex(members["id"]).to_numpy()
    members["new"] = (first >= start) & (first < end)
    put("members", n_members, n_members, 0)
    put("active_members", active, n_members, 0)
    put("participation_rate", ratio(active, n_members), n_members)
    put("new_contributors", members.groupby("_scope")["new"].sum(), n_members, 0)
    topics = _both(new_topics, "root_slug", network_needs_scope=False)
    by_topic_scope = topics.groupby("_scope")
    put("topics", by_topic_scope.size(), by_topic_scope["user_id"].nunique(), 0)
    scope_posts = _both(posts, "root_slug", network_needs_scope=False)
    replies = scope_posts[scope_posts["is_reply"]]
    by_reply_scope = replies.groupby("_scope")
    put("replies", by_reply_scope.size(), by_reply_scope["user_id"].nunique(), 0)

    # mutual aid
    questions = topics[topics["accepted_answers"]].copy()
    questions["delay"] = questions["responded_at"] - questions["created_at"]
    questions["in_48h"] = questions["delay"] <= RESPONSE_WINDOW
    questions["open_at_end"] = questions["responded_at"].isna() | (questions["responded_at"] >= end)
    by_question = questions.groupby("_scope")
    askers = by_question["user_id"].nunique()
    asked = by_question.size()
    put("questions", asked, askers, 0)
    put("answered_48h", ratio(by_question["in_48h"].sum(), asked), askers)
    put("unanswered", by_question["open_at_end"].sum(), askers, 0)
    put("solved_share", ratio(by_question["solved"].sum(), asked), askers)
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
    put("after_hours", by_scope["after_hours"].mean(), by_scope["user_id"].nunique())
    for role in ROLES:
        role_posts = member_posts[member_posts["author_role"] == role].groupby("_scope")
        put(
            f"after_hours_{role}",
            role_posts["after_hours"].mean(),
            role_posts["user_id"].nunique(),
        )

    # load concentration
    member_replies = member_posts[member_posts["is_reply"]]
    per_person = member_replies.groupby(["_scope", "user_id"])["after_hours"].agg(["size", "mean"])
    top_share, absence, overloaded, repliers = {}, {}, {}, {}
    for scope, rows in per_person.groupby(level="_scope"):
        counts = np.sort(rows["size"].to_numpy())[::-1]
        total = counts.sum()
        cumulative = np.cumsum(counts)
        repliers[scope] = len(counts)
        top_share[scope] = float(cumulative[top_repliers(len(counts)) - 1] / total)
        absence[scope] = int(np.searchsorted(cumulative, total / 2) + 1)
        heavy = rows["size"] >= OVERLOAD_FACTOR * float(np.median(counts))
        overloaded[scope] = int((heavy & (rows["mean"] >= OVERLOAD_AFTER_HOURS)).sum())
    put("top_decile_share", top_share, repliers)
    put("absence_factor", absence, repliers)
    put("overloaded_helpers", overloaded, repliers)

    # social relations
    topics["no_reply"] = topics["responded_at"].isna() | (topics["responded_at"] >= end)
    silent = topics.groupby(["_scope", "user_id"])["no_reply"].all().groupby(level="_scope")
    put("authors_without_reply", silent.sum(), by_topic_scope["user_id"].nunique(), 0)
    newcomers = members[members["new"]].copy()
    second = activity.second_post.reindex(newcomers["id"]).to_numpy()
    first_new = activity.first_post.reindex(newcomers["id"]).to_numpy()
    newcomers["not_back"] = pd.isna(second) | (second > first_new + RETURN_WINDOW)
    by_newcomer = newcomers.groupby("_scope")
    put("newcomers_not_back", by_newcomer["not_back"].sum(), by_newcomer.size(), 0)
    known = member_replies[member_replies["addressee_coop"].notna()]
    across = (known["addressee_coop"] != known["author_coop"]).groupby(known["_scope"]).mean()
    put("cross_coop_share", across, repliers)
    pair = ("entrepreneur", "appui")
    exchanges = replies[
        replies["author_role"].isin(pair)
        & replies["addressee_role"].isin(pair)
        & (replies["author_role"] != replies["addressee_role"])
    ].groupby("_scope")
    put("support_exchanges", exchanges.size(), exchanges["user_id"].nunique(), 0)
    flagged = (scope_posts["flag_count"] > 0) | scope_posts["hidden"]
    by_post_scope = scope_posts.groupby("_scope")
    put(
        "flagged_posts",
        flagged.groupby(scope_posts["_scope"]).sum(),
        by_post_scope["user_id"].nunique(),
        0,
    )

    # relay (issue 14): relayed questions of the month, and of them answered within 48 h
    relayed = relay_outcomes(activity.forum.relay_suggestions, activity.topics)
    relayed = relayed[(relayed["relayed_at"] >= start) & (relayed["relayed_at"] < end)]
    if only is not None:
        relayed = relayed[relayed["root_slug"].isin(only)]
    by_relayed = _both(relayed, "root_slug", network_needs_scope=False).groupby("_scope")
    relay_askers = by_relayed["user_id"].nunique()
    put("relayed_questions", by_relayed.size(), relay_askers, 0)
    put(
        "relayed_answered_48h",
        ratio(by_relayed["answered_48h"].sum(), by_relayed.size()),
        relay_askers,
    )

    for spec in CATALOGUE.values():  # the indicators declared with their own function
        if spec.compute is not None:
            by_scope = spec.compute(activity, month)
            for scope in scopes:
                empty = Figure(spec.empty_value, 0)
                out[scope][spec.id] = by_scope.get(None if scope == NETWORK else scope, empty)

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
