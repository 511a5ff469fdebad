"""Tell each director, by one private message, that the month's reports are written (the worker's
monthly job, after `app.report`).

Directors are the accounts in both the directions group and a cooperative's group, as the mirror
knows them (`store.directors`). Each gets one message per month through the notifier, with the
links to their cooperatives' report pages and the network's, never a figure; it is recorded at
once (`store.record_director_notice`), so a second run in the month, or a run after an
interruption, tells nobody twice. Without a real `[web] base_url` the links would lead nowhere:
nothing is sent, and the worker's line says why.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from app.context import Campus
from app.notify import Notifier
from core.i18n import _, ngettext
from reports.director_notice_text import notice_message
from sync.mirror import db, store

log = logging.getLogger("campus.director_notices")

# campus init's placeholder is on a domain reserved for examples (RFC 2606): nobody's Campus
EXAMPLE_DOMAINS = ("example.org", "example.com", "example.net")


@dataclass
class NoticeOutcome:
    """What one run did: sent, already sent earlier in the month, refused by Discourse; or, with
    `unconfigured_url`, nothing because `[web] base_url` is still the placeholder."""

    sent: int = 0
    already: int = 0
    refused: int = 0
    unconfigured_url: str | None = None

    def line(self) -> str:
        """The worker's sentence about the notices (counts only, never a name)."""
        if self.unconfigured_url is not None:
            return _(
                "Aucun avis envoyé aux directions : [web] base_url n'est pas configurée (« {url} »"
                " est l'adresse d'exemple) ; indiquez l'adresse publique de Campus pour que les"
                " directions reçoivent les liens de leurs rapports.",
                url=self.unconfigured_url,
            )
        return (
            ngettext(
                "{n} avis envoyé aux directions avec les liens de leurs rapports",
                "{n} avis envoyés aux directions avec les liens de leurs rapports",
                self.sent,
            )
            + " ("
            + _(
                "déjà prévenues ce mois-ci : {already} ; refusés : {refused}",
                already=self.already,
                refused=self.refused,
            )
            + ")."
        )


def campus_root(base_url: str) -> str | None:
    """Campus's public address without its trailing slash, or None while `base_url` is still
    an example address (campus init's placeholder)."""
    host = (urlsplit(base_url).hostname or "").lower()
    if any(host == domain or host.endswith("." + domain) for domain in EXAMPLE_DOMAINS):
        return None
    return base_url.rstrip("/")


def run(campus: Campus, month: str, folder: Path) -> NoticeOutcome:
    """Tell every director not yet told that `month`'s reports, written in `folder`, are online."""
    base_url = campus["web"].base_url
    root = campus_root(base_url)
    if root is None:  # the worker's line says so
        return NoticeOutcome(unconfigured_url=base_url)
    # the cooperatives the web service serves pages for (none without cooperatives.csv)
    known = campus.cooperatives() if campus.cooperatives_csv.exists() else []
    names = {coop.slug: coop.name for coop in known}
    directions = campus["template"].role_groups["direction"]
    with db.reader(campus.engine).connect() as conn:
        rows = store.directors(conn, directions, names)
        done = store.notified_directors(conn, month)
    pages: dict[int, tuple[str, list[str]]] = {}
    for user_id, username, slug in rows:
        pages.setdefault(user_id, (username, []))[1].append(slug)
    outcome = NoticeOutcome(already=len(done & pages.keys()))
    waiting = {user_id: page for user_id, page in pages.items() if user_id not in done}
    if not waiting:
        return outcome
    notifier = Notifier(campus.open_client())
    lang = campus["reports"].lang
    for user_id, (username, slugs) in waiting.items():
        written = [
            (slug, names[slug])
            for slug in slugs
            if (folder / "cooperatives" / f"{slug}.html").is_file()
        ]
        subject, body = notice_message(root, month, written, lang)
        delivery = notifier.send(subject, body, [username])
        if not delivery.sent:
            log.warning(
                _(
                    "Avis aux directions : message à la personne n° {user_id} refusé : {error}",
                    user_id=user_id,
                    error=delivery.refusal,
                )
            )
            outcome.refused += 1
            continue
        with campus.engine.begin() as conn:
            store.record_director_notice(conn, month, user_id, campus.now(), delivery.topic_id)
        outcome.sent += 1
    return outcome
