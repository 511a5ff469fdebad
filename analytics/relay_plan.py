"""Who should see an unanswered question (`campus relay`, DESIGN §12): pure selection rules.

Data in, data out: the caller loads the mirror (`sync.mirror.relay_inputs.load_relay_inputs`) and sends the
private messages; nothing here reads a database or the forum.

Rules, in the order they apply:
- a *question* is a live regular topic in an accepted-answer category; it waits while nobody but
  its author has replied, it is not closed and has no accepted answer;
- it is *due* once it has waited `wait_hours` working hours (Monday–Friday except public holidays,
  France's by default, `day_start_hour` to `day_end_hour`, in the network's time zone: nights,
  weekends, holidays and daylight-saving changes are counted as the wall clock shows them);
- outside working hours nothing is sent: due questions are *deferred* to the next working hour;
- a question already suggested (a row in `relay_suggestions`) is never suggested again;
- a question older than `max_age_days` is no longer relayed (counted as `too_old`);
- a volunteer is a member of the relay group who is not its author, not suspended or deleted, not
  in the opt-out group, and can read the question's category (its group permissions);
- those who *know its theme* come first: a helpful reply (accepted as a solution, or liked) in
  someone else's topic carrying one of the question's tags, else in a topic of the same category
  theme (all the cooperatives' « Entraide » are one theme, as in the expertise map of `score`);
- nobody gets more than `per_week` suggestions over 7 rolling days (this run's included);
- among those who know the theme and are free, tag knowledge comes first, then the people who
  helped (or were asked) least recently, so that the load spreads instead of falling on the
  usual helpers; at most `per_question` are chosen;
- when nobody who knows the theme is free (a new volunteer, a new category, a new forum: relay
  works from the first day), the other volunteers who can read the question are asked instead,
  the least recently asked first, then the least recently helped, with the same caps.

Every waiting question that is not suggested is counted in `skipped` under one reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Container
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import pandas as pd

from analytics.settings import RelaySettings
from core.vocabulary import zone

WEEK = timedelta(days=7)
NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def working_hours_between(
    start: datetime,
    end: datetime,
    tz: str,
    day_start: int = 7,
    day_end: int = 20,
    closed: Container[date] = frozenset(),
) -> float:
    """Working hours (Mon–Fri but the `closed` days, `day_start`–`day_end` local time in `tz`)
    within `[start, end)`.

    Each local working day's window is converted to UTC on its own date, so a day of the
    daylight-saving change counts the hours its wall clock shows. `start`/`end` are tz-aware."""
    if end <= start:
        return 0.0
    zone_info = zone(tz)
    first = start.astimezone(zone_info).date()
    last = end.astimezone(zone_info).date()
    total = 0.0
    day = first
    while day <= last:
        if day.weekday() < 5 and day not in closed:
            opens = _local(day, day_start, zone_info)
            closes = _local(day, day_end, zone_info)
            overlap = min(end, closes) - max(start, opens)
            if overlap > timedelta(0):
                total += overlap.total_seconds() / 3600
        day += timedelta(days=1)
    return total


def _local(day: date, hour: int, zone_info) -> datetime:
    if hour == 24:
        return datetime.combine(day + timedelta(days=1), time(0), zone_info).astimezone(UTC)
    return datetime.combine(day, time(hour), zone_info).astimezone(UTC)


def is_working_time(
    now: datetime,
    tz: str,
    day_start: int = 7,
    day_end: int = 20,
    closed: Container[date] = frozenset(),
) -> bool:
    """Whether `now` (tz-aware) falls on a weekday that is not `closed`, between `day_start` and
    `day_end`, local time."""
    local = now.astimezone(zone(tz))
    return local.weekday() < 5 and local.date() not in closed and day_start <= local.hour < day_end


def category_theme(categories: pd.DataFrame) -> pd.Series:
    """Theme key of each category id: a subcategory by its slug (every cooperative's `entraide`
    is one theme), a top-level category by its own slug. Columns used: id, slug."""
    return ("cat:" + categories.set_index("id")["slug"].astype(str)).rename("theme")


def topic_themes(
    topics: pd.DataFrame, tags: pd.DataFrame, themes_of_category: pd.Series
) -> pd.DataFrame:
    """(topic_id, theme, kind) rows: each tag of a topic (kind "tag") and its category theme
    (kind "category"). `topics`: id, category_id; `tags`: topic_id, tag."""
    tagged = tags[tags["topic_id"].isin(topics["id"])]
    by_tag = pd.DataFrame(
        {"topic_id": tagged["topic_id"], "theme": "tag:" + tagged["tag"], "kind": "tag"}
    )
    by_category = pd.DataFrame(
        {
            "topic_id": topics["id"].to_numpy(),
            "theme": topics["category_id"].map(themes_of_category).to_numpy(),
            "kind": "category",
        }
    ).dropna(subset=["theme"])
    return pd.concat([by_tag, by_category], ignore_index=True)


def expertise(helpful_replies: pd.DataFrame, themes: pd.DataFrame) -> pd.DataFrame:
    """(user_id, theme) pairs a person knows: themes of the topics of their helpful replies.

    `helpful_replies`: user_id, topic_id (replies in someone else's topic that were accepted or
    liked); `themes`: from `topic_themes` over those topics."""
    joined = helpful_replies[["user_id", "topic_id"]].merge(themes, on="topic_id")
    return joined[["user_id", "theme"]].drop_duplicates().reset_index(drop=True)


def granted_groups(permissions: pd.DataFrame) -> dict[int, frozenset[str]]:
    """Per category id, the group names its permissions list (`everyone`, `staff`, groups…).

    `permissions`: category_id, group_name (a category's `group_permissions`)."""
    return {
        int(category_id): frozenset(names)
        for category_id, names in permissions.groupby("category_id")["group_name"]
    }


def can_read(
    granted: frozenset[str], groups: frozenset[str], staff: bool, trust_level: int
) -> bool:
    """Whether someone in `groups` (staff or not, at `trust_level`) can see a category whose
    permissions list the group names `granted`. A category with no known permission (empty
    `granted`) is readable by nobody here: safer than guessing."""
    if "everyone" in granted or granted & groups or (staff and granted & {"staff", "admins"}):
        return True
    return any(
        name.startswith("trust_level_") and name[12:].isdigit() and trust_level >= int(name[12:])
        for name in granted
    )


@dataclass
class RelayPlan:
    """What one relay run does: for each question the volunteers to ask (user ids, in order).

    `deferred`: due questions held back because it is outside working hours. `skipped`: due or
    waiting questions not suggested now, by reason (already_suggested, closed,
    too_old, waiting, no_volunteer, volunteers_busy). `outside_theme`: the
    questions whose volunteers were chosen among those who do not (yet) know its theme."""

    working_time: bool
    suggestions: list[tuple[int, list[int]]] = field(default_factory=list)
    deferred: int = 0
    skipped: Counter = field(default_factory=Counter)
    outside_theme: set[int] = field(default_factory=set)


def plan_relay(
    questions: pd.DataFrame,
    volunteers: pd.DataFrame,
    known: pd.DataFrame,
    question_themes: pd.DataFrame,
    permissions: pd.DataFrame,
    past: pd.DataFrame,
    last_helped: pd.Series,
    now: datetime,
    tz: str,
    settings: RelaySettings,
) -> RelayPlan:
    """Choose the volunteers of each due question (see the module docstring for the rules).

    - questions: topic_id, user_id (author), category_id, created_at (tz-aware UTC), replied
      (someone else replied), closed, solved — questions older than `max_age_days` included,
      so that they are counted as `too_old`;
    - volunteers: user_id, groups (frozenset of group names), staff, trust_level, eligible
      (not suspended, deleted or opted out);
    - known: user_id, theme (from `expertise`); question_themes: topic_id, theme, kind;
    - permissions: category_id, group_name; past: topic_id, user_id, suggested_at (tz-aware);
    - last_helped: user_id → last reply in someone else's topic (tz-aware).
    """
    hours = (settings.day_start_hour, settings.day_end_hour, settings.closed_days())
    plan = RelayPlan(is_working_time(now, tz, *hours))
    suggested_topics = set(past["topic_id"])
    recent = past[past["suggested_at"] > now - WEEK]
    week_count = Counter(recent["user_id"].tolist())
    last_asked = past.groupby("user_id")["suggested_at"].max().to_dict()
    oldest = now - timedelta(days=settings.max_age_days)
    last_active = {
        user_id: max(last_helped.get(user_id, NEVER), last_asked.get(user_id, NEVER))
        for user_id in volunteers["user_id"]
    }
    knows: dict[int, set[str]] = {}
    for user_id, theme in zip(known["user_id"], known["theme"], strict=True):
        knows.setdefault(int(user_id), set()).add(theme)
    themes_by_topic: dict[int, dict[str, set[str]]] = {}
    for topic_id, theme, kind in zip(
        question_themes["topic_id"], question_themes["theme"], question_themes["kind"], strict=True
    ):
        themes_by_topic.setdefault(int(topic_id), {"tag": set(), "category": set()})[kind].add(
            theme
        )
    pool = volunteers[volunteers["eligible"]]
    granted = granted_groups(permissions)
    readers_cache: dict[int, list] = {}

    waiting = questions[~questions["replied"]].sort_values(["created_at", "topic_id"])
    for question in waiting.itertuples(index=False):
        topic_id = int(question.topic_id)
        if topic_id in suggested_topics:
            plan.skipped["already_suggested"] += 1
            continue
        if question.closed or question.solved:
            plan.skipped["closed"] += 1
            continue
        if question.created_at < oldest:
            plan.skipped["too_old"] += 1
            continue
        waited = working_hours_between(question.created_at, now, tz, *hours)
        if waited < settings.wait_hours:
            plan.skipped["waiting"] += 1
            continue
        if not plan.working_time:
            plan.deferred += 1
            continue
        category_id = int(question.category_id)
        if category_id not in readers_cache:
            readers_cache[category_id] = [
                row
                for row in pool.itertuples(index=False)
                if can_read(
                    granted.get(category_id, frozenset()), row.groups, row.staff, row.trust_level
                )
            ]
        themes = themes_by_topic.get(topic_id, {"tag": set(), "category": set()})
        knowers, others = [], []
        for row in readers_cache[category_id]:
            user_id = int(row.user_id)
            if user_id == question.user_id:
                continue
            mine = knows.get(user_id, set())
            tier = 0 if mine & themes["tag"] else 1 if mine & themes["category"] else None
            if tier is None:
                others.append(
                    (
                        last_asked.get(user_id, NEVER),
                        last_helped.get(user_id, NEVER),
                        user_id,
                    )
                )
            else:
                knowers.append((tier, last_active.get(user_id, NEVER), user_id))
        if not knowers and not others:
            plan.skipped["no_volunteer"] += 1
            continue
        free = sorted(entry for entry in knowers if week_count[entry[-1]] < settings.per_week)
        if not free:
            free = sorted(entry for entry in others if week_count[entry[-1]] < settings.per_week)
            if free:
                plan.outside_theme.add(topic_id)
        if not free:
            plan.skipped["volunteers_busy"] += 1
            continue
        chosen = [entry[-1] for entry in free[: settings.per_question]]
        for user_id in chosen:
            week_count[user_id] += 1
            last_active[user_id] = now
            last_asked[user_id] = now
        plan.suggestions.append((topic_id, chosen))
    return plan
