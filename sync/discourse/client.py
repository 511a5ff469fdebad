"""The Discourse client Campus uses: pydiscourse, made safe for long unattended syncs.

`DiscourseAPI` subclasses `pydiscourse.DiscourseClient` and replaces its `_request`, so every
pydiscourse method and every method added here gets the same behaviour:

- a client-side request budget (`sync.discourse.ratelimit.TokenBucket`) under Discourse's admin limit;
- 429 answered by waiting `Retry-After`, else `extras.wait_seconds`, else a fixed delay,
  a bounded number of times (JSON and `text/plain` 429 alike);
- bounded retries with exponential backoff and jitter on 502/503/504, timeouts, connection
  errors and bodies cut mid-way (writes too: Discourse answers an identical `POST /posts.json`
  repeated within 120 s with the first post and PUTs are idempotent; a retried like that had
  in fact succeeded comes back as a refusal, and a retried grant of a single-grant badge
  returns the existing grant, so neither duplicates);
- every request counted by endpoint template ("GET /t/{id}.json");
- errors in the animator's words (`sync.discourse.errors` classes, French first), never containing the key.

It also adds the paging iterators and the endpoints pydiscourse lacks (discourse-api.md §12).
"""

from __future__ import annotations

import collections
import email.utils
import logging
import random
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pydiscourse
import requests
import urllib3

from sync.discourse.errors import (
    DiscourseAuthError,
    DiscourseError,
    DiscourseNotFound,
    DiscourseUnreachable,
)
from sync.discourse.ratelimit import TokenBucket
from sync.i18n import _
from sync.secrets import scrub
from sync.settings import DiscourseSettings

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
TOPIC_CHUNK_SIZE = 20  # posts per /t/{id}/posts.json request, like Discourse's own web client
ADMIN_USERS_PAGE_SIZE = 100
LIKE = 2  # post_action_type_id of a like

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


