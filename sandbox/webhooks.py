"""Webhook deliveries, as Discourse sends them, to a URL the tests (or the demo) configure.

Each change of the forum that Discourse reports by webhook (`Forum.emit`) becomes one delivery:
a POST of `{"<type>": payload}` (`sandbox.webhook_payloads`) with Discourse's headers —
`X-Discourse-Instance`, `X-Discourse-Event-Id` (increasing), `X-Discourse-Event-Type`,
`X-Discourse-Event`, `X-Discourse-Event-Signature: sha256=<hex HMAC-SHA256(secret, body)>` —
content type `application/json`. The body is serialized when the change happens (under the
forum's lock) and sent from a background thread, in order. A delivery answered with anything
but 2xx, or not answered, is retried like `Jobs::EmitWebHookEvent` with `retry_web_hook_events`:
up to 4 more times, with a growing delay (Discourse waits 1, 5, 25 then 125 minutes; tests give
shorter delays). Every delivery is kept so a test can replay it byte for byte.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from sandbox.state import Forum
from sandbox.webhook_payloads import EVENT_TYPES, body_for

#: Discourse's retry delays (5 ** n minutes), in seconds
DISCOURSE_RETRY_SECONDS = (60.0, 300.0, 1500.0, 7500.0)
TIMEOUT_SECONDS = 10.0
USER_AGENT = "Discourse/3.4.0 (sandbox)"


@dataclass
class Delivery:
    """One event sent (or to send) to the configured URL, and what became of it."""

    event_id: int
    event: str
    event_type: str
    body: bytes
    headers: dict[str, str]
    attempts: list[str] = field(default_factory=list)  # "200", "500", "error: …"
    state: str = "pending"  # pending, delivered, failed
    emitted_at: float = field(default_factory=time.monotonic)  # when the forum changed
    answered_at: float | None = None  # when the receiver first answered 2xx (monotonic)

    def summary(self) -> dict:
        """JSON-ready facts about the delivery (never the secret)."""
        return {
            "id": self.event_id,
            "event": self.event,
            "type": self.event_type,
            "attempts": list(self.attempts),
            "state": self.state,
        }


def signature(secret: str, body: bytes) -> str:
    """The `X-Discourse-Event-Signature` header value of `body`."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class WebhookDeliverer:
    """Serializes the forum's change events and POSTs them to `url` from a background thread."""

    def __init__(self, forum: Forum, instance: str = "http://127.0.0.1") -> None:
        self.forum = forum
        self.instance = instance
        self.url: str | None = None
        self.secret = ""
        self.events: frozenset[str] | None = None
        self.retry_seconds: tuple[float, ...] = DISCOURSE_RETRY_SECONDS
        self.deliveries: dict[int, Delivery] = {}
        self._ids = itertools.count(1)
        self._order = itertools.count()
        self._queue: list[tuple[float, int, int]] = []  # (due, order, event id)
        self._condition = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False
        forum.listeners.append(self._on_event)

    # ------------------------------------------------------------------ configuration
    def configure(
        self,
        url: str | None,
        secret: str = "",
        events: list[str] | None = None,
        retry_seconds: list[float] | None = None,
    ) -> dict:
        """Send future events to `url` (None stops), signed with `secret`, only `events` if given."""
        if url is not None and not str(url).startswith(("http://", "https://")):
            raise ValueError("url must be an http(s) URL")
        unknown = sorted(set(events or ()) - set(EVENT_TYPES))
        if unknown:
            raise ValueError(f"unknown webhook events: {', '.join(unknown)}")
        if retry_seconds is not None and any(float(delay) < 0 for delay in retry_seconds):
            raise ValueError("retry_seconds must be >= 0")
        with self._condition:
            self.url = url
            self.secret = str(secret or "")
            self.events = frozenset(events) if events else None
            if retry_seconds is not None:
                self.retry_seconds = tuple(float(delay) for delay in retry_seconds)
        if url is not None:
            self._ensure_thread()
        return self.status()

    def status(self) -> dict:
        """Where events go and how many are pending, delivered or failed (no secret)."""
        with self._condition:
            states = [delivery.state for delivery in self.deliveries.values()]
            return {
                "url": self.url,
                "signed": bool(self.secret),
                "events": sorted(self.events) if self.events else sorted(EVENT_TYPES),
                "retry_seconds": list(self.retry_seconds),
                "emitted": len(states),
                "pending": states.count("pending"),
                "delivered": states.count("delivered"),
                "failed": states.count("failed"),
                "last_event_id": max(self.deliveries, default=0),
            }

    def summaries(self, since: int = 0) -> list[dict]:
        """Summaries of the deliveries with an id above `since`."""
        with self._condition:
            return [
                delivery.summary()
                for event_id, delivery in sorted(self.deliveries.items())
                if event_id > since
            ]

    # ------------------------------------------------------------------ events
    def _on_event(self, event: str, subject: object) -> None:
        """Forum listener (called under the forum's lock): serialize now, send later."""
        if self.url is None or (self.events is not None and event not in self.events):
            return
        body = body_for(self.forum, event, subject)
        if body is None:
            return
        raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
        with self._condition:
            event_id = next(self._ids)
            headers = {
                "Accept": "*/*",
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "X-Discourse-Instance": self.instance,
                "X-Discourse-Event-Id": str(event_id),
                "X-Discourse-Event-Type": EVENT_TYPES[event],
                "X-Discourse-Event": event,
            }
            if self.secret:
                headers["X-Discourse-Event-Signature"] = signature(self.secret, raw)
            self.deliveries[event_id] = Delivery(event_id, event, EVENT_TYPES[event], raw, headers)
            self._schedule(event_id, 0.0)

    def replay(self, ids: list[int] | None = None) -> dict:
        """Send deliveries again exactly as first sent (same id, body, signature)."""
        with self._condition:
            wanted = sorted(ids) if ids else sorted(self.deliveries)
            missing = [event_id for event_id in wanted if event_id not in self.deliveries]
            if missing:
                raise ValueError(f"unknown delivery ids: {missing}")
            for event_id in wanted:
                delivery = self.deliveries[event_id]
                delivery.state = "pending"
                self._schedule(event_id, 0.0)
        self._ensure_thread()
        return {"replayed": len(wanted)}

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until nothing is pending (True) or `timeout` seconds passed (False)."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while any(d.state == "pending" for d in self.deliveries.values()):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._condition.wait(min(left, 0.05))
            return True

    # ------------------------------------------------------------------ sending
    def _schedule(self, event_id: int, delay: float) -> None:
        heapq.heappush(self._queue, (time.monotonic() + delay, next(self._order), event_id))
        self._condition.notify_all()

    def _ensure_thread(self) -> None:
        with self._condition:
            if self._thread is None or not self._thread.is_alive():
                self._stopping = False
                self._thread = threading.Thread(
                    target=self._run, name="sandbox-webhooks", daemon=True
                )
                self._thread.start()

    def stop(self) -> None:
        """Stop the sending thread (pending deliveries stay pending)."""
        with self._condition:
            self._stopping = True
            self._condition.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread = None

    def _next_due(self) -> Delivery | None:
        with self._condition:
            while not self._stopping:
                if self._queue and self._queue[0][0] <= time.monotonic():
                    _, _, event_id = heapq.heappop(self._queue)
                    return self.deliveries[event_id]
                wait = self._queue[0][0] - time.monotonic() if self._queue else 0.5
                self._condition.wait(max(0.001, min(wait, 0.5)))
            return None

    def _run(self) -> None:
        while (delivery := self._next_due()) is not None:
            url = self.url
            if url is None:
                outcome = "error: no url configured"
                ok = False
            else:
                outcome, ok = self._post(url, delivery)
            with self._condition:
                delivery.attempts.append(outcome)
                retries = len(delivery.attempts) - 1
                if ok:
                    delivery.state = "delivered"
                    if delivery.answered_at is None:
                        delivery.answered_at = time.monotonic()
                elif retries < len(self.retry_seconds):
                    self._schedule(delivery.event_id, self.retry_seconds[retries])
                else:
                    delivery.state = "failed"
                self._condition.notify_all()

    def _post(self, url: str, delivery: Delivery) -> tuple[str, bool]:
        request = urllib.request.Request(
            url, data=delivery.body, headers=delivery.headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                response.read()
                return str(response.status), 200 <= response.status < 300
        except urllib.error.HTTPError as error:
            return str(error.code), False
        except (OSError, ValueError) as error:
            return f"error: {type(error).__name__}", False
