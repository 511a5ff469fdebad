"""The live mirror: Discourse webhook events applied to the mirror within seconds.

The web service (`web.webhooks`) verifies a delivery's signature, then hands it here. Rules:

- **Idempotent by event id, and by effect.** `X-Discourse-Event-Id` is recorded (table
  `webhook_events`) in the transaction that applies the event: a re-delivered event changes
  nothing. Ids are kept `RETENTION` (far beyond Discourse's retries, about 2½ hours) and pruned
  by age, never by value: no id, however large, hides the later ones. Discourse signs the body
  only, so a captured body may come back under a new id: every event is written by its effect
  (an upsert of the state it carries, a check against the forum), never as an increment, so
  applying it twice is applying it once.
- **The payload for what it carries, the API for what a replay could restore.** New and edited
  posts (never older than the mirror's version), new and edited topics (status changes
  included) and new and updated accounts are written from the payload, in the request, through
  the store's writers (`sync.mirror.store`), the ones the sync uses. What adds to a count or
  gives back a standing — a like, an accepted answer, a group join — and what destroys or takes
  back — a deleted or recovered post or topic, an unaccepted answer, a removal from a group, a
  suspension, a deleted account — is only queued: a background thread asks the forum (admin
  API) for the truth and writes that. So a forged or replayed delivery can never delete,
  unaccept, remove or suspend, nor count a like twice, accept again or re-admit a member who
  left. Events that change nothing mirrored (logins…) are answered and ignored.
- **Fetch what a payload lacks, coalesced, within the budget.** Webhook posts carry no like
  counts (`WebHookPostSerializer` drops `actions_summary`), and a like is a (post, liker) pair
  that the forum may have taken back since the body was signed: a `post_liked` event queues its
  post for a re-read, which writes the forum's like count (with `fetch_likers`, its likers too,
  the sync's rule). A post the mirror learns of from an edit and every check above are queued
  the same way. A check is recorded (table `webhook_checks`, `sync.mirror.steps.checks`) in the
  transaction that applies its event, and deleted only once done: a check the forum refused
  or could not answer is tried again with backoff, and one left when the process stopped (or
  was killed) is done by the next sync, incremental too. Queued posts are read by topic, one `/t/{id}/posts.json?post_ids[]=…`
  request for all the queued posts of a topic, however many events named them, and the client's
  budget (shared with the sync) paces the requests: under a burst of events the queue grows and
  each request covers more of it.
- **A body that does not parse as expected is refused** (`InvalidEvent`, a 400 with the reason):
  bad JSON or nesting too deep, a missing field, an id that is not an integer or does not fit
  its column (`NUMBERS`), or any value the database refuses (the transaction is rolled back).
- **The sync's safety net stays whole.** A topic's listing counters (posts, highest post
  number, likes, accepted answer, bump date) are never written from a webhook: the sync
  compares them with the forum's listing to find the topics that changed, so a change whose
  delivery was lost is still found by the next incremental sync.
- Every applied event stores its time under the sync-state key `last_webhook_at` (`campus
  stats` shows it). The hourly sync stays the safety net: an event never delivered (Campus
  down) is caught by the next sync.

Payload facts (discourse/discourse's web hook serializers, discourse-solved): post events send
`{"post": WebHookPostSerializer}`, topic events `{"topic": WebHookTopicViewSerializer}`,
`post_liked` `{"like": {"post": …, "user": …}}`, solved events `{"solved": <the post>}`, user
events `{"user": …}`, group membership events `{"group_user": {"group_id", "user_id", …}}`.
Private messages are never mirrored (the sync does not read them either).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError, StatementError

from core.i18n import _
from sync.discourse.client import DiscourseAPI
from sync.discourse.exceptions import DiscourseError
from sync.mirror import records, store
from sync.mirror.pull import SyncOptions
from sync.mirror.steps import checks

log = logging.getLogger(__name__)

RETENTION = timedelta(days=7)  # seen ids kept this long (Discourse retries for about 2½ hours)
PRUNE_INTERVAL = timedelta(hours=1)  # time between two prunings of the seen ids
WRITE_ATTEMPTS = 3
RETRY_FIRST_SECONDS = 5.0  # a failed check batch is tried again after this, then doubling
RETRY_MAX_SECONDS = 300.0
#: columns a webhook post does not carry or may not change (see `apply_post`)
POST_KEEP = ("like_count", "flag_count", "accepted_answer", "deleted_at")

#: `users` column -> the user payload key it comes from (absent key: the column is left alone)
USER_SOURCES = {
    "name": "name",
    "created_at": "created_at",
    "last_seen_at": "last_seen_at",
    "trust_level": "trust_level",
    "admin": "admin",
    "moderator": "moderator",
    "active": "active",
    "staged": "staged",
    "suspended": "suspended_till",
}

#: event name -> the event type Discourse sends it with (`X-Discourse-Event-Type`)
EVENTS = {
    "post_created": "post",
    "post_edited": "post",
    "post_destroyed": "post",
    "post_recovered": "post",
    "topic_created": "topic",
    "topic_edited": "topic",
    "topic_destroyed": "topic",
    "topic_recovered": "topic",
    "post_liked": "like",
    "accepted_solution": "solved",
    "unaccepted_solution": "solved",
    "user_created": "user",
    "user_updated": "user",
    "user_added_to_group": "group_user",
    "user_removed_from_group": "group_user",
    "topic_revised": "topic",
    "user_suspended": "user",
    "user_unsuspended": "user",
    "user_destroyed": "user",
}
#: events of those types that change nothing Campus mirrors: answered, nothing written
IGNORED = {
    "user_logged_in": "user",
    "user_logged_out": "user",
    "user_confirmed_email": "user",
    "user_approved": "user",
    "user_promoted": "user",
}
#: topic_closed_status_updated, topic_visible_status_updated…: the topic's fields, like an edit
STATUS_EVENT = re.compile(r"topic_[a-z_]+_status_updated")
#: the fields each payload type must have for Campus to use it
REQUIRED = {
    "post": ("id", "topic_id", "post_number", "created_at"),
    "topic": ("id", "created_at"),
    "solved": ("id", "topic_id", "post_number", "created_at"),
    "user": ("id", "username"),
    "group_user": ("group_id", "user_id"),
}


INT32 = 2**31
INT64 = 2**63
_POST_NUMBERS = {
    "id": INT64,
    "topic_id": INT32,
    "post_number": INT32,
    "reply_to_post_number": INT32,
    "user_id": INT32,
    "category_id": INT32,
    "post_type": INT32,
    "version": INT32,
}
#: integer fields of each payload type that Campus reads, and the bound of their column
#: (|value| < bound): anything else there, a float, a string or a boolean, refuses the event
NUMBERS = {
    "post": _POST_NUMBERS,
    "solved": _POST_NUMBERS,
    "topic": {"id": INT32, "category_id": INT32, "user_id": INT32},
    "user": {"id": INT32, "trust_level": INT32},
    "group_user": {"group_id": INT32, "user_id": INT32},
    "liker": {"id": INT32},
}


class InvalidEvent(ValueError):
    """A delivery Campus refuses (unknown event, malformed body): the message says why."""


@dataclass(frozen=True)
class Event:
    """One verified webhook delivery: its id, type, name and the object it carries."""

    event_id: int
    event_type: str
    event: str
    payload: Mapping[str, Any]


def parse_event(
    event_id: str | None, event_type: str | None, event: str | None, body: bytes
) -> Event:
    """Check a delivery's headers and body; raise `InvalidEvent` with the reason if unusable."""
    if not event_id or not (event_id.isascii() and event_id.isdigit()) or len(event_id) > 18:
        raise InvalidEvent(_("En-tête X-Discourse-Event-Id absent ou non numérique."))
    if IGNORED.get(str(event)) == event_type:
        return Event(int(event_id), event_type, str(event), {})
    if (event not in EVENTS or EVENTS[event] != event_type) and not (
        event_type == "topic" and STATUS_EVENT.fullmatch(str(event))
    ):
        raise InvalidEvent(
            _(
                "Événement non pris en charge : {event} ({type}). Dans Discourse, ne cochez que "
                "les événements listés dans la documentation de Campus.",
                event=str(event)[:60],
                type=str(event_type)[:30],
            )
        )
    try:
        document = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError) as error:  # not UTF-8 or JSON, too deep, huge numbers
        raise InvalidEvent(
            _("Le corps de la requête n'est pas du JSON valide (ou trop imbriqué).")
        ) from error
    payload = document.get(event_type) if isinstance(document, dict) else None
    if event_type == "like" and isinstance(payload, dict):
        payload = payload.get("post") if isinstance(payload.get("user"), dict) else None
    if not isinstance(payload, dict):
        raise InvalidEvent(
            _("Le corps doit être un objet JSON avec la clé « {key} ».", key=event_type)
        )
    kind = "post" if event_type == "like" else event_type
    missing = [name for name in REQUIRED[kind] if payload.get(name) in (None, "")]
    if missing:
        raise InvalidEvent(
            _("Champs manquants dans l'événement : {fields}.", fields=", ".join(missing))
        )
    _check_numbers(payload, NUMBERS[kind])
    if event_type == "like":
        liker = document[event_type]["user"]
        _check_numbers(liker, NUMBERS["liker"])
        payload = {"post": payload, "user": liker}
    return Event(int(event_id), event_type, event, payload)


