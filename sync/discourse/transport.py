"""The transport under the Discourse client: pydiscourse's `_request`, made safe for long
unattended syncs.

`Transport` subclasses `pydiscourse.DiscourseClient` and replaces its `_request`, so every
pydiscourse method and every endpoint `sync.discourse.client.DiscourseAPI` adds gets the same
behaviour:

- a client-side request budget (`sync.discourse.ratelimit.TokenBucket`) under Discourse's admin limit;
- 429 answered by waiting `Retry-After`, else `extras.wait_seconds`, else a fixed delay,
  a bounded number of times (JSON and `text/plain` 429 alike);
- bounded retries with exponential backoff and jitter on 502/503/504, timeouts, connection
  errors and bodies cut mid-way (writes too: Discourse answers an identical `POST /posts.json`
  repeated within 120 s with the first post and PUTs are idempotent; a retried like that had
  in fact succeeded comes back as a refusal, and a retried grant of a single-grant badge
  returns the existing grant, so neither duplicates);
- a stop request (`core.stopping.StopSignal`, the worker's SIGTERM) honoured before every request
  and during every wait, so a long sync ends within a second at a safe point;
- every request counted by endpoint template ("GET /t/{id}.json");
- errors in the animator's words (`sync.discourse.exceptions` classes, French first), never containing the key.
"""

from __future__ import annotations

import collections
import email.utils
import logging
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pydiscourse
import requests
import urllib3

from core.i18n import _
from core.secrets import scrub
from core.stopping import StopSignal
from sync.discourse.exceptions import (
    DiscourseAuthError,
    DiscourseError,
    DiscourseNotFound,
    DiscourseUnreachable,
)
from sync.discourse.ratelimit import TokenBucket
from sync.discourse.settings import DiscourseSettings

log = logging.getLogger(__name__)

#: reasons passed to `on_wait(seconds, reason)`
WAIT_RATE_LIMIT = "rate_limit"  # Discourse answered 429
WAIT_RETRY = "retry"  # backoff before retrying a failed request
WAIT_BUDGET = "budget"  # the client-side budget holds the next request back

MAX_RATE_LIMIT_RETRIES = 8
MAX_RATE_LIMIT_WAIT_SECONDS = 900.0  # a longer demanded wait (e.g. a daily limit) stops the run
BUDGET_NOTICE_SECONDS = 5.0  # budget waits shorter than this are steady pacing, not news
RETRY_STATUSES = frozenset({502, 503, 504})
BACKOFF_BASE_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 60.0
CONNECT_RETRIES = 1  # a refused connection or unknown host is retried once, quickly
BUDGET_BURST = 3

_TRANSIENT_EXCEPTIONS = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)

# path segment after which a name (not an id) identifies the resource
_NAMED_SEGMENTS = {
    "u": "{username}",
    "users": "{username}",
    "user-badges": "{username}",
    "groups": "{name}",
}
_NOT_NAMES = {"search", "by-id"}


def endpoint_template(verb: str, path: str) -> str:
    """`"GET", "/t/42/posts.json?x=1"` → `"GET /t/{id}/posts.json"`: how requests are counted.

    Numeric segments become `{id}`; the user or group name in `/u/…`, `/users/…`,
    `/user-badges/…` and `/groups/…` becomes `{username}` / `{name}`.
    """
    parts = path.split("?", 1)[0].split("/")
    out = []
    for index, segment in enumerate(parts):
        stem, suffix = (segment[:-5], ".json") if segment.endswith(".json") else (segment, "")
        if stem.isdigit():
            segment = "{id}" + suffix
        elif index == 2 and parts[1] in _NAMED_SEGMENTS and stem and stem not in _NOT_NAMES:
            segment = _NAMED_SEGMENTS[parts[1]] + suffix
        out.append(segment)
    return f"{verb.upper()} {'/'.join(out)}"


def wait_message(seconds: float, reason: str, lang: str | None = None) -> str:
    """One line for the CLI to show while the client waits (`on_wait` callback arguments)."""
    if reason == WAIT_RATE_LIMIT:
        return _(
            "Limite de débit de Discourse atteinte : attente de {seconds:.0f} s.",
            lang,
            seconds=seconds,
        )
    if reason == WAIT_RETRY:
        return _(
            "Le forum ne répond pas : nouvel essai dans {seconds:.0f} s.", lang, seconds=seconds
        )
    return _("Budget de requêtes : attente de {seconds:.0f} s.", lang, seconds=seconds)