class DiscourseAPI(pydiscourse.DiscourseClient):
    """pydiscourse's client with budget, retries, counters, safe errors and paging helpers."""

    def __init__(
        self,
        settings: DiscourseSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        on_wait: Callable[[float, str], None] | None = None,
        seed: int | None = None,
    ) -> None:
        super().__init__(
            settings.url.rstrip("/"), settings.api_username, settings.api_key, settings.timeout
        )
        self.settings = settings
        self.request_counts: collections.Counter[str] = collections.Counter()
        self.rate_limit_hits = 0
        self.waited_seconds = 0.0
        self._sleep = sleep
        self._on_wait = on_wait
        self._random = random.Random(seed)
        self._budget = TokenBucket(
            settings.requests_per_minute, burst=BUDGET_BURST, clock=clock, sleep=sleep
        )
        self._session = requests.Session()

    def __repr__(self) -> str:
        return f"DiscourseAPI(url={self.host!r}, api_username={self.api_username!r})"

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

    # ------------------------------------------------------------------ paging iterators

    def iter_latest_posts(
        self, stop_at_id: int = 0, before: int | None = None
    ) -> Iterator[list[dict]]:
        """Pages of `/posts.json`, newest first, from `before` (None: the newest post) down to
        (not including) `stop_at_id`.

        `before` is inclusive in Discourse (`id <= before`), so the next page asks for
        `before = smallest id seen - 1`; posts with `id <= stop_at_id` are not yielded. A walk
        interrupted after a page resumes with `before = smallest id of that page - 1`.
        """
        while True:
            params = {} if before is None else {"before": before}
            page = self._get("/posts.json", **params).get("latest_posts") or []
            if not page:
                return
            fresh = [post for post in page if post["id"] > stop_at_id]
            if fresh:
                yield fresh
            before = min(post["id"] for post in page) - 1
            if len(fresh) < len(page) or before <= stop_at_id:
                return

    def iter_latest_topics(self, per_page: int = 100, **filters: Any) -> Iterator[list[dict]]:
        """Pages of `/latest.json` (0-based `page`), followed while `more_topics_url` is present;
        `filters` (e.g. `category=<id>`) are passed as query parameters."""
        page = 0
        while True:
            topic_list = self._get("/latest.json", page=page, per_page=per_page, **filters)[
                "topic_list"
            ]
            topics = topic_list.get("topics") or []
            if topics:
                yield topics
            more = topic_list.get("more_topics_url")
            if not topics or not more:
                return
            next_pages = parse_qs(urlsplit(more).query).get("page")
            page = int(next_pages[0]) if next_pages else page + 1

    def count_solved_topics(self, category_id: int, slug: str) -> int:
        """Solved topics of one category, subcategories left out: Solved's `solved=yes` filter on
        `/c/{slug}/{id}.json`, 100 topics a request."""
        count = 0
        page = 0
        while True:
            topic_list = self._get(
                f"/c/{slug}/{category_id}.json",
                page=page,
                per_page=100,
                solved="yes",
                no_subcategories="true",
            )["topic_list"]
            topics = topic_list.get("topics") or []
            count += sum(1 for topic in topics if topic.get("has_accepted_answer", True))
            if not topics or not topic_list.get("more_topics_url"):
                return count
            page += 1

    def topic_with_posts(self, topic_id: int, include_raw: bool = False) -> dict:
        """`/t/{id}.json` with `post_stream.posts` completed, in stream order.

        The topic view carries the first 20 posts; the others are fetched 20 at a time through
        `/t/{id}/posts.json?post_ids[]=…` (not one request per post).
        """
        extra = {"include_raw": "true"} if include_raw else {}
        topic = self._get(f"/t/{topic_id}.json", **extra)
        stream = topic["post_stream"].get("stream") or []
        by_id = {post["id"]: post for post in topic["post_stream"].get("posts") or []}
        missing = [post_id for post_id in stream if post_id not in by_id]
        for start in range(0, len(missing), TOPIC_CHUNK_SIZE):
            chunk = missing[start : start + TOPIC_CHUNK_SIZE]
            data = self._get(f"/t/{topic_id}/posts.json", **{"post_ids[]": chunk}, **extra)
            by_id.update({post["id"]: post for post in data["post_stream"]["posts"]})
        topic["post_stream"]["posts"] = [by_id[i] for i in stream if i in by_id]
        return topic

    def iter_users(self, flag: str = "active", **filters: Any) -> Iterator[list[dict]]:
        """Pages of `/admin/users/list/{flag}.json`: 1-based pages of 100 (page 0 repeats page 1)."""
        page = 1
        while True:
            rows = self._get(f"/admin/users/list/{flag}.json", page=page, **filters) or []
            if rows:
                yield rows
            if len(rows) < ADMIN_USERS_PAGE_SIZE:
                return
            page += 1

    def iter_group_members(self, name: str, limit: int = 1000) -> Iterator[list[dict]]:
        """Pages of `/groups/{name}/members.json` by `limit`/`offset`, up to `meta.total`."""
        offset = 0
        while True:
            data = self._get(f"/groups/{name}/members.json", limit=limit, offset=offset)
            members = data.get("members") or []
            if members:
                yield members
            offset += len(members)
            if not members or offset >= data["meta"]["total"]:
                return

    def iter_groups(self) -> Iterator[list[dict]]:
        """Pages of `/groups.json` (0-based `page`, 36 groups a page, 15 for a mobile user agent)
        until `total_rows_groups` are seen; staff also get the automatic groups."""
        page, seen = 0, 0
        while True:
            data = self._get("/groups.json", page=page)
            groups = data.get("groups") or []
            if groups:
                yield groups
            seen += len(groups)
            if not groups or seen >= data.get("total_rows_groups", seen):
                return
            page += 1

    def iter_user_actions(self, username: str, filter: str | int) -> Iterator[list[dict]]:
        """Pages of `/user_actions.json` for one user and action types (e.g. "1" likes, "4,5")."""
        offset = 0
        while True:
            data = self._get(
                "/user_actions.json", username=username, filter=str(filter), offset=offset
            )
            actions = data.get("user_actions") or []
            if not actions:
                return
            yield actions
            offset += len(actions)

    def iter_post_action_users(
        self, post_id: int, action_type: int = LIKE, limit: int = 200
    ) -> Iterator[list[dict]]:
        """Pages of `/post_action_users.json` (0-based `page`, `limit` up to 200): who liked a post.

        `total_rows_post_action_users` only comes when the total exceeds `limit`, so a short
        page is what ends the walk.
        """
        page = 0
        while True:
            data = self._get(
                "/post_action_users.json",
                id=post_id,
                post_action_type_id=action_type,
                page=page,
                limit=limit,
            )
            users = data.get("post_action_users") or []
            if users:
                yield users
            if len(users) < limit:
                return
            page += 1

    def iter_pending_invites(self, username: str) -> Iterator[list[dict]]:
        """Pages of the pending invites `username` sent (`/u/{username}/invited.json`,
        `filter=pending`, `offset`; `invites_per_page` a page, 40 by default) until
        `counts.pending` are seen. Each invite has `id`, `email`, `groups`, `expires_at`…"""
        offset = 0
        while True:
            data = self._get(f"/u/{username}/invited.json", filter="pending", offset=offset)
            invites = data.get("invites") or []
            if invites:
                yield invites
            offset += len(invites)
            if not invites or offset >= (data.get("counts") or {}).get("pending", offset):
                return

    # ------------------------------------------------------------------ site & session

    def site(self) -> dict:
        """`/site.json`: categories (flat), groups, user field definitions, post types."""
        return self._get("/site.json")

    def all_categories(self) -> list[dict]:
        """Every category the API user can see, subcategories included, from `/site.json`."""
        return self.site().get("categories") or []

    def current_user(self) -> dict:
        """The API user as Discourse sees it (`admin`, `moderator`, `username`…).

        A wrong key or a username the key does not allow answers 403 (`error_type`
        "invalid_access"); a request with no user at all answers 404 with an empty body.
        """
        return self._get("/session/current.json")["current_user"]

    def plugins(self) -> list[dict]:
        """Installed plugins from `/admin/plugins.json` (`id` = directory, `name`, `enabled`…).

        Solved is listed as "discourse-solved" and Data Explorer as "discourse-data-explorer";
        Poll calls `hide_plugin`, so it is never listed: its state is the `poll_enabled` site
        setting.
        """
        data = self._get("/admin/plugins.json")
        return data.get("plugins", []) if isinstance(data, dict) else data or []

    # ------------------------------------------------------------------ groups

    def update_group(self, group_id: int, **fields: Any) -> dict:
        """`PUT /groups/{id}.json` with `{"group": fields}`."""
        return self._put(f"/groups/{group_id}.json", json=True, group=fields)

    def add_group_members_by_id(self, group_id: int, usernames: list[str]) -> dict:
        """Add members to a group by its numeric id; "already members" (422) is a no-op.

        Discourse answers 422 when *all* given users are already members, listing their
        usernames; that is recognised by the names (whatever the forum's language).
        """
        try:
            return self._put(
                f"/groups/{group_id}/members.json", json=True, usernames=",".join(usernames)
            )
        except DiscourseError as error:
            text = str(error).lower()
            if error.status == 422 and all(name.lower() in text for name in usernames):
                return {"success": "OK", "usernames": [], "already_members": list(usernames)}
            raise

    def remove_group_members_by_id(self, group_id: int, usernames: list[str]) -> dict:
        """`DELETE /groups/{id}/members.json`; Discourse lists non-members in `skipped_usernames`."""
        return self._request(
            "DELETE", f"/groups/{group_id}/members.json", json={"usernames": ",".join(usernames)}
        )

    # ------------------------------------------------------------------ polls & solved

    def vote_poll(self, post_id: int, poll_name: str, options: list[str]) -> dict:
        """Vote as the API user: `PUT /polls/vote` with option ids (md5 digests)."""
        return self._put(
            "/polls/vote", json=True, post_id=post_id, poll_name=poll_name, options=options
        )

    def toggle_poll_status(self, post_id: int, poll_name: str, status: str) -> dict:
        """Open or close a poll (`status` is "open" or "closed")."""
        return self._put(
            "/polls/toggle_status", json=True, post_id=post_id, poll_name=poll_name, status=status
        )

    def poll_voters(self, post_id: int, poll_name: str, limit: int = 50) -> dict[str, list[dict]]:
        """All voters of a public poll, by option id, over the 1-based pages of `/polls/voters.json`."""
        voters: dict[str, list[dict]] = {}
        page = 1
        while True:
            data = self._get(
                "/polls/voters.json", post_id=post_id, poll_name=poll_name, page=page, limit=limit
            )
            batch = data.get("voters") or {}
            for option_id, users in batch.items():
                voters.setdefault(option_id, []).extend(users)
            if not batch or all(len(users) < limit for users in batch.values()):
                return voters
            page += 1

    def accept_solution(self, post_id: int) -> dict:
        """Mark a post as the accepted answer of its topic (Solved)."""
        return self._post("/solution/accept", id=post_id)

    def unaccept_solution(self, post_id: int) -> dict:
        """Remove the accepted-answer mark from a post (Solved)."""
        return self._post("/solution/unaccept", id=post_id)

    def solved_by_user(self, username: str, offset: int = 0, limit: int = 30) -> list[dict]:
        """Posts of `username` accepted as solutions (`/solution/by_user.json`), newest first."""
        data = self._get("/solution/by_user.json", username=username, offset=offset, limit=limit)
        return data.get("user_solved_posts") or []

    def explorer_queries(self) -> list[dict]:
        """Saved Data Explorer queries (`/admin/plugins/explorer/queries.json`)."""
        return self._get("/admin/plugins/explorer/queries.json").get("queries") or []

    # ------------------------------------------------------------------ directory & badges

    def directory_items(
        self, period: str = "all", order: str = "likes_received", page: int = 0, **filters: Any
    ) -> dict:
        """One page (50 rows, 0-based) of `/directory_items.json`, with its `meta`."""
        return self._get("/directory_items.json", period=period, order=order, page=page, **filters)

    def list_badges(self) -> list[dict]:
        """Every badge of the forum (`/admin/badges.json`)."""
        return self._get("/admin/badges.json").get("badges") or []

    def create_badge(self, name: str, description: str, badge_type_id: int = 3) -> dict:
        """Create an enabled, manually granted badge (type 3 = bronze); return it."""
        data = self._post(
            "/admin/badges.json",
            name=name,
            description=description,
            badge_type_id=badge_type_id,
            enabled="true",
        )
        return data["badge"]

    def grant_badge(self, username: str, badge_id: int, reason: str = "") -> dict:
        """Grant a badge; return `{"user_badge": …, "badges": […], "users": […]}`.

        Discourse only accepts a `reason` that is a link to a post or topic (else 400); granting
        a single-grant badge again returns the existing grant.
        """
        fields: dict[str, Any] = {"username": username, "badge_id": badge_id}
        if reason:
            fields["reason"] = reason
        return self._post("/user_badges.json", **fields)

    # ------------------------------------------------------------------ writing content

    def invite(
        self, email: str, group_names: list[str] | str, custom_message: str = "", **kwargs: Any
    ) -> dict:
        """Invite someone by e-mail into the given groups (`POST /invites.json`).

        Returns the invite itself (`id`, `invite_key`, `link`, `email`, `groups`…). An address
        that already has an account is refused (422 `errors`); inviting a pending address again
        refreshes and re-sends that invite (at most 3 times a day per address).
        """
        names = group_names if isinstance(group_names, str) else ",".join(group_names)
        fields = {"email": email, "group_names": names, **kwargs}
        if custom_message:
            fields["custom_message"] = custom_message
        return self._post("/invites.json", **fields)

    def like(self, post_id: int) -> dict:
        """Like a post as the API user (`POST /post_actions.json`)."""
        return self._post("/post_actions.json", id=post_id, post_action_type_id=LIKE)

    def create_topic(
        self, title: str, raw: str, category_id: int, created_at: datetime | None = None
    ) -> dict:
        """Create a topic; return its first post (`id`, `topic_id`, `post_number`…)."""
        fields: dict[str, Any] = {"title": title, "raw": raw, "category": category_id}
        if created_at is not None:
            fields["created_at"] = created_at.isoformat()
        return self._post("/posts.json", json=True, **fields)

    def reply(
        self,
        topic_id: int,
        raw: str,
        reply_to_post_number: int | None = None,
        created_at: datetime | None = None,
    ) -> dict:
        """Reply in a topic (optionally to one of its posts); return the new post."""
        fields: dict[str, Any] = {"topic_id": topic_id, "raw": raw}
        if reply_to_post_number is not None:
            fields["reply_to_post_number"] = reply_to_post_number
        if created_at is not None:
            fields["created_at"] = created_at.isoformat()
        return self._post("/posts.json", json=True, **fields)

    def update_post(self, post_id: int, raw: str, edit_reason: str = "", **kwargs: Any) -> dict:
        """Replace a post's text (`PUT /posts/{id}.json`); return `{"post": …}`."""
        post = {"raw": raw, "edit_reason": edit_reason, **kwargs}
        return self._put(f"/posts/{post_id}.json", json=True, post=post)

    def send_private_message(self, title: str, raw: str, usernames: list[str]) -> dict:
        """Start a private message to `usernames` (`POST /posts.json`, `archetype=private_message`,
        `target_recipients`); return its first post (`id`, `topic_id`…)."""
        return self._post(
            "/posts.json",
            json=True,
            title=title,
            raw=raw,
            archetype="private_message",
            target_recipients=",".join(usernames),
        )

    def set_wiki(self, post_id: int, wiki: bool = True) -> None:
        """Make a post a wiki (or not): `PUT /posts/{id}/wiki` with `wiki=true|false`."""
        self._put(f"/posts/{post_id}/wiki.json", json=True, wiki=wiki)
