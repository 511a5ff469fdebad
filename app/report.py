"""`campus report`: write the month's reports, and publish the network one in the directors'
category: one topic per month, never two.

The topic's id is stored in the mirror when it is created ("Rapport QVT — octobre 2026" by
default) and publishing again edits its first post, found by that id, never by its title. The
documents themselves are `reports.render`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from app import actions as action_log
from app.context import Campus
from core.errors import InputError
from core.i18n import _, format_month
from reports import render as report_render
from reports.settings import ReportSettings
from sync.discourse.client import DiscourseAPI
from sync.discourse.exceptions import DiscourseNotFound
from sync.mirror.digest_inputs import record_publication, stored_publication
from sync.mirror.loader import load_forum

log = logging.getLogger("campus.report")

#: the scope under which the network report's topic is stored among Campus's publications (a
#: colon, which no cooperative slug holds, so it never meets a cooperative's digest)
REPORT_SCOPE = "report:network"


def run(
    campus: Campus,
    month: str,
    *,
    coop: str | None = None,
    out: Path | None = None,
    lang: str | None = None,
    publish: bool = False,
    partial: bool = False,
    with_pdf: bool = False,
) -> dict:
    """Write the month's reports (and publish the network one); what `report` and the worker do."""
    settings: ReportSettings = campus["reports"]
    folder = report_render.build_report(
        load_forum(campus.engine),
        month,
        out or campus.reports_dir,
        lang=lang or settings.lang,
        settings=settings,
        thresholds=campus["indicators"],
        tz=campus.timezone,
        only=coop,
        partial=partial,
        with_pdf=with_pdf,
        base_url=campus["web"].root,
        now=campus.now(),
        regions=regions(campus),
        actions=action_log.actions_frame(action_log.all_actions(campus)),
    )
    result: dict = {"folder": str(folder)}
    if publish:
        markdown = (folder / "network.md").read_text(encoding="utf-8")
        result["published"] = publish_report(
            campus.open_client(), campus.engine, month, markdown, settings
        ).as_dict()
    return result


def regions(campus: Campus) -> dict[str, str] | None:
    """Each cooperative's region from `cooperatives.csv` (the vigilance's peer groups), or None
    without the file."""
    if not campus.cooperatives_csv.is_file():
        return None
    return {coop.slug: coop.region for coop in campus.cooperatives() if coop.region}


def describe_published(published: dict) -> str:
    """The line `report --publish` writes on stderr: where the network report went."""
    action = _("publié") if published["action"] == "created" else _("mis à jour")
    return _(
        "Rapport {action} dans le sujet {topic_id} « {title} ».", **published | {"action": action}
    )


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
    api: DiscourseAPI, engine: Engine, month: str, markdown: str, settings: ReportSettings
) -> Publication:
    """Create the month's report topic in `settings.publish_category`, or update its first post.

    The topic is found again by the id stored when it was created (`REPORT_SCOPE` in the
    mirror's publications), never by its title: the title says the month in words and may
    change without a second topic appearing. A stored topic deleted on the forum is created
    again."""
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
    title = settings.publish_title.format(month=format_month(month))
    known = stored_publication(engine, REPORT_SCOPE, month)
    if known is not None:
        topic_id, post_id = known
        try:
            api.update_post(post_id, markdown, edit_reason=_("Rapport recalculé par Campus"))
        except DiscourseNotFound:
            known = None  # deleted on the forum: published again below
        else:
            log.info(
                _(
                    "Rapport {month} mis à jour dans le sujet {topic_id}.",
                    month=format_month(month),
                    topic_id=topic_id,
                )
            )
            return Publication("updated", topic_id, post_id, title)
    post = api.create_topic(title, markdown, category["id"])
    topic_id, post_id = int(post["topic_id"]), int(post["id"])
    record_publication(engine, REPORT_SCOPE, month, topic_id, post_id)
    log.info(
        _(
            "Rapport {month} publié dans le sujet {topic_id}.",
            month=format_month(month),
            topic_id=topic_id,
        )
    )
    return Publication("created", topic_id, post_id, title)
