"""Directors hear of the month's reports: one private message each, through the sandbox (real
HTTP), with the links to their pages and no figure; never twice in a month; nobody else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import update

from app import director_notices
from sandbox.server import SandboxServer
from sync.mirror.db import connect
from sync.mirror.pull import SyncOptions, sync_mirror
from sync.mirror.schema import User
from tests.support.campus import make_campus
from tests.support.mirror import make_api
from tests.support.relay_forum import RelayForum
from web.settings import WebSettings

MONTH = "2026-10"
ROOT = "https://campus.reseau-cae.coop"
# a name from cooperatives.csv that would mention and link if it were pasted as it is
HOSTILE = "Coop A @here https://evil.example [x](evil.io)"


@pytest.fixture
def site(tmp_path: Path, db_url):
    """Two cooperatives' directors, a director of both, a member and a directions member of no
    cooperative; the mirror (a SQLite file, then PostgreSQL) synced from the sandbox; October's
    reports written."""
    built = RelayForum()
    built.groups["directions"] = built.forum.add_group("directions")
    built.person("dir-a", "coop-a", "directions")
    built.person("dir-b", "coop-b", "directions")
    built.person("dir-ab", "coop-a", "coop-b", "directions")
    built.person("member-a", "coop-a")
    built.person("dir-none", "directions")
    (tmp_path / "cooperatives.csv").write_text(
        f'slug,name\ncoop-a,"{HOSTILE}"\ncoop-b,Coop B\n', encoding="utf-8"
    )
    folder = tmp_path / "rapports" / MONTH
    (folder / "cooperatives").mkdir(parents=True)
    for page in ("network.html", "cooperatives/coop-a.html", "cooperatives/coop-b.html"):
        (folder / page).write_text("<html></html>", encoding="utf-8")
    with SandboxServer(built.forum, rate_limit_per_minute=0) as server:
        engine = connect(db_url)
        sync_mirror(engine, make_api(server.url, server.api_key), SyncOptions(reconcile_days=3650))
        yield built, server, engine, folder
        engine.dispose()


def campus_of(tmp_path: Path, server, engine, base_url: str = ROOT):
    return make_campus(
        tmp_path,
        engine=engine,
        client_factory=lambda: make_api(server.url, server.api_key),
        web=WebSettings(base_url=base_url),
    )


def bodies(built: RelayForum, username: str) -> list[str]:
    """The first post of each private message `username` received."""
    return [
        built.forum.posts[topic.post_ids[0]].raw for topic in built.private_messages_to(username)
    ]


def test_each_director_gets_one_message_with_their_links_and_no_figure(site, tmp_path):
    built, server, engine, folder = site

    outcome = director_notices.run(campus_of(tmp_path, server, engine), MONTH, folder)

    assert (outcome.sent, outcome.already, outcome.refused) == (3, 0, 0)
    network = f"{ROOT}/rapports/{MONTH}/reseau"
    page_a, page_b = f"{ROOT}/rapports/{MONTH}/coop-a", f"{ROOT}/rapports/{MONTH}/coop-b"
    (body_a,) = bodies(built, "dir-a")
    (body_b,) = bodies(built, "dir-b")
    (body_ab,) = bodies(built, "dir-ab")
    assert page_a in body_a and network in body_a and page_b not in body_a
    assert page_b in body_b and network in body_b and page_a not in body_b
    assert page_a in body_ab and page_b in body_ab and network in body_ab
    for body in (body_a, body_b, body_ab):
        words = body.replace("octobre 2026", "")
        for url in (network, page_a, page_b):
            words = words.replace(url, "")
        assert not re.search(r"\d", words), words  # no figure: only the month and the links
    # the name from the file shows, inert: no mention, no link of its own
    assert "@here" not in body_a and "evil.example" not in body_a and "](" not in body_a
    assert "Coop A" in body_a
    assert "1 avis" not in outcome.line() and "3 avis envoyés" in outcome.line()


def test_a_second_run_in_the_month_sends_nothing(site, tmp_path):
    built, server, engine, folder = site
    campus = campus_of(tmp_path, server, engine)
    director_notices.run(campus, MONTH, folder)

    again = director_notices.run(campus, MONTH, folder)

    assert (again.sent, again.already) == (0, 3)
    assert "0 avis envoyé " in again.line() and "déjà prévenues ce mois-ci : 3" in again.line()
    assert all(len(bodies(built, name)) == 1 for name in ("dir-a", "dir-b", "dir-ab"))


def test_members_who_are_not_directors_get_nothing(site, tmp_path):
    built, server, engine, folder = site

    director_notices.run(campus_of(tmp_path, server, engine), MONTH, folder)

    assert built.private_messages_to("member-a") == []
    assert built.private_messages_to("dir-none") == []  # directs no cooperative


def test_without_a_base_url_nothing_is_sent_and_the_line_says_why(site, tmp_path):
    built, server, engine, folder = site
    campus = make_campus(
        tmp_path, engine=engine, client_factory=lambda: make_api(server.url, server.api_key)
    )

    outcome = director_notices.run(campus, MONTH, folder)

    assert outcome.sent == 0
    assert not [topic for topic in built.forum.topics.values() if topic.is_private_message]
    assert "[web] base_url n'est pas configurée" in outcome.line()
    assert "https://campus.example.org" in outcome.line()


def mirrored_username(engine, user_id: int, username: str) -> None:
    """What the mirror calls `user_id` (as if the forum had renamed them since the last sync)."""
    with engine.begin() as conn:
        conn.execute(update(User).where(User.id == user_id).values(username=username))


def test_a_refused_message_is_not_recorded_and_goes_out_next_time(site, tmp_path):
    built, server, engine, folder = site
    campus = campus_of(tmp_path, server, engine)
    user_id = built.users["dir-b"].id
    mirrored_username(engine, user_id, "gone-meanwhile")  # unknown to Discourse: 422

    first = director_notices.run(campus, MONTH, folder)
    mirrored_username(engine, user_id, "dir-b")  # the next sync brings the name back
    second = director_notices.run(campus, MONTH, folder)

    assert (first.sent, first.refused) == (2, 1)
    assert (second.sent, second.already, second.refused) == (1, 2, 0)
    assert len(bodies(built, "dir-b")) == 1
