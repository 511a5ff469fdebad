"""`campus digest`: what the network learned in a month, read from the mirror and published as
one wiki topic.

The network digest goes to the `[digest] category` (Campus); a cooperative's digest
(`--coop SLUG`) to that cooperative's own category. One topic per month and scope: the topic is
remembered in the mirror (`digest_publications`) and found again by that stored id, never by
its title (titles may change: the month is written in words), so publishing again edits its
first post instead of creating a second topic.
The text itself is `reports.digest_text`.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Engine

from analytics.digest_selection import digest_entries, helpers_to_thank
from app.context import Campus
from core.errors import InputError
from core.i18n import _, format_month, ngettext
from core.vocabulary import month_bounds, unknown_cooperative
from reports.digest_text import Digest, describe_publication, mark_provisional, render_digest
from sync.discourse.client import DiscourseAPI
from sync.discourse.exceptions import DiscourseNotFound
from sync.mirror.digest_inputs import load_digest_inputs, record_publication, stored_publication

log = logging.getLogger("campus.digest")


def run(
    campus: Campus, month: str, coop: str | None = None, publish: bool = False
) -> tuple[Digest, dict | None]:
    """Build (and publish) a month's digest; what `digest` and the worker do."""
    digest = build_digest(
        campus.engine,
        month,
        tz=campus.timezone,
        forum_url=campus.forum_url,
        optout_group=campus["template"].optout_group,
        coop=coop,
        now=campus.now(),
    )
    published = None
    if publish:
        category = coop or campus["digest"].category
        published = publish_digest(campus.open_client(), campus.engine, digest, category)
    return digest, published


def worker_line(campus: Campus) -> str:
    """Last month's digest, published if [digest] publish_from_worker; the worker's line."""
    digest, published = run(
        campus, campus.previous_month(), None, campus["digest"].publish_from_worker
    )
    if published is None:
        return ngettext(
            "Récapitulatif {month} : {n} question résolue (non publié).",
            "Récapitulatif {month} : {n} questions résolues (non publié).",
            digest.questions,
            month=format_month(digest.month),
        )
    return describe_publication(published)


def build_digest(
    engine: Engine,
    month: str,
    *,
    tz: str,
    forum_url: str,
    optout_group: str,
    coop: str | None = None,
    now: datetime | None = None,
) -> Digest:
    """Read the month's solved questions from the mirror and render the digest of `coop`
    (None: the network). A month that has not started yet is refused (exit 2)."""
    start, end = month_bounds(month, tz)
    if now is not None and start > now:
        raise InputError(
            _("Le mois {month} n'a pas commencé : pas de récapitulatif possible.", month=month)
        )
    inputs = load_digest_inputs(engine, start, end, optout_group)
    known = set(inputs.solved["root_slug"]) | inputs.top_slugs
    if coop is not None and coop not in known:
        raise unknown_cooperative(coop, known)
    entries = digest_entries(inputs.solved, inputs.tags, inputs.permissions, coop)
    helpers, unnamed = helpers_to_thank(entries, inputs.optout_ids)
    digest = render_digest(entries, helpers, unnamed, month, forum_url, coop)
    if now is not None and end > now:  # the month is not over: say so at the top
        digest = mark_provisional(digest)
    return digest


def publish_digest(api: DiscourseAPI, engine: Engine, digest: Digest, category_slug: str) -> dict:
    """Create the month's wiki topic in the category `category_slug`, or update its first post.

    Returns `{"action": "created"|"updated", "topic_id", "post_id", "title"}`."""
    category = next(
        (
            c
            for c in api.all_categories()
            if c.get("slug") == category_slug and not c.get("parent_category_id")
        ),
        None,
    )
    if category is None:
        raise InputError(
            _(
                "La catégorie « {slug} » est introuvable sur le forum : lancez « campus provision » ou corrigez [digest] category.",
                slug=category_slug,
            )
        )
    known = stored_publication(engine, digest.scope, digest.month)
    if known is not None:
        topic_id, post_id = known
        try:
            api.update_post(post_id, digest.markdown, edit_reason=_("Récapitulatif mis à jour"))
        except DiscourseNotFound:
            known = None  # the topic was deleted on the forum: publish it again
        else:
            record_publication(engine, digest.scope, digest.month, topic_id, post_id)
            log.info(
                _(
                    "Récapitulatif {scope} {month} mis à jour dans le sujet {topic_id}.",
                    scope=digest.scope,
                    month=format_month(digest.month),
                    topic_id=topic_id,
                )
            )
            return {
                "action": "updated",
                "topic_id": topic_id,
                "post_id": post_id,
                "title": digest.title,
            }
    post = api.create_topic(digest.title, digest.markdown, category["id"])
    topic_id, post_id = int(post["topic_id"]), int(post["id"])
    api.set_wiki(post_id)
    record_publication(engine, digest.scope, digest.month, topic_id, post_id)
    log.info(
        _(
            "Récapitulatif {scope} {month} publié dans le sujet {topic_id}.",
            scope=digest.scope,
            month=format_month(digest.month),
            topic_id=topic_id,
        )
    )
    return {"action": "created", "topic_id": topic_id, "post_id": post_id, "title": digest.title}