def _check_numbers(payload: Mapping[str, Any], bounds: Mapping[str, int]) -> None:
    """Raise `InvalidEvent` unless each field of `bounds` in `payload` is absent, null or an
    integer (not a boolean) of absolute value below its bound."""
    for name, bound in bounds.items():
        value = payload.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not -bound < value < bound:
            raise InvalidEvent(
                _(
                    "Champ « {field} » de l'événement : un entier entre -{top} et {top} est"
                    " attendu.",
                    field=name,
                    top=bound - 1,
                )
            )


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class LiveMirror:
    """Applies verified events to the mirror; checks destructive ones through the API.

    `client_factory` gives the budgeted admin client (the one the web service is built with);
    one client serves the background checks. `apply` is safe to call from several threads.
    """

    def __init__(
        self,
        engine: Engine,
        client_factory: Callable[[], DiscourseAPI],
        options: SyncOptions | None = None,
        *,
        clock: Callable[[], datetime] = _now,
        background: bool = True,
    ) -> None:
        self.engine = engine
        self.client_factory = client_factory
        self.options = options or SyncOptions()
        self.clock = clock
        self.background = background  # False: queued checks wait for `run_pending`
        self._client: DiscourseAPI | None = None
        self._write_lock = threading.Lock()
        self._pruned_at: datetime | None = None
        self._client_lock = threading.Lock()
        self._wake = threading.Condition()
        self._due = False
        self._busy = False
        self._thread: threading.Thread | None = None
        self._stopping = False

    # ------------------------------------------------------------------ applying
    def apply(self, event: Event) -> str:
        """Apply `event` once: "applied", "queued" (checked later), "ignored" or "duplicate".

        An event of `IGNORED` writes nothing. A payload Campus cannot read raises
        `InvalidEvent` and writes nothing. A transaction the database refuses (SQLite still
        locked by another writer after the engine's busy wait, a PostgreSQL deadlock) is tried
        again, as it was rolled back whole.
        """
        if event.event in IGNORED:
            return "ignored"
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                outcome = self._apply_once(event)
                break
            except OperationalError:
                if attempt == WRITE_ATTEMPTS:
                    raise
                time.sleep(0.05 * attempt)
        if outcome == "queued" and self.background:
            self._ensure_thread()
        return outcome

    def _apply_once(self, event: Event) -> str:
        with self._write_lock, self.engine.begin() as conn:
            if not store.claim_event(conn, event.event_id, self.clock()):
                log.info(_("Webhook {id} déjà reçu : ignoré.", id=event.event_id))
                return "duplicate"
            try:
                outcome = self._dispatch(conn, event)
            except OperationalError:
                raise  # the database was busy: `apply` tries again
            except (KeyError, TypeError, ValueError, ArithmeticError) as error:
                raise InvalidEvent(  # rolled back: nothing written
                    _("Événement mal formé ({event}) : {error}", event=event.event, error=error)
                ) from error
            except StatementError as error:  # a value the database cannot hold
                raise InvalidEvent(
                    _(
                        "Événement mal formé ({event}) : une valeur est refusée par la base.",
                        event=event.event,
                    )
                ) from error
            now = self.clock()
            store.record_webhook_time(conn, now)
            if self._pruned_at is None or now - self._pruned_at >= PRUNE_INTERVAL:
                store.prune_events(conn, now - RETENTION)
                self._pruned_at = now
        return outcome

    def _client_now(self) -> DiscourseAPI:
        """The admin client, built on first use (only checks against the forum need it)."""
        with self._client_lock:
            if self._client is None:
                self._client = self.client_factory()
        return self._client

    def _dispatch(self, conn: Connection, event: Event) -> str:
        payload = event.payload
        name = event.event
        if name in ("post_created", "post_edited"):
            return self._apply_post(conn, payload, created=name == "post_created")
        if name == "accepted_solution":  # its arrival dates the solution the forum confirms
            return self._queue_post(conn, payload, accepted=True)
        if name in ("post_destroyed", "post_recovered", "unaccepted_solution"):
            return self._queue_post(conn, payload)
        if name == "post_liked":  # the forum's like count (and likers), never an increment
            return self._queue_post(conn, payload["post"])
        if name in ("topic_created", "topic_edited", "topic_revised") or STATUS_EVENT.fullmatch(
            name
        ):
            return self._apply_topic(conn, payload)
        if name in ("topic_destroyed", "topic_recovered"):
            if payload.get("archetype") == "private_message":
                return "ignored"
            return self._queue(conn, topics={int(payload["id"])})
        if name in ("user_created", "user_updated"):
            return self._apply_user(conn, payload)
        if name in ("user_suspended", "user_unsuspended", "user_destroyed"):
            return self._queue(conn, users={int(payload["id"])})
        return self._queue(
            conn, users={int(payload["user_id"])}
        )  # added to or removed from a group

    @staticmethod
    def _private(post: Mapping[str, Any]) -> bool:
        return post.get("topic_archetype") == "private_message"

    def _apply_post(self, conn: Connection, post: Mapping[str, Any], *, created: bool) -> str:
        """A new or edited post, from the payload; never older than what the mirror has.

        The payload has no like or flag counts, and may not delete, recover or unaccept: an
        existing post keeps those columns (`POST_KEEP`); a new post has none yet; an edited
        post the mirror did not know is queued for a re-read that brings its counts.
        """
        if self._private(post):
            return "ignored"
        row = records.post_row(post)
        stored = store.post_version(conn, row["id"])
        if stored is not None and (
            (stored.version or 0) > row["version"]
            or (stored.updated_at and row["updated_at"] and stored.updated_at > row["updated_at"])
        ):
            return "ignored"  # an older state of the post than the mirror's
        store.write_posts(conn, [post], {}, store.Tally(), from_topic_view=True, keep=POST_KEEP)
        if stored is None and not created:
            return self._queue_post(conn, post)
        return "applied"

    def _apply_topic(self, conn: Connection, topic: Mapping[str, Any]) -> str:
        """A new or edited topic: its own fields, never deleted_at, its solution or the listing
        counters (`records.LISTING_FIELDS`: the sync compares them with the forum's)."""
        if topic.get("archetype") == "private_message":
            return "ignored"
        row = records.topic_view_row(topic)
        for column in ("deleted_at", "accepted_post_id", *records.LISTING_FIELDS):
            row.pop(column, None)
        if row["user_id"] is None:
            row.pop("user_id")
        row["pinned"] = bool(topic.get("pinned"))
        store.write_topic_fields(conn, row)
        return "applied"

    def _apply_user(self, conn: Connection, user: Mapping[str, Any]) -> str:
        """A new or changed account: the columns whose source the payload really carries."""
        row = records.user_row(user, self.clock())
        for column, source in USER_SOURCES.items():
            if source not in user:
                row.pop(column)
        store.write_users(conn, [row], store.Tally())
        return "applied"

    # ------------------------------------------------------------------ queued checks
    def _queue_post(
        self, conn: Connection, post: Mapping[str, Any], *, accepted: bool = False
    ) -> str:
        if self._private(post):
            return "ignored"
        posts = {int(post["topic_id"]): {int(post["id"])}}
        return self._queue(conn, accepted=posts) if accepted else self._queue(conn, posts=posts)

    def _queue(
        self,
        conn: Connection,
        posts: dict[int, set[int]] | None = None,
        topics: set[int] | None = None,
        users: set[int] | None = None,
        accepted: dict[int, set[int]] | None = None,
    ) -> str:
        """Record checks in the event's transaction: done by the thread, else by the sync.
        `accepted`: posts an `accepted_solution` delivery named (by topic), whose arrival time
        becomes the solution's acceptance time once the forum confirms it."""
        queued = checks.Checks(
            posts or {}, topics or set(), users or set(), accepted=accepted or {}
        )
        checks.record(conn, queued, self.clock())
        return "queued"

    def pending(self) -> int:
        """How many posts, topics and accounts wait for a check against the forum."""
        with self._wake:
            busy = int(self._busy)
        return checks.pending(self.engine) + busy

    def _ensure_thread(self) -> None:
        with self._wake:
            self._due = True
            if self._thread is None or not self._thread.is_alive():
                self._stopping = False
                self._thread = threading.Thread(
                    target=self._run, name="campus-live-mirror", daemon=True
                )
                self._thread.start()
            self._wake.notify_all()

    def stop(self) -> None:
        """Stop the background thread after its current check (queued ones stay for the sync)."""
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self._thread = None

    def _wait_until_due(self, delay: float) -> bool:
        """Wait for new checks (or `delay` seconds, to try failed ones again); False: stop."""
        deadline = time.monotonic() + delay if delay else None
        with self._wake:
            while not self._stopping:
                if self._due or (deadline is not None and time.monotonic() >= deadline):
                    self._due = False
                    self._busy = True
                    return True
                self._wake.wait(0.5)
            return False

    def _run(self) -> None:
        """Do the recorded checks as events come; after a failure, again with backoff."""
        delay = 0.0
        while self._wait_until_due(delay):
            try:
                self.run_pending()
                delay = 0.0
            except DiscourseError as error:  # the forum refused or is down: try again later
                delay = min(max(2 * delay, RETRY_FIRST_SECONDS), RETRY_MAX_SECONDS)
                log.warning(
                    _(
                        "Vérification d'événements webhook impossible : {error} (nouvel essai"
                        " dans {seconds} s ; la prochaine synchronisation la fera sinon).",
                        error=error,
                        seconds=int(delay),
                    )
                )
            except Exception:  # noqa: BLE001 - the thread must survive; the checks stay recorded
                delay = min(max(2 * delay, RETRY_FIRST_SECONDS), RETRY_MAX_SECONDS)
                log.exception(_("Erreur en appliquant des événements webhook."))
            finally:
                with self._wake:
                    self._busy = False
                    self._wake.notify_all()

    def run_pending(self) -> None:
        """Do every recorded check now, in the calling thread (they stay recorded if it fails)."""
        queued = checks.queued(self.engine)
        if queued:
            checks.run_checks(
                self.engine,
                self._client_now(),
                queued,
                self.options,
                clock=self.clock,
                write_lock=self._write_lock,
            )

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until no check is recorded or running (True), or `timeout` passed (False)."""
        deadline = time.monotonic() + timeout
        while self.pending():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            with self._wake:
                self._wake.wait(min(left, 0.05))
        return True
