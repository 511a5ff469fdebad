"""The sandbox HTTP server: Discourse's API over a `Forum`, plus `/_sandbox/` control endpoints.

Built on `http.server.ThreadingHTTPServer` so the sandbox controls every byte: it can stall,
answer 429/5xx like Discourse and nginx do, or close a connection halfway through a body.
Order per API request: fault draw, authentication (403), admin rate limit (429), handler.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from sandbox import activity
from sandbox.api import ForumApi
from sandbox.connect import ConnectProvider
from sandbox.export import export_forum
from sandbox.limits import (
    IP_LIMIT_CODE,
    RATE_LIMIT_CODE,
    AdminRateLimiter,
    FaultConfig,
    FaultInjector,
    RequestCounters,
    ip_rate_limit_text,
    rate_limit_body,
)
from sandbox.routing import ApiError, Request, invalid_access, nest_params, not_found, parse_body
from sandbox.state import Forum

DEFAULT_API_KEY = "sandbox-admin-key"
API_KEY_ENV = "CAMPUS_SANDBOX_API_KEY"
JSON_TYPE = "application/json; charset=utf-8"
CONTROL_PREFIX = "/_sandbox/"
NGINX_PAGES = {
    502: "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
    503: "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n"
    "<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n",
}


def default_api_key() -> str:
    """The sandbox key: `$CAMPUS_SANDBOX_API_KEY`, else the documented local default."""
    return os.environ.get(API_KEY_ENV) or DEFAULT_API_KEY


class Answer:
    """A response to send: status, headers, body bytes, and whether to cut it halfway."""

    def __init__(
        self, status: int, body: bytes, content_type: str = JSON_TYPE, headers: dict | None = None
    ):
        self.status = status
        self.body = body
        self.headers = {"Content-Type": content_type, **(headers or {})}
        self.drop = False

    @classmethod
    def json(cls, status: int, data: object, headers: dict | None = None) -> Answer:
        """A JSON answer (`None` -> empty body, as Discourse's `render body: nil`)."""
        body = b"" if data is None else json.dumps(data, ensure_ascii=False).encode("utf-8")
        return cls(status, body, JSON_TYPE, headers)


class Sandbox:
    """Everything one sandbox site holds: forum, API, limiter, faults, counters."""

    def __init__(self, forum: Forum, *, api_key: str, rate_limit_per_minute: int, seed: int):
        self.forum = forum
        self.api = ForumApi(forum)
        self.api_key = api_key
        self.seed = seed
        self.limiter = AdminRateLimiter(rate_limit_per_minute)
        self.faults = FaultInjector(FaultConfig(seed=seed))
        self.counters = RequestCounters()
        self.connect = ConnectProvider(forum)  # DiscourseConnect provider (login for Campus)

    # ------------------------------------------------------------------ API requests
    def handle_api(self, method: str, path: str, query: dict, headers, body: bytes) -> Answer:
        """Answer one Discourse API request, counting it under its route template."""
        found = self.api.router.match(method, path)
        template = found[0].template if found else "<unmatched>"
        fault = self.faults.draw()
        answer = self._answer(method, found, query, headers, body, fault)
        self.counters.record(method, template, answer.status, fault)
        return answer

    def _answer(self, method, found, query, headers, body, fault) -> Answer:
        config = self.faults.config
        if fault == "ip_rate_limit":
            wait = config.retry_after
            return Answer(
                429,
                ip_rate_limit_text(wait).encode(),
                "text/plain; charset=utf-8",
                {"Retry-After": str(wait), "Discourse-Rate-Limit-Error-Code": IP_LIMIT_CODE},
            )
        if fault in ("bad_gateway", "unavailable"):
            status = 502 if fault == "bad_gateway" else 503
            return Answer(status, NGINX_PAGES[status].encode(), "text/html")
        if fault == "stall":
            time.sleep(config.stall_seconds)
        if fault == "rate_limit":
            return self._rate_limited(config.retry_after)
        try:
            user = self._authenticate(headers)
            wait = self.limiter.acquire()
            if wait is not None:
                return self._rate_limited(wait)
            if found is None:
                raise not_found()
            route, path_params = found
            request = Request(
                method,
                nest_params(query),
                parse_body(headers.get("Content-Type", ""), body),
                path_params,
                user,
                headers.get("Host", ""),
            )
            with self.forum.lock:
                status, data = route.handler(request)
            answer = Answer.json(status, data)
        except ApiError as error:
            answer = Answer.json(error.status, error.body)
        answer.drop = fault == "drop"
        return answer

    def _rate_limited(self, wait: int) -> Answer:
        return Answer.json(
            429,
            rate_limit_body(wait),
            {"Retry-After": str(wait), "Discourse-Rate-Limit-Error-Code": RATE_LIMIT_CODE},
        )

    def _authenticate(self, headers):
        key = headers.get("Api-Key")
        user = self.forum.user_by_username(headers.get("Api-Username"))
        if key != self.api_key or user is None or not user.admin or not user.active:
            raise invalid_access()
        return user

    # ------------------------------------------------------------------ control endpoints
    def handle_control(self, method: str, name: str, body: bytes) -> Answer:
        """`/_sandbox/<name>`: stats, truth, faults, rate-limit, activity, votes, export."""
        try:
            payload = json.loads(body.decode("utf-8")) if body else {}
        except (UnicodeDecodeError, json.JSONDecodeError):
            return Answer.json(400, {"errors": ["Invalid JSON body"]})
        if not isinstance(payload, dict):
            return Answer.json(400, {"errors": ["Expected a JSON object"]})
        action = {
            ("GET", "stats"): lambda: self.counters.snapshot(),
            ("POST", "stats/reset"): self._reset_stats,
            ("GET", "truth"): self.forum.truth,
            ("POST", "faults"): lambda: self._set_faults(payload),
            ("POST", "rate-limit"): lambda: self._set_rate_limit(payload),
            ("POST", "activity"): lambda: activity.apply(self.forum, **payload),
            ("POST", "votes"): lambda: activity.cast_votes(self.forum, **payload),
            ("GET", "export"): lambda: export_forum(self.forum),
            ("POST", "connect"): lambda: self.connect.configure(payload),
            ("POST", "login-as"): lambda: self.connect.login_as(payload),
        }.get((method, name))
        if action is None:
            return Answer.json(404, {"errors": [f"unknown control endpoint {method} {name}"]})
        try:
            with self.forum.lock:
                return Answer.json(200, action())
        except (TypeError, ValueError, KeyError) as error:
            return Answer.json(422, {"errors": [str(error)]})

    def _reset_stats(self) -> dict:
        self.counters.reset()
        return {"success": "OK"}

    def _set_faults(self, payload: dict) -> dict:
        config = FaultConfig.from_dict({"seed": self.seed, **payload})
        self.faults.configure(config)
        return {"success": "OK", "faults": config.__dict__}

    def _set_rate_limit(self, payload: dict) -> dict:
        per_minute = int(payload["per_minute"])
        if per_minute < 0:
            raise ValueError("per_minute must be >= 0")
        self.limiter.set_limit(per_minute)
        return {"success": "OK", "per_minute": per_minute}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms ACK stall
    server_version = "nginx"
    sys_version = ""

    def log_message(self, format: str, *args) -> None:
        """Silent: request logs would only add noise to test and demo output."""

    def _dispatch(self) -> None:
        sandbox: Sandbox = self.server.sandbox
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        if parts.path.startswith(CONTROL_PREFIX):
            answer = sandbox.handle_control(
                self.command, parts.path[len(CONTROL_PREFIX) :].strip("/"), body
            )
        elif parts.path.startswith("/session/sso_provider"):
            with sandbox.forum.lock:
                reply = sandbox.connect.handle(
                    self.command, parts.path, parts.query, self.headers, body
                )
            answer = Answer(reply.status, reply.body.encode(), reply.content_type, reply.headers)
        else:
            query = parse_qsl(parts.query, keep_blank_values=True)
            answer = sandbox.handle_api(self.command, parts.path, query, self.headers, body)
        self._send(answer)

    def _send(self, answer: Answer) -> None:
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        if answer.drop:
            self.send_header("Connection", "close")
        self.end_headers()
        if answer.drop:
            self.wfile.write(answer.body[: len(answer.body) // 2])
            self.wfile.flush()
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(answer.body)

    do_GET = do_POST = do_PUT = do_DELETE = _dispatch


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address) -> None:
        """Clients that vanish mid-request (killed syncs, timeouts) are normal here: stay quiet."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class SandboxServer:
    """A sandbox site served from a background thread (tests, demo, `campus sandbox`).

    `network_or_forum` is a `sandbox.network.Network` or a bare `Forum`.
    """

    def __init__(
        self,
        network_or_forum,
        *,
        port: int = 0,
        host: str = "127.0.0.1",
        api_key: str | None = None,
        rate_limit_per_minute: int = 60,
        seed: int = 0,
    ):
        forum = getattr(network_or_forum, "forum", network_or_forum)
        self.sandbox = Sandbox(
            forum,
            api_key=api_key or default_api_key(),
            rate_limit_per_minute=rate_limit_per_minute,
            seed=seed,
        )
        self._host, self._port = host, port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def state(self) -> Forum:
        """The forum being served (tests may inspect or mutate it under `state.lock`)."""
        return self.sandbox.forum

    @property
    def api_key(self) -> str:
        """The admin API key clients must send."""
        return self.sandbox.api_key

    @property
    def url(self) -> str:
        """Base URL, e.g. `http://127.0.0.1:43210` (after `start`)."""
        if self._server is None:
            raise RuntimeError("sandbox server is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def bind(self) -> SandboxServer:
        """Open the listening socket (so `url` is known) without serving yet."""
        if self._server is None:
            self._server = _Server((self._host, self._port), _Handler)
            self._server.sandbox = self.sandbox
        return self

    def start(self) -> SandboxServer:
        """Bind and serve in a daemon thread; returns self."""
        self.bind()
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="sandbox-http",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Bind and serve in the calling thread until interrupted."""
        self.bind()
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()
            self._server = None

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def stats(self) -> dict:
        """Request counters (same data as GET /_sandbox/stats)."""
        return self.sandbox.counters.snapshot()

    def reset_stats(self) -> None:
        """Zero the request counters."""
        self.sandbox.counters.reset()

    def truth(self) -> dict:
        """Ground-truth counts (same data as GET /_sandbox/truth)."""
        return self.state.truth()

    def set_faults(self, **config) -> None:
        """Configure fault injection (see `FaultConfig`); no arguments clears it."""
        self.sandbox.faults.configure(FaultConfig.from_dict({"seed": self.sandbox.seed, **config}))

    def set_rate_limit(self, per_minute: int) -> None:
        """Change the admin API limit (0 = off)."""
        self.sandbox.limiter.set_limit(per_minute)

    def activity(self, **mutations) -> dict:
        """Deterministic forum changes (see `sandbox.activity.apply`); returns what was done."""
        return activity.apply(self.state, **mutations)

    def export(self) -> dict:
        """The whole forum state as JSON-ready data."""
        return export_forum(self.state)

    def enable_connect(self, secret: str, domain: str = "*") -> None:
        """Turn the DiscourseConnect provider on with `secret` for `domain` (`*`: any host)."""
        with self.state.lock:
            self.sandbox.connect.configure({"secret": secret, "domain": domain})

    def login_as(self, username: str | None) -> None:
        """Who the provider says is logged in, for clients without the picker's cookie."""
        with self.state.lock:
            self.sandbox.connect.login_as({"username": username})

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
