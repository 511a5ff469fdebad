"""Helpers of the barometer's web tests: an app on a fresh mirror, a member's session, forms."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from flask.testing import FlaskClient

from core.vocabulary import current_month
from reports.settings import ReportSettings
from sync.discourse.settings import DiscourseSettings
from sync.mirror import barometer_store
from sync.mirror.db import connect
from sync.settings import ForumTemplate, NetworkSettings
from tests.support.campus import make_campus
from web import create_app
from web.auth import Member, open_session
from web.services import GroupNames, Services
from web.settings import WebSettings

TZ = "Europe/Paris"
COOPERATIVES = {"coop-alpha": "Coopérative Alpha", "coop-beta": "Beta Entreprendre"}
ANSWER = {
    "intensite": "2",
    "exigences_emotionnelles": "3",
    "autonomie": "4",
    "rapports_sociaux": "5",
    "conflits_valeurs": "1",
    "insecurite": "",
}


def this_month() -> str:
    return current_month(TZ)


def make_app(folder: Path, *, opened: bool = True, **pulse):
    """The Campus app on a fresh SQLite mirror, this month's barometer opened (or not)."""
    from sync.forum.barometer_topics import PulseSettings

    engine = connect(f"sqlite:///{folder / 'campus.db'}")
    if opened:
        barometer_store.open_month(engine, this_month(), date.today())
    template = ForumTemplate()
    campus = make_campus(
        folder,
        engine=engine,
        client_factory=lambda: None,
        discourse=DiscourseSettings(url="http://forum.test"),
        network=NetworkSettings(timezone=TZ),
        reports=ReportSettings(output_dir=str(folder / "rapports")),
        pulse=PulseSettings(**pulse),
    )
    services = Services(
        campus=campus,
        web=WebSettings(base_url="http://campus.test", trusted_proxies=[]),
        web_secret="web-secret-for-barometer-tests-0123456789",
        connect_secret="connect-secret-for-barometer-tests-0123",
        webhook_secret="webhook-secret-for-barometer-tests-0123",
        groups=GroupNames(role_groups=dict(template.role_groups), cooperatives=COOPERATIVES),
    )
    return create_app(services, testing=True)


def log_in(client: FlaskClient, user_id: int, groups: set[str], username: str = "membre") -> None:
    """Open a session as the login would (the login itself is tested by the web branch)."""
    member = Member(user_id, username, username, admin=False, groups=frozenset(groups))
    with client.session_transaction() as session:
        session.update(open_session(member))


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
