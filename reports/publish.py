"""Publish the network report in the directors' category: one topic per month, never two.

The topic is found by its stable title ("Rapport QVT — 2026-10" by default) in the category's
topic list; publishing again edits its first post instead of creating a second topic.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from core.errors import InputError
from core.i18n import _
from core.vocabulary import month_bounds
from reports.settings import ReportSettings
from sync.discourse.client import DiscourseAPI
from sync.forum.pulse import find_topic, first_post_of

log = logging.getLogger("campus.report")


@dataclass(frozen=True)
class Publication:
    """Where the report was published and whether the topic was created or updated."""

    action: str  # "created" | "updated"
    topic_id: int
    post_id: int
    title: str

    def as_dict(self) -> dict:
        return {
            "action": self.action,
            "topic_id": self.topic_id,
            "post_id": self.post_id,
            "title": self.title,
        }


def publish_report(
    api: DiscourseAPI, month: str, markdown: str, settings: ReportSettings, tz: str = "Europe/Paris"
) -> Publication:
    """Create the month's report topic in `settings.publish_category`, or update its first post."""
    category = next(
        (
            c
            for c in api.all_categories()
            if c.get("slug") == settings.publish_category and not c.get("parent_category_id")
        ),
        None,
    )
    if category is None:
        raise InputError(
            _(
                "La catégorie « {slug} » est introuvable sur le forum : lancez « campus "
                "provision » ou corrigez [reports] publish_category.",
                slug=settings.publish_category,
            )
        )
    title = settings.publish_title.format(month=month)
    # the month's topic is published once the month has started, so it was bumped since then
    topic_id = find_topic(api, category["id"], title, month_bounds(month, tz)[0])
    if topic_id is None:
        post = api.create_topic(title, markdown, category["id"])
        log.info(
            _(
                "Rapport {month} publié dans le sujet {topic_id}.",
                month=month,
                topic_id=post["topic_id"],
            )
        )
        return Publication("created", int(post["topic_id"]), int(post["id"]), title)
    post = first_post_of(api, topic_id)
    api.update_post(post["id"], markdown, edit_reason=_("Rapport recalculé par Campus"))
    log.info(
        _("Rapport {month} mis à jour dans le sujet {topic_id}.", month=month, topic_id=topic_id)
    )
    return Publication("updated", topic_id, int(post["id"]), title)
