"""The web service's access log (method, path, status, duration; never a query string, a
token or an address) and waitress's queue warnings held to one line a minute."""

from __future__ import annotations

import logging

from tests.support.web_app import make_web_app
from web.access_log import QUEUE_LOGGER, QueueDepthFilter


def test_one_access_line_per_request_without_query_string_or_secrets(tmp_path, caplog):
    client = make_web_app(tmp_path).test_client()
    with caplog.at_level(logging.INFO, logger="campus.access"):
        # a WSGI server closes every response once sent: the line is written then
        client.get("/auth/discourse?sso=c2VjcmV0LW5vbmNl&sig=deadbeefcafe").close()
        client.get("/healthz?token=abc123", headers={"Authorization": "Bearer xyz789"}).close()
        client.get("/nexiste-pas").close()
    lines = [r for r in caplog.records if r.name == "campus.access"]
    assert [(r.method, r.path, r.status) for r in lines] == [
        ("GET", "/auth/discourse", lines[0].status),
        ("GET", "/healthz", 200),
        ("GET", "/nexiste-pas", 404),
    ]
    assert all(isinstance(r.duration_ms, float) for r in lines)
    text = "\n".join(r.getMessage() for r in lines)
    assert text.splitlines()[1].startswith("GET /healthz 200 ") and text.endswith(" ms")
    for secret in ("c2VjcmV0", "deadbeef", "abc123", "xyz789", "sso", "token", "127.0.0.1"):
        assert secret not in text


def test_waitress_queue_warnings_come_at_most_once_a_minute():
    now = [0.0]
    kept = []
    queue = logging.getLogger(QUEUE_LOGGER)
    handler = logging.Handler()
    handler.emit = lambda record: kept.append(record.getMessage())
    flood = QueueDepthFilter(clock=lambda: now[0])
    installed = queue.filters[:]  # `campus serve` in another test may have installed its own
    queue.filters[:] = [flood]
    queue.addHandler(handler)
    try:
        for depth in range(1, 301):  # 300 warnings in 30 s, as waitress writes them
            now[0] = depth / 10
            queue.warning("Task queue depth is %d", depth % 7 + 1)
        now[0] = 61.0
        queue.warning("Task queue depth is %d", 2)
    finally:
        queue.filters[:] = installed
        queue.removeHandler(handler)
    assert len(kept) == 2
    assert kept[1].startswith("Task queue depth is 2 (deepest 7; 299 similar lines held back")
