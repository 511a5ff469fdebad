"""`campus digest`: the month's solved questions as Markdown, published as one wiki topic.

The network digest goes to the `[digest] category` (Campus); a cooperative's digest
(`--coop SLUG`) to that cooperative's own category. One topic per month and scope: the topic is
remembered in the mirror (`digest_publications`), and found by its title when the mirror does
not know it, so publishing again edits its first post instead of creating a second topic.
Every title and username goes through `discourse_inline`: nothing in the digest can mention or
link anybody; helpers in the opt-out group are not named.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine

from analytics.digest import digest_entries, helpers_to_thank
from core.errors import InputError
from core.i18n import _, ngettext
from core.safe_text import discourse_inline
from core.vocabulary import month_bounds
from sync.discourse.client import DiscourseAPI
from sync.discourse.errors import DiscourseNotFound
from sync.forum.pulse import find_topic
from sync.mirror.digest import load_digest_inputs, record_publication, stored_publication

log = logging.getLogger("campus.digest")

NETWORK_SCOPE = "network"


@dataclass(frozen=True)
class Digest:
    """A rendered digest: its scope (`network` or a cooperative slug), title and Markdown."""

    scope: str
    month: str
    title: str
    markdown: str
    questions: int


def digest_title(month: str, coop: str | None) -> str:
    """The stable title of a month's digest topic (how a second publication finds it).

    Discourse refuses two topics with the same title, so a cooperative's title carries its slug
    (validated as lowercase letters, digits and hyphens: it cannot mention or link anything)."""
    if coop is None:
        return _("Ce que le réseau a appris — {month}", month=month)
    return _("Ce que {coop} a appris — {month}", coop=coop, month=month)


def render_digest(
    entries: pd.DataFrame,
    helpers: list[str],
    unnamed: int,
    month: str,
    forum_url: str,
    coop: str | None = None,
) -> Digest:
    """The digest's Markdown: solved questions by theme, each linked to its accepted answer."""
    base = forum_url.rstrip("/")
    title = digest_title(month, coop)
    count = len(entries)
    if count:
        lines = [
            ngettext(
                "{n} question résolue ce mois-ci grâce à l'entraide entre membres.",
                "{n} questions résolues ce mois-ci grâce à l'entraide entre membres.",
                count,
            )
        ]
    else:
        lines = [_("Aucune question n'a été résolue ce mois-ci.")]
    for theme, rows in entries.groupby("theme", sort=True):
        lines += ["", f"## {discourse_inline(theme)}", ""]
        for row in rows.itertuples(index=False):
            link = f"{base}/t/{int(row.topic_id)}/{int(row.post_number)}"
            lines.append(f"- [{discourse_inline(row.title)}]({link})")
    if helpers or unnamed:
        names = ", ".join(discourse_inline(name) for name in helpers)
        thanks = (
            ngettext(
                "Merci à {names} pour son aide.",
                "Merci à {names} pour leur aide.",
                len(helpers),
                names=names,
            )
            if helpers
            else ""
        )
        if unnamed:
            others = ngettext(
                "Merci aussi à {n} autre personne qui préfère ne pas être nommée.",
                "Merci aussi aux {n} autres personnes qui préfèrent ne pas être nommées.",
                unnamed,
            )
            thanks = f"{thanks} {others}".strip()
        lines += ["", thanks]
    lines += [
        "",
        "---",
        _(
            "*Ce sujet est un wiki : chacun peut le compléter. Publié chaque mois par Campus. Pour ne pas y être nommé·e, rejoignez le groupe campus-optout.*"
        ),
    ]
    return Digest(coop or NETWORK_SCOPE, month, title, "\n".join(lines), count)


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
    if coop is not None and coop not in set(inputs.solved["root_slug"]) | _known_slugs(engine):
        raise InputError(
            _(
                "Coopérative « {coop} » inconnue du miroir : indiquez le slug d'une coopérative (lancez « campus sync » si elle est nouvelle).",
                coop=coop,
            )
        )
    entries = digest_entries(inputs.solved, inputs.tags, inputs.permissions, coop)
    helpers, unnamed = helpers_to_thank(entries, inputs.optout_ids)
    digest = render_digest(entries, helpers, unnamed, month, forum_url, coop)
    if now is not None and end > now:  # the month is not over: say so at the top
        banner = _("*Mois en cours : récapitulatif provisoire, complété à la fin du mois.*")
        digest = dataclasses.replace(digest, markdown=f"{banner}\n\n{digest.markdown}")
    return digest


def _known_slugs(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        frame = pd.read_sql_query("SELECT slug FROM categories WHERE parent_id IS NULL", conn)
    return set(frame["slug"])


def describe_publication(published: dict) -> str:
    """One line for the animator: where the digest was published (or updated)."""
    values = {"topic_id": published["topic_id"], "title": published["title"]}
    if published["action"] == "created":
        return _("Récapitulatif publié dans le sujet {topic_id} « {title} ».", **values)
    return _("Récapitulatif mis à jour dans le sujet {topic_id} « {title} ».", **values)


def publish_digest(
    api: DiscourseAPI, engine: Engine, digest: Digest, category_slug: str, tz: str
) -> dict:
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
    if known is None:
        topic_id = find_topic(api, category["id"], digest.title, month_bounds(digest.month, tz)[0])
        if topic_id is not None:
            first = api.topic_with_posts(topic_id)["post_stream"]["posts"][0]
            known = (topic_id, int(first["id"]))
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
                    month=digest.month,
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
            month=digest.month,
            topic_id=topic_id,
        )
    )
    return {"action": "created", "topic_id": topic_id, "post_id": post_id, "title": digest.title}
