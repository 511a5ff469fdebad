"""`DiscourseAPI` over real sockets: bodies cut mid-transfer and refused connections."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sync.discourse.client import DiscourseAPI
from sync.discourse.exceptions import DiscourseUnreachable
from sync.discourse.settings import DiscourseSettings

pytestmark = pytest.mark.integration

BODY = json.dumps({"latest_posts": [{"id": n} for n in range(50)]}).encode()


class CutFirstAnswer(BaseHTTPRequestHandler):
    """Answers /posts.json; the first answer announces the full length but stops halfway."""

    calls = 0

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        type(self).calls += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        if type(self).calls == 1:
            self.wfile.write(BODY[: len(BODY) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        self.wfile.write(BODY)

    def log_message(self, *args) -> None:
        return


@pytest.fixture
def server() -> Iterator[str]:
    CutFirstAnswer.calls = 0
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), CutFirstAnswer)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def make_api(url: str) -> DiscourseAPI:
    settings = DiscourseSettings(url=url, api_key="key", requests_per_minute=0, timeout=5)
    return DiscourseAPI(settings, sleep=lambda seconds: None)


def test_body_cut_halfway_is_fetched_again(server):
    api = make_api(server)
    pages = list(api.iter_latest_posts(stop_at_id=10))
    assert [post["id"] for post in pages[0]] == list(range(11, 50))
    assert api.request_counts["GET /posts.json"] == 2


def test_refused_connection_names_the_url():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    api = make_api(f"http://127.0.0.1:{port}")
    with pytest.raises(DiscourseUnreachable, match=f"http://127.0.0.1:{port}/site.json"):
        api.site()
    assert api.total_requests == 2  # one quick retry, not max_retries: the address is wrong


def test_refused_connection_is_said_in_the_animators_words():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(DiscourseUnreachable, match="connexion refusée"):
        make_api(f"http://127.0.0.1:{port}").site()
