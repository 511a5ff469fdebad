"""`campus relay`: suggest each due unanswered question to a few volunteers by private message.

Three steps: read (`sync.forum.volunteers`: the relay group on the forum, the mirror), choose
(`analytics.relay_plan.plan_relay`, pure), send one private message per chosen volunteer through the
notifier and record it at once (`sync.forum.volunteers.record_suggestion`), so an interrupted run
never suggests a question twice. `--dry-run` stops after the choice: nothing is sent, nothing
is written.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Engine

from analytics.relay_plan import category_theme, expertise, plan_relay, topic_themes
from analytics.settings import RelaySettings
from app.context import Campus
from app.notify import Notifier
from core.i18n import _
from reports.relay_messages import RelayOutcome, suggestion_message
from sync.discourse.client import DiscourseAPI
from sync.forum.volunteers import read_volunteers
from sync.mirror.relay_inputs import load_relay_inputs, record_suggestion

log = logging.getLogger("campus.relay")


def run(campus: Campus, *, dry_run: bool) -> RelayOutcome:
    """One relay run at the context's "now" (what `relay` and the worker do)."""
    template = campus["template"]
    return run_relay(
        campus.engine,
        campus.open_client(),
        campus["relay"],
        tz=campus.timezone,
        relay_group=template.relay_group,
        optout_group=template.optout_group,
        forum_url=campus.forum_url,
        now=campus.now(),
        dry_run=dry_run,
    )


def run_relay(
    engine: Engine,
    api: DiscourseAPI,
    settings: RelaySettings,
    *,
    tz: str,
    relay_group: str,
    optout_group: str,
    forum_url: str,
    now: datetime,
    dry_run: bool = False,
) -> RelayOutcome:
    """Read, choose, and (unless `dry_run`) send and record; `now` is tz-aware."""
    requests_before = api.total_requests
    members = read_volunteers(api, relay_group)
    inputs = load_relay_inputs(
        engine, members, optout_group=optout_group, now=now, max_age_days=settings.max_age_days
    )
    themes = category_theme(inputs.categories)
    question_themes = topic_themes(
        inputs.questions.rename(columns={"topic_id": "id"}), inputs.tags, themes
    )
    known = expertise(
        inputs.helpful_replies, topic_themes(inputs.reply_topics, inputs.tags, themes)
    )
    plan = plan_relay(
        inputs.questions,
        inputs.volunteers,
        known,
        question_themes,
        inputs.permissions,
        inputs.past,
        inputs.last_helped,
        now,
        tz,
        settings,
    )
    outcome = RelayOutcome(
        plan,
        dry_run,
        usernames=dict(
            zip(inputs.volunteers["user_id"], inputs.volunteers["username"], strict=True)
        ),
        titles=dict(zip(inputs.questions["topic_id"], inputs.questions["title"], strict=True)),
    )
    if not dry_run:
        notifier = Notifier(api)
        for topic_id, user_ids in plan.suggestions:
            subject, body = suggestion_message(
                topic_id,
                outcome.titles[topic_id],
                forum_url,
                relay_group,
                settings.per_week,
                knows_theme=topic_id not in plan.outside_theme,
            )
            for user_id in user_ids:
                delivery = notifier.send(subject, body, [outcome.usernames[user_id]])
                if not delivery.sent:
                    # nothing was sent, nothing is recorded, the others still get theirs
                    log.warning(
                        _(
                            "Relais : message au volontaire n° {user_id} refusé : {error}",
                            user_id=user_id,
                            error=delivery.refusal,
                        )
                    )
                    outcome.refused += 1
                    continue
                record_suggestion(engine, topic_id, user_id, now, delivery.topic_id)
                outcome.sent += 1
    outcome.requests = api.total_requests - requests_before
    return outcome
