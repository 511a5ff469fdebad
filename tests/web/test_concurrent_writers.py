"""Many writers at once on one database: logins, barometer answers and webhooks during a full sync.

Issue 23: with SQLite's deferred `BEGIN`, a transaction that reads then writes failed at once
("database is locked") as soon as another connection had committed meanwhile, whatever the busy
timeout: a login (its nonce is read then deleted) answered 500, `campus sync --full` beside the
web service died, webhook check batches were dropped. Everything here runs for real: Campus on
waitress over HTTP, the sandbox's DiscourseConnect provider and webhook deliveries, and
`campus sync --full` in its own process on the same database, all at once — on a SQLite file,
and the same load on PostgreSQL.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
import requests

from core.vocabulary import AXES, current_month
from sync.mirror import barometer_store
from tests.conftest import ROOT
from tests.support.mirror import counts
from tests.support.web_site import API_KEY, TZ, WEBHOOK_SECRET, start_site
from web.webhooks import live_mirror_of

pytestmark = pytest.mark.integration

LOGINS = 60  # logins by 6 threads
ANSWERS = 30  # barometer answers, each by a different member, by 6 threads
ACTIVITY_ROUNDS = 8  # bursts of forum activity, each delivered as webhooks
#: every statement answered (« je préfère ne pas répondre » sent as an empty value)
ANSWER = {axis: ("3", "4", "")[i % 3] for i, axis in enumerate(AXES)}


def login(site, username: str, next_path: str = "/") -> tuple[requests.Session, int]:
    """A full DiscourseConnect login as `username` (the provider's cookie picks who)."""
    session = requests.Session()
    session.cookies.set("_sandbox_user", username)
    response = session.get(site.url + "/login", params={"next": next_path}, timeout=120)
    return session, response.status_code


def answer(site, username: str) -> list[int]:
    """Log in, open the barometer, answer it: every status on the way."""
    session, status = login(site, username, "/barometre")
    page = session.get(site.url + "/barometre", timeout=120)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    if token is None:
        return [status, page.status_code, -1]
    form = {**ANSWER, "csrf_token": token.group(1)}
    sent = session.post(site.url + "/barometre", data=form, timeout=120, allow_redirects=False)
    return [status, page.status_code, sent.status_code]


def members(site, count: int) -> list[str]:
    """`count` active members of exactly one cooperative (so each may answer)."""
    forum = site.sandbox.state
    slugs = set(site.services.groups.cooperatives)
    found = []
    for user in sorted(forum.users.values(), key=lambda u: u.id):
        if user.id <= 0 or not user.active or user.staged or user.suspended_till:
            continue
        groups = {group.name for group in forum.groups_of(user)}
        if len(groups & slugs) == 1:
            found.append(user.username)
        if len(found) == count:
            break
    return found


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def busy(request, tmp_path_factory):
    """The site with webhooks on and this month's barometer open, on each database."""
    folder = tmp_path_factory.mktemp("writers")
    database_url = f"sqlite:///{folder / 'campus.db'}"
    if request.param == "postgresql":
        server = request.getfixturevalue("postgres_server")
        name = "campus_" + uuid.uuid4().hex[:12]
        server.admin(f"CREATE DATABASE {name}")
        database_url = server.url(name)
    site = start_site(folder, database_url=database_url)
    barometer_store.open_month(site.services.engine, current_month(TZ), date.today())
    site.sandbox.configure_webhooks(
        site.url + "/webhooks/discourse", WEBHOOK_SECRET, retry_seconds=[0.5] * 6
    )
    (folder / "sync.toml").write_text(
        f'[discourse]\nurl = "{site.sandbox.url}"\nrequests_per_minute = 0\n'
        f'[database]\nurl = "{database_url}"\n'
        f'[network]\ncooperatives = "{folder / "cooperatives.csv"}"\n'
        "[sync]\nreconcile_days = 3650\n",
        encoding="utf-8",
    )
    (folder / "cooperatives.csv").write_text(
        "slug,name,region,color\n"
        + "".join(f"{slug},{name},,\n" for slug, name in site.services.groups.cooperatives.items()),
        encoding="utf-8",
    )
    yield site, folder
    site.sandbox.configure_webhooks(None)
    site.stop()


def test_logins_answers_and_webhooks_during_a_full_sync_make_no_error(busy):
    site, folder = busy
    usernames = members(site, ANSWERS + LOGINS)
    answerers, loggers = usernames[:ANSWERS], usernames[ANSWERS:]
    sync_env = {"CAMPUS_DISCOURSE_API_KEY": API_KEY, "CAMPUS_LANG": "fr", "PATH": "/usr/bin:/bin"}
    command = [sys.executable, str(ROOT / "cli.py"), "--config", str(folder / "sync.toml")]
    syncing = subprocess.Popen(
        [*command, "sync", "--full"],
        cwd=ROOT,
        env=sync_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    stop = threading.Event()

    def activity() -> None:
        for round_ in range(ACTIVITY_ROUNDS):
            if stop.is_set():
                return
            site.sandbox.activity(
                seed=100 + round_, new_posts=6, edits=3, deletes=2, likes=4, accepts=1
            )

    with ThreadPoolExecutor(max_workers=13) as pool:
        forum_changes = pool.submit(activity)
        logins = [pool.submit(login, site, name) for name in loggers]
        answers = [pool.submit(answer, site, name) for name in answerers]
        login_statuses = [future.result()[1] for future in logins]
        answer_statuses = [future.result() for future in answers]
        forum_changes.result()
    output, _ = syncing.communicate(timeout=600)

    assert syncing.returncode == 0, output
    assert login_statuses == [200] * LOGINS
    assert answer_statuses == [[200, 200, 303]] * ANSWERS
    assert site.sandbox.wait_webhooks(120)
    assert live_mirror_of(site.app).wait_idle(120)
    deliveries = site.sandbox.sandbox.webhooks.summaries()
    assert deliveries and [d for d in deliveries if d["state"] != "delivered"] == []
    assert [a for d in deliveries for a in d["attempts"] if not a.startswith("2")] == []
    assert counts(site.services.engine) == site.sandbox.truth()
    data = barometer_store.read_month(site.services.engine, current_month(TZ))
    assert int(data.respondents["n"].sum()) == ANSWERS
