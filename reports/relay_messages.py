"""What `campus relay` says: the outcome of a run (names for the animator, counts for logs and
JSON) and the private message that suggests a question to a volunteer. The run itself is
`app.relay`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from analytics.relay_plan import RelayPlan
from core.i18n import _, ngettext
from core.safe_text import discourse_inline


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
        "no_volunteer": _("sans volontaire qui puisse lire la catégorie"),
        "too_old": _("trop anciennes (au-delà de max_age_days)"),
        "volunteers_busy": _("volontaires déjà sollicités cette semaine"),
    }
    return labels.get(reason, reason)


def suggestion_message(
    topic_id: int,
    title: str,
    forum_url: str,
    group: str,
    per_week: int,
    *,
    knows_theme: bool = True,
) -> tuple[str, str]:
    """(title, Markdown body) of the private message that suggests a question to a volunteer.

    Short, French first, says why they get it (a theme where they helped before, or no one who
    knows the theme is available: `knows_theme` false) and how to stop; the question's title goes
    through `discourse_inline` (no mention, no link can come from it)."""
    base = forum_url.rstrip("/")
    group_url = f"{base}/g/{group}"
    subject = _("Une question attend peut-être votre aide")
    body = "\n\n".join(
        [
            _("Bonjour,"),
            _(
                "Une question posée sur le campus attend encore une réponse, sur un thème où vous avez déjà aidé d'autres membres :"
            )
            if knows_theme
            else _(
                "Une question posée sur le campus attend encore une réponse, et aucun·e volontaire qui connaît déjà son thème n'est disponible. Un regard neuf peut aider :"
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
