"""When a job of the worker fails, the animators get one private message on the sandbox forum,
kept until Discourse answers when Discourse is what fails; a recovery is told once."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from app.worker import Job, Worker
from app.worker_alerts import Alerts
from core.errors import CampusError
from sync.discourse.client import DiscourseAPI
from sync.discourse.settings import DiscourseSettings
from sync.mirror import store
from tests.support.campus import make_campus


def at(text: str):
    return lambda: datetime.fromisoformat(text).astimezone(UTC)


def messages_to_admins(server) -> list:
    forum = server.state
    admins = forum.group_member_ids(forum.group_by_name("admins"))
    return [
        topic
        for topic in forum.topics.values()
        if topic.archetype == "private_message" and set(admins) <= set(topic.allowed_user_ids)
    ]


def test_a_failing_job_is_told_once_queued_while_discourse_fails_then_its_recovery_once(
    tmp_path, sandbox_server, caplog
):
    settings = DiscourseSettings(
        url=sandbox_server.url, requests_per_minute=0, api_key=sandbox_server.api_key
    )
    campus = make_campus(
        tmp_path, client_factory=lambda: DiscourseAPI(settings, sleep=lambda s: None)
    )
    errors = [CampusError("Le forum ne répond pas (503)."), CampusError("encore")]

    def sync():
        if errors:
            raise errors.pop(0)
        return "synced"

    jobs = [Job("sync", sync, "hourly")]

    def round_at(text: str) -> list[str]:
        worker = Worker(jobs, campus.database_url, clock=at(text), alerts=Alerts(campus).flush)
        return [record.outcome for record in worker.run_once()]

    before = len(messages_to_admins(sandbox_server))
    sandbox_server.set_faults(unavailable=1.0)  # Discourse itself is what fails
    with caplog.at_level(logging.INFO, logger="campus.worker"):
        assert round_at("2026-11-05T10:00:00+01:00") == ["failed"]
    assert len(messages_to_admins(sandbox_server)) == before  # could not be sent: kept
    assert "Tâche sync : échec" in caplog.text and "en attente" in caplog.text
    with campus.engine.connect() as conn:
        assert store.job_states(conn)["sync"]["alert"] == store.ALERT_FAILURE

    sandbox_server.set_faults()  # Discourse answers again; the job is not due yet (backoff)
    assert round_at("2026-11-05T10:02:00+01:00") == []
    sent = messages_to_admins(sandbox_server)[before:]
    assert len(sent) == 1
    first_post = sandbox_server.state.topic_posts(sent[0], with_deleted=False)[0]
    assert "sync" in sent[0].title
    assert "5 novembre 2026" in first_post.raw or "5 nov. 2026" in first_post.raw
    assert "503" in first_post.raw and "Que faire" in first_post.raw

    assert round_at("2026-11-05T10:06:00+01:00") == ["failed"]  # the same streak: no new message
    assert len(messages_to_admins(sandbox_server)) == before + 1

    assert round_at("2026-11-05T10:20:00+01:00") == ["ok"]
    assert round_at("2026-11-05T11:20:00+01:00") == ["ok"]  # nothing more to tell
    recovered = messages_to_admins(sandbox_server)[before + 1 :]
    assert len(recovered) == 1 and "de nouveau" in recovered[0].title
    with campus.engine.connect() as conn:
        assert store.job_states(conn)["sync"]["alert"] is None
