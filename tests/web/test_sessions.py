"""Sessions on the server side: logging out ends them, and a member's groups are re-read from
the mirror once older than `[web] groups_ttl_minutes` (a removed director loses access)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, insert

from sync.mirror.schema import Group, Membership, User
from tests.support.clock import FIXTURE_NOW, frozen_at
from tests.support.web_app import make_web_app
from web.auth import Member, open_session

DIRECTOR = Member(7, "directrice", "Directrice", admin=False, groups=frozenset({"directions"}))


def _app(folder: Path, **web: object) -> Flask:
    """Campus over http (the test client sends no Secure cookie over http)."""
    return make_web_app(folder, base_url="http://campus.example.org", **web)


def _mirror_director(app: Flask) -> None:
    """The mirror knows the director and her membership of `directions` (group 41)."""
    with app.extensions["campus"].engine.begin() as connection:
        connection.execute(insert(User).values(id=DIRECTOR.user_id, username=DIRECTOR.username))
        connection.execute(insert(Group).values(id=41, name="directions"))
        connection.execute(insert(Membership).values(group_id=41, user_id=DIRECTOR.user_id))


def _remove_from_directions(app: Flask) -> None:
    with app.extensions["campus"].engine.begin() as connection:
        connection.execute(delete(Membership).where(Membership.group_id == 41))


def _log_in(app: Flask, member: Member) -> FlaskClient:
    client = app.test_client()
    with client.session_transaction() as session:
        session.update(open_session(member))
    return client


def test_a_removed_director_is_refused_once_the_groups_ttl_has_passed(tmp_path):
    app = _app(tmp_path, groups_ttl_minutes=15)
    _mirror_director(app)
    with frozen_at(FIXTURE_NOW) as now:
        client = _log_in(app, DIRECTOR)
        assert client.get("/rapports").status_code == 200
        _remove_from_directions(app)
    with frozen_at(now + timedelta(minutes=5)):
        assert client.get("/rapports").status_code == 200  # within the TTL: as at login
    with frozen_at(now + timedelta(minutes=16)):
        assert client.get("/rapports").status_code == 403
        assert client.get("/moi").status_code == 200  # still logged in, as a member


def test_groups_are_kept_when_the_mirror_does_not_know_the_member(tmp_path):
    app = _app(tmp_path, groups_ttl_minutes=15)
    with frozen_at(FIXTURE_NOW) as now:
        client = _log_in(app, DIRECTOR)
    with frozen_at(now + timedelta(minutes=16)):
        assert client.get("/rapports").status_code == 200


def test_a_copied_cookie_opens_nothing_after_logout(tmp_path):
    app = _app(tmp_path)
    client = _log_in(app, DIRECTOR)
    cookie = client.get_cookie("campus_session").value
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/moi").text).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    replay = app.test_client()
    replay.set_cookie("campus_session", cookie)
    assert replay.get("/moi").status_code == 302  # sent to /login


def test_a_session_expires_on_the_server_after_session_hours(tmp_path):
    app = _app(tmp_path, session_hours=12)
    with frozen_at(FIXTURE_NOW) as now:
        client = _log_in(app, DIRECTOR)
        assert client.get("/moi").status_code == 200
    with frozen_at(now + timedelta(hours=13)):
        assert client.get("/moi").status_code == 302