def cannot_connect(error: Exception) -> bool:
    """Whether `error` means no connection could be opened at all (refused, unknown host…).

    Unlike a reset or a timeout mid-request, retrying that for half a minute only delays the
    message: the forum's address is wrong or the server is down (DNS failures are
    `NameResolutionError`, a subclass of `NewConnectionError`, in urllib3 2)."""
    if not isinstance(error, requests.exceptions.ConnectionError) or isinstance(
        error, requests.exceptions.Timeout
    ):
        return False
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


def connection_reason(error: Exception) -> str:
    """What went wrong with the connection, in the animator's words."""
    reason = getattr(error.args[0], "reason", None) if error.args else None
    if isinstance(reason, urllib3.exceptions.NameResolutionError):
        return _("nom de serveur inconnu")
    if isinstance(reason, urllib3.exceptions.NewConnectionError):
        return _("connexion refusée")
    if isinstance(error, requests.exceptions.Timeout):
        return _("délai dépassé")
    return _("connexion interrompue")


class _TruncatedBody(Exception):
    """A 2xx response announced JSON but its body does not parse (cut mid-way)."""


class Transport(pydiscourse.DiscourseClient):
    """pydiscourse's client with the budget, retries, counters and safe errors; no endpoint."""

    def __init__(
        self,
        settings: DiscourseSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        on_wait: Callable[[float, str], None] | None = None,
        seed: int | None = None,
        stop: StopSignal | None = None,
    ) -> None:
        if stop is not None and sleep is time.sleep:
            sleep = stop.sleep  # budget, 429 and retry waits end at once on a stop request
        super().__init__(
            settings.url.rstrip("/"), settings.api_username, settings.api_key, settings.timeout
        )
        self.settings = settings
        self.request_counts: collections.Counter[str] = collections.Counter()
        self.rate_limit_hits = 0
        self.waited_seconds = 0.0
        self._sleep = sleep
        self._stop = stop
        self._on_wait = on_wait
        self._random = random.Random(seed)
        self._budget = TokenBucket(
            settings.requests_per_minute, burst=BUDGET_BURST, clock=clock, sleep=sleep
        )
        self._session = requests.Session()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(url={self.host!r}, api_username={self.api_username!r})"

    # ------------------------------------------------------------------ counters

    @property
    def total_requests(self) -> int:
        """HTTP requests sent so far, retries included."""
        return sum(self.request_counts.values())

    @property
    def write_requests(self) -> int:
        """POST/PUT/DELETE requests sent so far (a second `provision` must make none)."""
        return sum(
            count
            for endpoint, count in self.request_counts.items()
            if endpoint.split(" ", 1)[0] in ("POST", "PUT", "DELETE")
        )

    # ------------------------------------------------------------------ request core

    def _request(
        self,
        verb,
        path,
        params=None,
        files=None,
        data=None,
        json=None,
        override_request_kwargs=None,
    ):
        """Send one API call with budget, 429 waits and retries; return the decoded JSON."""
        url = self.host + path
        endpoint = endpoint_template(verb, path)
        headers = {
            "Accept": "application/json; charset=utf-8",
            "Api-Key": self.api_key,
            "Api-Username": self.api_username,
        }
        request_kwargs = {
            "params": params,
            "files": files,
            "data": data,
            "json": json,
            "headers": headers,
            "timeout": self.timeout,
            "allow_redirects": False,
            **(override_request_kwargs or {}),
        }
        failures = 0
        rate_limited = 0
        while True:
            if self._stop is not None:
                self._stop.check()  # between two requests: every page before is written whole
            self._spend_budget()
            self.request_counts[endpoint] += 1
            try:
                response = self._session.request(verb, url, **request_kwargs)
            except _TRANSIENT_EXCEPTIONS as exc:
                failures += 1
                retries = self.settings.max_retries
                if cannot_connect(exc):  # refused or unknown host: one quick retry at most
                    retries = min(retries, CONNECT_RETRIES)
                if failures > retries:
                    message = self._redact(
                        _(
                            "Impossible de joindre le forum Discourse à {url} après {attempts} tentatives ({reason}). Vérifiez l'URL (campus.toml [discourse] url ou CAMPUS_DISCOURSE_URL) et la connexion réseau.",
                            url=url,
                            attempts=failures,
                            reason=connection_reason(exc),
                        )
                    )
                    raise DiscourseUnreachable(message, endpoint=endpoint) from None
                self._backoff(failures, endpoint, type(exc).__name__)
                continue
            except requests.exceptions.RequestException as exc:  # a bad URL or header value
                message = _(
                    "Requête impossible vers {url} ({reason}) : vérifiez l'adresse du forum "
                    "([discourse] url ou CAMPUS_DISCOURSE_URL).",
                    url=url,
                    reason=type(exc).__name__,
                )
                raise DiscourseError(self._redact(message), endpoint=endpoint) from None

            status = response.status_code
            if status == 429:
                rate_limited += 1
                self.rate_limit_hits += 1
                if rate_limited > MAX_RATE_LIMIT_RETRIES:
                    message = self._redact(
                        _(
                            "Discourse limite encore le débit après {attempts} attentes pour {url}. Baissez requests_per_minute dans campus.toml [discourse] ou relancez plus tard : d'autres outils utilisent peut-être la même limite d'API du site.",
                            url=url,
                            attempts=MAX_RATE_LIMIT_RETRIES,
                        )
                    )
                    raise DiscourseError(message, status=429, endpoint=endpoint)
                self._budget.drain()
                delay = self._rate_limit_delay(response)
                if delay > MAX_RATE_LIMIT_WAIT_SECONDS:
                    message = self._redact(
                        _(
                            "Discourse demande d'attendre {seconds:.0f} s avant de réessayer {url} : Campus s'arrête plutôt que d'attendre si longtemps. Relancez plus tard.",
                            url=url,
                            seconds=delay,
                        )
                    )
                    raise DiscourseError(message, status=429, endpoint=endpoint)
                code = response.headers.get("Discourse-Rate-Limit-Error-Code", "429")
                log.debug("%s: rate limited by Discourse (%s)", endpoint, code)
                self._wait(delay, WAIT_RATE_LIMIT)
                continue
            if status in RETRY_STATUSES:
                failures += 1
                if failures > self.settings.max_retries:
                    message = self._redact(
                        _(
                            "Le forum Discourse ne répond pas correctement ({status}) pour {url} après {attempts} tentatives : il est peut-être en maintenance. Réessayez plus tard.",
                            status=status,
                            url=url,
                            attempts=failures,
                        )
                    )
                    raise DiscourseUnreachable(message, status=status, endpoint=endpoint)
                self._backoff(failures, endpoint, str(status))
                continue
            if not 200 <= status < 300:
                raise self._error(response, verb, path, url, endpoint)
            try:
                return self._decode(response, verb, path, url, endpoint)
            except _TruncatedBody:
                failures += 1
                if failures > self.settings.max_retries:
                    message = self._redact(
                        _(
                            "Le forum Discourse a renvoyé une réponse incomplète pour {url} après {attempts} tentatives. Réessayez plus tard.",
                            url=url,
                            attempts=failures,
                        )
                    )
                    raise DiscourseError(message, status=status, endpoint=endpoint) from None
                self._backoff(failures, endpoint, "truncated body")

    def _spend_budget(self) -> None:
        delay = self._budget.delay()
        if delay >= BUDGET_NOTICE_SECONDS and self._on_wait is not None:
            self._on_wait(delay, WAIT_BUDGET)
        self.waited_seconds += self._budget.acquire()

    def _wait(self, seconds: float, reason: str) -> None:
        """Wait `seconds`, said once in the user's language: through `on_wait`, else the log."""
        if self._on_wait is not None:
            self._on_wait(seconds, reason)
        elif reason != WAIT_BUDGET:
            log.warning(wait_message(seconds, reason))
        self.waited_seconds += seconds
        self._sleep(seconds)

    def _backoff(self, attempt: int, endpoint: str, reason: str) -> None:
        base = min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempt - 1))
        delay = base * self._random.uniform(0.5, 1.5)
        log.debug("%s: %s, retry %d in %.1f s", endpoint, reason, attempt, delay)
        self._wait(delay, WAIT_RETRY)

    def _rate_limit_delay(self, response: requests.Response) -> float:
        """`Retry-After` (seconds or HTTP date), else JSON `extras.wait_seconds`, else fallback."""
        retry_after = response.headers.get("Retry-After", "").strip()
        if retry_after:
            try:
                return max(0.0, float(retry_after))
            except ValueError:
                pass
            try:
                when = email.utils.parsedate_to_datetime(retry_after)
                return max(0.0, (when - datetime.now(UTC)).total_seconds())
            except (TypeError, ValueError):
                pass
        try:
            return max(0.0, float(response.json()["extras"]["wait_seconds"]))
        except (ValueError, TypeError, KeyError):
            return float(self.settings.fallback_wait_seconds)

    def _decode(
        self, response: requests.Response, verb: str, path: str, url: str, endpoint: str
    ) -> Any:
        """The JSON of a 2xx answer; a 2xx carrying Discourse `errors` is still a refusal."""
        if not response.content.strip():
            return None
        content_type = response.headers.get("Content-Type", "")
        if "json" not in content_type:
            message = self._redact(
                _(
                    "La réponse de {url} n'est pas du JSON ({content_type}) : cette URL est-elle bien celle d'un forum Discourse ?",
                    url=url,
                    content_type=content_type or "?",
                )
            )
            raise DiscourseError(message, status=response.status_code, endpoint=endpoint)
        try:
            decoded = response.json()
        except ValueError:
            raise _TruncatedBody() from None
        if isinstance(decoded, dict) and decoded.get("errors"):
            detail = self._errors_text(response)
            message = self._redact(
                _(
                    "Discourse a refusé {verb} {path} ({status}) : {detail}",
                    verb=verb,
                    path=path,
                    status=response.status_code,
                    detail=detail,
                )
            )
            raise DiscourseError(message, status=response.status_code, endpoint=endpoint)
        return decoded

    def _error(
        self, response: requests.Response, verb: str, path: str, url: str, endpoint: str
    ) -> DiscourseError:
        """The exception for a final non-2xx answer, in the animator's words."""
        status = response.status_code
        detail = self._errors_text(response)
        if 300 <= status < 400:
            location = response.headers.get("Location", "?")
            return DiscourseError(
                self._redact(
                    _(
                        "Discourse a redirigé {url} vers {location}. Vérifiez l'URL du forum (https, sans chemin) ; une clé d'API ou un utilisateur refusé provoque aussi cette redirection.",
                        url=url,
                        location=location,
                    )
                ),
                status=status,
                endpoint=endpoint,
            )
        if status == 403:
            message = self._redact(
                _(
                    "Discourse a refusé la clé d'API ou l'utilisateur « {user} » pour {url} (403{detail}). Vérifiez CAMPUS_DISCOURSE_API_KEY (clé d'administration valide) et que « {user} » existe et est administrateur (CAMPUS_DISCOURSE_API_USERNAME).",
                    user=self.api_username,
                    url=url,
                    detail=f" : {detail}" if detail else "",
                )
            )
            return DiscourseAuthError(message, status=status, endpoint=endpoint)
        if status == 404:
            return DiscourseNotFound(
                self._redact(
                    _(
                        "Introuvable sur le forum Discourse : {path} ({url}, 404).",
                        path=path.split("?", 1)[0],
                        url=url,
                    )
                ),
                status=status,
                endpoint=endpoint,
            )
        if status < 500:
            message = self._redact(
                _(
                    "Discourse a refusé {verb} {path} ({status}) : {detail}",
                    verb=verb,
                    path=path,
                    status=status,
                    detail=detail or response.reason,
                )
            )
            return DiscourseError(message, status=status, endpoint=endpoint)
        message = self._redact(
            _(
                "Erreur du forum Discourse ({status}) pour {verb} {url}{detail}.",
                status=status,
                verb=verb,
                url=url,
                detail=f" : {detail}" if detail else "",
            )
        )
        return DiscourseError(message, status=status, endpoint=endpoint)

    def _errors_text(self, response: requests.Response) -> str:
        """Discourse's own reason: its `errors` list joined, else the `message` or `error` text
        some refusals carry instead (`POST /user_badges.json` with a bad reason answers 400
        `{"failed": "FAILED", "message": …}`), else ''."""
        try:
            data = response.json()
            errors = data.get("errors") or []
            fallback = data.get("message") or data.get("error") or ""
        except (ValueError, AttributeError):
            return ""
        text = "; ".join(str(error) for error in errors) if errors else str(fallback)
        return self._redact(text)

    def _redact(self, text: str) -> str:
        """The key must never leave this object, even if a server echoes it back."""
        return scrub(text, [self.api_key])
