"""Telling the animators when a job of the worker fails, and when it works again (DESIGN §9).

One Discourse private message to `[worker] alert_group` per failing job — not one per retry —
saying what failed, since when, what Campus does about it and what to do; then one message
when the job succeeds again. What is owed is recorded in `worker_jobs.alert` by the worker
itself, so a message that cannot be sent (Discourse is what fails) stays owed and is sent at the
next round, once Discourse answers. Every alert is also a line in the log.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine

from app.context import Campus
from app.notify import Notifier
from core.errors import CampusError
from core.i18n import _, format_moment, ngettext
from core.safe_text import discourse_inline
from core.secrets import scrub
from sync.discourse.exceptions import DiscourseError
from sync.mirror import store

log = logging.getLogger("campus.worker")


def advice(job: str) -> str:
    """What an animator can do about a failing job, in their words."""
    hints = {
        "sync": _(
            "Vérifiez que le forum répond et que la clé d'API est valide (campus doctor) ;"
            " le miroir reste tel qu'il était, rien n'est perdu."
        ),
        "sync --full": _(
            "Vérifiez que le forum répond (campus doctor) ; la synchronisation horaire continue."
        ),
        "score": _(
            "Le fichier scores/last30.csv garde les scores précédents ; lancez « campus score »"
            " pour voir l'erreur."
        ),
        "pulse+report": _(
            "Le baromètre et le rapport du mois seront rattrapés dès que la tâche réussira ;"
            " « campus pulse status » et « campus report » montrent où ils en sont."
        ),
        "digest": _("La synthèse du mois sera publiée dès que la tâche réussira."),
        "relay": _("Les suggestions reprendront à la prochaine heure ouvrée qui réussit."),
    }
    return hints.get(job, _("Lancez « campus worker --once -v » pour voir l'erreur."))


def failure_message(job: str, state: dict[str, Any], tz: str) -> tuple[str, str]:
    """The subject and body of the message saying `job` fails (inert Markdown)."""
    since = state.get("failing_since") or state.get("last_started_at")
    retry = state.get("retry_at")
    failures = int(state.get("failures") or 1)
    subject = _("Campus : la tâche {job} échoue", job=job)
    lines = [
        _(
            "La tâche **{job}** du worker de Campus a échoué le {when}.",
            job=discourse_inline(job),
            when=format_moment(since, tz) if since else "?",
        ),
        "",
        _("Erreur : {error}", error=discourse_inline(scrub(state.get("last_error") or "?"))),
        "",
        ngettext(
            "{n} échec de suite pour l'instant.",
            "{n} échecs de suite pour l'instant.",
            failures,
        ),
        _(
            "Campus la réessaie tout seul, avec un délai qui grandit ; prochain essai : {retry}.",
            retry=format_moment(retry, tz) if retry else "?",
        ),
        "",
        _("Que faire : {advice}", advice=advice(job)),
        _(
            "L'état de chaque tâche est sur /healthz (et /animation) ; un seul message vous"
            " dira quand elle réussira de nouveau."
        ),
    ]
    return subject, "\n".join(lines)


def recovery_message(job: str, state: dict[str, Any], tz: str) -> tuple[str, str]:
    """The subject and body of the message saying `job` works again."""
    done = state.get("done_at")
    subject = _("Campus : la tâche {job} fonctionne de nouveau", job=job)
    body = _(
        "La tâche **{job}** du worker de Campus a réussi le {when}, après ses échecs : rien"
        " à faire.",
        job=discourse_inline(job),
        when=format_moment(done, tz) if done else "?",
    )
    return subject, body


class Alerts:
    """Sends what the animators are owed, through the one notifier (`app.notify`)."""

    def __init__(self, campus: Campus) -> None:
        self.campus = campus
        self.group = campus["worker"].alert_group.strip()
        self._said: set[str] = set()  # what the log already said is pending (once each)

    def _say_once(self, key: str, line: str) -> None:
        """Log a pending alert once, not at every round it stays pending."""
        if key not in self._said:
            self._said.add(key)
            log.warning(line)

    def flush(self, engine: Engine) -> None:
        """Send every owed alert; one Discourse cannot take stays owed for the next round."""
        with engine.connect() as conn:
            states = store.job_states(conn)
        owed = {
            job: state
            for job, state in states.items()
            if state.get("alert") in (store.ALERT_FAILURE, store.ALERT_RECOVERY)
        }
        if not owed:
            return
        if not self.group:
            self._forget(engine, owed)
            return
        try:
            notifier = Notifier(self.campus.open_client())
        except CampusError as error:
            line = _("Alerte non envoyée aux animateurs : {error}", error=scrub(str(error)))
            self._say_once("client", line)
            return
        for job, state in owed.items():
            self._send(engine, notifier, job, state)

    def _send(self, engine: Engine, notifier: Notifier, job: str, state: dict[str, Any]) -> None:
        failing = state["alert"] == store.ALERT_FAILURE
        tz = self.campus.timezone
        subject, body = (failure_message if failing else recovery_message)(job, state, tz)
        try:
            delivery = notifier.send(subject, body, [self.group])
        except (DiscourseError, CampusError) as error:
            line = _(
                "Alerte « {subject} » en attente : Discourse ne l'a pas acceptée ({error}) ;"
                " nouvel essai au prochain tour.",
                subject=subject,
                error=scrub(str(error)),
            )
            self._say_once(subject, line)
            return
        self._said.discard(subject)
        if not delivery.sent:
            log.warning(
                _(
                    "Alerte « {subject} » refusée par Discourse pour le groupe {group} : {error}",
                    subject=subject,
                    group=self.group,
                    error=scrub(str(delivery.refusal)),
                )
            )  # a refusal would come again each round: the log line is the alert
        with engine.begin() as conn:
            store.set_alert(conn, job, store.ALERT_FAILURE_SENT if failing else None)
        log.info(
            _(
                "Alerte envoyée au groupe {group} : {subject}.",
                group=self.group,
                subject=subject,
            )
        )

    @staticmethod
    def _forget(engine: Engine, owed: dict[str, dict[str, Any]]) -> None:
        """No alert group: the log said it already; nothing stays owed."""
        with engine.begin() as conn:
            for job, state in owed.items():
                failing = state["alert"] == store.ALERT_FAILURE
                store.set_alert(conn, job, store.ALERT_FAILURE_SENT if failing else None)
