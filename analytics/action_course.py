"""Re-measure: what became of the indicators since each action of a cooperative started
(DESIGN §14), and the network's actions counted by kind and status.

An action (a row of the directors' log, passed in as a DataFrame: analytics never reads the
mirror) follows its own indicator when it names one, else the indicators of its cooperative's
card on its axis this month. For each, its course compares the figure published for the month
before the action started (« avant ») with the figure of the report month (« après »), both as
their reports published them — monthly, or over a pooled window when the month holds fewer
than `min_group_size` people (`analytics.pooling`), masked otherwise — and judges the change
with the report's noise rule (`analytics.trends.judge`), in the indicator's better direction.
Only published figures enter: the k-rule is never weakened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from analytics.catalogue import CATALOGUE
from analytics.indicators import Activity
from analytics.pooling import Published, publication
from analytics.trends import NOT_JUDGED, Trend, judge
from analytics.vigilance_status import Card
from core.vocabulary import ACTION_KINDS, ACTION_STATUSES, shift_month

ACTION_COLUMNS = (
    "id",
    "cooperative",
    "axis",
    "indicator",
    "kind",
    "title",
    "started",
    "status",
    "start_month",
)


@dataclass(frozen=True)
class Course:
    """One indicator's figure before an action started and in the report month, and the change
    judged against the noise (`trend.direction` None: not judged, a figure missing or masked)."""

    indicator: str
    before_month: str
    before: Published | None  # None: before the mirror's first month
    after: Published
    trend: Trend


@dataclass(frozen=True)
class ActionEntry:
    """An action as a cooperative report shows it, beside its axis."""

    id: int
    axis: str
    indicator: str | None
    kind: str
    title: str
    status: str
    started: date
    start_month: str
    courses: tuple[Course, ...]

    @property
    def begun(self) -> bool:
        """Whether it had started by the report month (a course exists)."""
        return bool(self.courses) or self.status != "prevue"


def shown_actions(actions: pd.DataFrame, month: str) -> pd.DataFrame:
    """The actions a report of `month` shows: those started by the end of `month`, and the
    planned ones (whatever their date)."""
    if actions.empty:
        return actions
    keep = (actions["start_month"] <= month) | (actions["status"] == "prevue")
    return actions[keep].sort_values(["started", "id"])


def followed(action: pd.Series, cards: list[Card]) -> list[str]:
    """The indicators an action follows: its own, else those of the scope's card on its axis."""
    if isinstance(action["indicator"], str) and action["indicator"] in CATALOGUE:
        return [action["indicator"]]
    for card in cards:
        if card.axis == action["axis"] and card.status != "resolved":
            return list(dict.fromkeys(card.indicators))
    return []


def course(
    activity: Activity,
    month: str,
    slug: str,
    key: str,
    start_month: str,
    after: Published,
    history: dict[str, float | None],
    min_group_size: int,
    first_month: str | None,
) -> Course:
    """`key`'s course from the month before `start_month` to `month` (see the module doc).

    `after`: what the report of `month` publishes; `history`: month → the monthly figure each
    report showed, of which the months up to the one before the start give the past-noise part
    of the rule."""
    before_month = shift_month(start_month, -1)
    if first_month is None or before_month < first_month:
        return Course(key, before_month, None, after, NOT_JUDGED)
    before = publication(activity, before_month, slug, min_group_size)[key]
    spec = CATALOGUE[key]
    if before.suppressed or after.suppressed or before.value is None or after.value is None:
        return Course(key, before_month, before, after, NOT_JUDGED)
    past = [value for shown, value in sorted(history.items()) if shown <= before_month]
    trend = judge(
        spec.unit,
        spec.better,
        after.value,
        before.value,
        n=after.n,
        previous_n=before.n,
        history=past,
    )
    return Course(key, before_month, before, after, trend)


def action_entries(
    activity: Activity,
    month: str,
    slug: str,
    actions: pd.DataFrame,
    cards: list[Card],
    histories: dict[str, dict[str, float | None]],
    min_group_size: int,
    first_month: str | None,
) -> list[ActionEntry]:
    """The actions of cooperative `slug` a report of `month` shows, each with the course of the
    indicators it follows. `actions`: the log (columns `ACTION_COLUMNS`), any cooperatives;
    `histories`: indicator → {month: monthly figure shown}."""
    if actions.empty:
        return []
    own = shown_actions(actions[actions["cooperative"] == slug], month)
    if own.empty:
        return []
    published = publication(activity, month, slug, min_group_size)
    entries = []
    for _index, action in own.iterrows():
        courses: tuple[Course, ...] = ()
        if action["start_month"] <= month:
            courses = tuple(
                course(
                    activity,
                    month,
                    slug,
                    key,
                    action["start_month"],
                    published[key],
                    histories.get(key, {}),
                    min_group_size,
                    first_month,
                )
                for key in followed(action, cards)
            )
        indicator = action["indicator"] if isinstance(action["indicator"], str) else None
        entries.append(
            ActionEntry(
                id=int(action["id"]),
                axis=str(action["axis"]),
                indicator=indicator,
                kind=str(action["kind"]),
                title=str(action["title"]),
                status=str(action["status"]),
                started=action["started"],
                start_month=str(action["start_month"]),
                courses=courses,
            )
        )
    return entries


def network_counts(actions: pd.DataFrame, month: str) -> dict[str, dict[str, int]]:
    """The network's actions a report of `month` shows, counted by kind, then status (every
    kind and status present, zeros included). Counts of actions, never of people."""
    counts = {kind: dict.fromkeys(ACTION_STATUSES, 0) for kind in ACTION_KINDS}
    for _index, action in shown_actions(actions, month).iterrows():
        if action["kind"] in counts and action["status"] in ACTION_STATUSES:
            counts[action["kind"]][action["status"]] += 1
    return counts
