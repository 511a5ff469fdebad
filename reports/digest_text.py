"""The digest's text: the month's solved questions as Markdown, by theme (`campus digest`).

Every title and username goes through `discourse_inline`: nothing in the digest can mention or
link anybody; helpers in the opt-out group are not named. Reading the mirror and publishing on
the forum is `app.digest`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd

from core.i18n import _, format_month, ngettext
from core.safe_text import discourse_inline

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
    """The title of a month's digest topic, its month in words (« juillet 2026 »). A second
    publication finds the topic by its stored id, never by this title, so it may change.

    Discourse refuses two topics with the same title, so a cooperative's title carries its slug
    (validated as lowercase letters, digits and hyphens: it cannot mention or link anything)."""
    words = format_month(month)
    if coop is None:
        return _("Ce que le réseau a appris — {month}", month=words)
    return _("Ce que {coop} a appris — {month}", coop=coop, month=words)


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
            mark = "" if row.dated_by_acceptance else " ¹"
            lines.append(f"- [{discourse_inline(row.title)}]({link}){mark}")
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
    by_answer = int((~entries["dated_by_acceptance"]).sum()) if count else 0
    if count:
        lines += ["", dating_note(count, by_answer)]
    lines += [
        "",
        "---",
        _(
            "*Ce sujet est un wiki : chacun peut le compléter. Publié chaque mois par Campus. Pour ne pas y être nommé·e, rejoignez le groupe campus-optout.*"
        ),
    ]
    return Digest(coop or NETWORK_SCOPE, month, title, "\n".join(lines), count)


def dating_note(count: int, by_answer: int) -> str:
    """Which date puts a question in the month: its answer's acceptance, or (marked ¹) the
    answer itself when the forum does not say when it was accepted."""
    if not by_answer:
        return _("*Chaque question figure au mois où sa réponse a été acceptée.*")
    return ngettext(
        "*Chaque question figure au mois où sa réponse a été acceptée ; ¹ {n} question datée par sa réponse, le forum ne disant pas quand elle a été acceptée.*",
        "*Chaque question figure au mois où sa réponse a été acceptée ; ¹ {n} questions datées par leur réponse, le forum ne disant pas quand elles ont été acceptées.*",
        by_answer,
    )


def mark_provisional(digest: Digest) -> Digest:
    """The digest of a month that is not over, with a banner at the top that says so."""
    banner = _("*Mois en cours : récapitulatif provisoire, complété à la fin du mois.*")
    return dataclasses.replace(digest, markdown=f"{banner}\n\n{digest.markdown}")


def describe_publication(published: dict) -> str:
    """One line for the animator: where the digest was published (or updated)."""
    values = {"topic_id": published["topic_id"], "title": published["title"]}
    if published["action"] == "created":
        return _("Récapitulatif publié dans le sujet {topic_id} « {title} ».", **values)
    return _("Récapitulatif mis à jour dans le sujet {topic_id} « {title} ».", **values)
