"""`campus relay`: suggest each due unanswered question to a few volunteers by private message.

Three steps: read (`sync.forum.relay`: the relay group on the forum; `sync.mirror.relay`: the mirror), choose
(`analytics.relay.plan_relay`, pure), send one private message per chosen volunteer and record it
at once (`sync.mirror.relay.record_suggestion`), so an interrupted run never suggests a question twice.
`--dry-run` stops after the choice: nothing is sent, nothing is written.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from analytics.relay import RelayPlan, category_theme, expertise, plan_relay, topic_themes
from analytics.relay_settings import RelaySettings
from core.i18n import _, ngettext
from core.safe_text import discourse_inline
from sync.discourse.client import DiscourseAPI
from sync.discourse.errors import DiscourseError
from sync.forum.relay import read_volunteers
from sync.mirror.relay import load_relay_inputs, record_suggestion

log = logging.getLogger("campus.relay")


@dataclass
class RelayOutcome:
    """What a relay run chose (and sent, unless `dry_run`). Names stay out of `as_json`."""

    plan: RelayPlan
    dry_run: bool
    usernames: dict[int, str] = field(default_factory=dict)
    titles: dict[int, str] = field(default_factory=dict)
    sent: int = 0
    refused: int = 0
    requests: int = 0

    def as_json(self) -> dict:
        """DESIGN §3 `relay --json`: counts and topic ids only, never a volunteer's name."""
        return {
            "suggested": [
                {"topic_id": topic_id, "volunteers": len(users)}
                for topic_id, users in self.plan.suggestions
            ],
            "deferred": self.plan.deferred,
            "skipped": dict(sorted(Counter(self.plan.skipped).items())),
            "requests": self.requests,
            "messages": self.sent,
            "messages_refused": self.refused,
            "working_time": self.plan.working_time,
            "dry_run": self.dry_run,
        }

    def describe(self) -> str:
        """For the animator (names shown): who is (or would be) asked about which question."""
        lines = [
            _(
                "Sujet {topic_id} « {title} » → {names}",
                topic_id=topic_id,
                title=self.titles.get(topic_id, ""),
                names=", ".join(self.usernames.get(user, str(user)) for user in users),
            )
            for topic_id, users in self.plan.suggestions
        ]
        return "\n".join([*lines, self.summary()])

    def summary(self) -> str:
        """Counts only, no name: what the worker logs and the last lines `describe` prints."""
        questions = len(self.plan.suggestions)
        lines = [
            ngettext(
                "{n} question relayée",
                "{n} questions relayées",
                questions,
            )
            + " ; "
            + ngettext(
                "{n} différée (hors heures ouvrées)",
                "{n} différées (hors heures ouvrées)",
                self.plan.deferred,
            )
            + " ; "
            + _(
                "non relayées : {skipped}.",
                skipped=", ".join(
                    f"{reason_label(reason)} {count}"
                    for reason, count in sorted(self.plan.skipped.items())
                )
                or "0",
            )
        ]
        if self.dry_run:
            lines.append(_("Simulation (--dry-run) : aucun message envoyé, rien n'a été écrit."))
        else:
            lines.append(
                ngettext("{n} message privé envoyé.", "{n} messages privés envoyés.", self.sent)
            )
        return "\n".join(lines)


def reason_label(reason: str) -> str:
    """Why a question was not relayed, in the animator's words."""
    labels = {
        "waiting": _("en attente du délai"),
        "already_suggested": _("déjà relayées"),
        "closed": _("closes ou résolues"),
        "no_volunteer": _("sans volontaire qui connaisse le thème et puisse lire la catégorie"),
        "volunteers_busy": _("volontaires déjà sollicités cette semaine"),
    }
    return labels.get(reason, reason)


def suggestion_message(
    topic_id: int, title: str, forum_url: str, group: str, per_week: int
) -> tuple[str, str]:
    """(title, Markdown body) of the private message that suggests a question to a volunteer.

    Short, French first, says why they get it and how to stop; the question's title goes through
    `discourse_inline` (no mention, no link can come from it)."""
    base = forum_url.rstrip("/")
    group_url = f"{base}/g/{group}"
    subject = _("Une question attend peut-être votre aide")
    body = "\n\n".join(
        [
            _("Bonjour,"),
            _(
                "Une question posée sur le campus attend encore une réponse, sur un thème où vous avez déjà aidé d'autres membres :"
            ),
            f"**{discourse_inline(title)}**\n{base}/t/{topic_id}",
            _(
                "Si vous avez une piste, même courte, votre réponse compte. Sinon, ignorez simplement ce message : rien n'est attendu de vous."
            ),
            _(
                "Vous recevez ce message parce que vous êtes volontaire dans le groupe « {group} » (au plus {per_week} suggestions par semaine). Pour ne plus en recevoir, quittez le groupe : {url}",
                group=group,
                per_week=per_week,
                url=group_url,
            ),
        ]
    )
    return subject, body


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
        for topic_id, user_ids in plan.suggestions:
            subject, body = suggestion_message(
                topic_id, outcome.titles[topic_id], forum_url, relay_group, settings.per_week
            )
            for user_id in user_ids:
                try:
                    post = api.send_private_message(subject, body, [outcome.usernames[user_id]])
                except DiscourseError as error:
                    if error.status != 422:
                        raise
                    # this member does not accept private messages (preferences, silenced):
                    # nothing was sent, nothing is recorded, the others still get theirs
                    log.warning(
                        _(
                            "Relais : message au volontaire n° {user_id} refusé : {error}",
                            user_id=user_id,
                            error=error,
                        )
                    )
                    outcome.refused += 1
                    continue
                record_suggestion(engine, topic_id, user_id, now, post.get("topic_id"))
                outcome.sent += 1
    outcome.requests = api.total_requests - requests_before
    return outcome
