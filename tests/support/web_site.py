"""A running Campus web service over real HTTP, logged in through the sandbox's provider.

`start_site` serves a sandbox forum (DiscourseConnect provider on), syncs it into a SQLite mirror,
writes the reports of one month, and serves `create_app` on waitress in a thread: what the web
tests, the browser test and the benchmark share.
"""

from __future__ import annotations

import re
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path

import requests
import waitress

from reports.render import build_report
from reports.settings import ReportSettings
from sandbox.network import generate
from sandbox.server import SandboxServer
from sync.discourse.client import DiscourseAPI
from sync.discourse.settings import DiscourseSettings
from sync.mirror import db
from sync.mirror import pull as mirror
from sync.mirror.loader import load_forum
from sync.settings import ForumTemplate, NetworkSettings, SyncSettings
from tests.support.campus import make_campus
from tests.support.clock import FIXTURE_NOW
from web import create_app
from web.services import GroupNames, Services
from web.settings import WebSettings

CONNECT_SECRET = "test-connect-secret-0123456789abcdef"
WEB_SECRET = "test-web-secret-0123456789abcdef0123"
WEBHOOK_SECRET = "test-webhook-secret-0123456789abcdef"
API_KEY = "sandbox-web-test-key"
REPORT_MONTH = "2026-10"
TZ = "Europe/Paris"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class WebSite:
    """The sandbox forum, the Campus service in front of it, and who plays which role."""

    sandbox: SandboxServer
    url: str
    services: Services
    app: object
    server: object
    thread: threading.Thread
    roles: dict[str, str] = field(default_factory=dict)  # role -> username
    cooperative_a: str = ""
    cooperative_b: str = ""

    def login(self, username: str, next_path: str = "/") -> requests.Session:
        """A browser-like session logged in as `username` (full flow over HTTP)."""
        self.sandbox.login_as(username)
        session = requests.Session()
        response = session.get(self.url + "/login", params={"next": next_path}, timeout=30)
        assert response.status_code == 200, response.text[:500]
        return session

    def csrf(self, session: requests.Session, path: str = "/moi") -> str:
        """The CSRF token of a form on `path`."""
        page = session.get(self.url + path, timeout=30).text
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def stop(self) -> None:
        self.server.task_dispatcher.shutdown()
        self.server.close()
        self.thread.join(timeout=5)
        self.sandbox.stop()
        self.services.engine.dispose()


def start_site(
    folder: Path,
    *,
    size: str = "small",
    login_rate_limit: str = "10000 per minute",
    database_url: str | None = None,
) -> WebSite:
    """Serve a synced, reported sandbox network through Campus on a free port (its mirror a
    SQLite file in `folder`, or `database_url`)."""
    network = generate(1, size)
    sandbox = SandboxServer(network, api_key=API_KEY, rate_limit_per_minute=0).start()
    sandbox.enable_connect(CONNECT_SECRET)
    database_url = database_url or f"sqlite:///{folder / 'campus.db'}"
    settings = DiscourseSettings(url=sandbox.url, requests_per_minute=0, api_key=API_KEY)
    slugs = [line.split(",")[0] for line in network.cooperatives_csv.splitlines()[1:] if line]
    template = ForumTemplate()
    options = mirror.sync_options(template, SyncSettings(reconcile_days=3650), slugs)
    mirror.run_sync(database_url, DiscourseAPI(settings), options, full=True)
    engine = db.connect(database_url)
    reports_dir = folder / "rapports"
    build_report(load_forum(engine), REPORT_MONTH, reports_dir, tz=TZ, now=FIXTURE_NOW)
    (folder / "cooperatives.csv").write_text(network.cooperatives_csv, encoding="utf-8")
    names = {}
    for line in network.cooperatives_csv.splitlines()[1:]:
        slug, name = line.split(",")[:2]
        names[slug] = name
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    campus = make_campus(
        folder,
        engine=engine,
        client_factory=lambda: DiscourseAPI(settings),
        discourse=settings,
        network=NetworkSettings(timezone=TZ),
        reports=ReportSettings(output_dir=str(reports_dir)),
    )
    services = Services(
        campus=campus,
        web=WebSettings(base_url=url, trusted_proxies=[], login_rate_limit=login_rate_limit),
        web_secret=WEB_SECRET,
        connect_secret=CONNECT_SECRET,
        webhook_secret=WEBHOOK_SECRET,
        groups=GroupNames(
            role_groups=dict(template.role_groups),
            optout=template.optout_group,
            transformers=template.transformers_group,
            cooperatives=names,
        ),
    )
    app = create_app(services)
    server = waitress.create_server(app, host="127.0.0.1", port=port, threads=8)
    thread = threading.Thread(target=server.run, daemon=True, name="campus-web")
    thread.start()
    site = WebSite(sandbox, url, services, app, server, thread)
    _cast(site, network.forum)
    return site


def _cast(site: WebSite, forum) -> None:
    """Pick an animator, a director of cooperative A, an entrepreneur of cooperative A, and a
    director of cooperative B (`director_b`, when B has one)."""

    def members(name: str) -> set[int]:
        return set(forum.group_member_ids(forum.group_by_name(name)))

    directors = members("directions")
    entrepreneurs = members("entrepreneurs") - directors
    optout = members("campus-optout")
    for slug in site.services.groups.cooperatives:
        coop = members(slug)
        director = sorted(coop & directors)
        entrepreneur = sorted((coop & entrepreneurs) - optout)
        if director and entrepreneur and not site.cooperative_a:
            site.cooperative_a = slug
            site.roles["director"] = forum.users[director[0]].username
            site.roles["entrepreneur"] = forum.users[entrepreneur[0]].username
        elif site.cooperative_a and not site.cooperative_b and director:
            site.cooperative_b = slug
            site.roles["director_b"] = forum.users[director[0]].username
    site.roles["animator"] = next(
        user.username for user in forum.users.values() if user.admin and user.id > 0
    )
