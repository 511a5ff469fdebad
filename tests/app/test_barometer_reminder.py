"""The barometer's reminder: a week before the month closes, one reply in each cooperative's
announcement topic (a bump, no mention), once a month; and its place in the worker's schedule."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

import pytest

import cli
from app import barometer
from app import worker as campus_worker
from app.context import Campus
from sandbox.network import generate
from sync.mirror import barometer_store

pytestmark = pytest.mark.integration

MONTH = "2026-11"  # the current month at FIXTURE_NOW; it closes on 1 December
BEFORE_THE_WEEK = datetime(2026, 11, 23, 21, 0, tzinfo=UTC)  # 23 November, 22:00 in Paris
IN_THE_WEEK = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # 24 November: a week before
BASE_URL = "https://campus.reseau.test"


@pytest.fixture
def opened(campus_cli, tmp_path, frozen_clock):
    """MONTH opened and announced in the sandbox's six cooperative categories by `pulse post`."""
    (tmp_path / "cooperatives.csv").write_text(generate(1, "small").cooperatives_csv)
    with (tmp_path / "campus.toml").open("a", encoding="utf-8") as toml:
        toml.write(f'[web]\nbase_url = "{BASE_URL}"\n')
    result = campus_cli("pulse", "post", "--month", MONTH, "--json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["posted"]) == 6


def campus_at(tmp_path, moment: datetime) -> Campus:
    """The context `campus worker` builds from the same configuration, its clock at `moment`."""
    config = cli.load_config(tmp_path / "campus.toml", environ=dict(os.environ))
    return Campus(config, clock=lambda: moment)


def topic_raws(sandbox_server, engine) -> dict[str, list[str]]:
    """Each cooperative's announcement topic: the raw text of its posts, in order."""
    forum = sandbox_server.state
    topics = {
        slug: forum.topics[topic_id]
        for slug, topic_id in barometer_store.unreminded(engine, MONTH).items()
    }
    return {
        slug: [forum.posts[post_id].raw for post_id in topic.post_ids]
        for slug, topic in topics.items()
    }


def test_nothing_is_posted_before_the_last_week(opened, tmp_path, sandbox_server):
    campus = campus_at(tmp_path, BEFORE_THE_WEEK)
    sandbox_server.reset_stats()
    data = barometer.remind(campus)
    assert data["due"] is False and data["reminded"] == []
    assert sandbox_server.stats()["writes"] == 0
    assert barometer.reminder_line(data) == (
        "Rappel du baromètre 2026-11 : pas avant le 24 novembre 2026."
    )


def test_each_topic_gets_one_reminder_without_mention_once_a_month(
    opened, tmp_path, sandbox_server
):
    campus = campus_at(tmp_path, IN_THE_WEEK)
    before = topic_raws(sandbox_server, campus.engine)
    assert len(before) == 6 and all(len(raws) == 1 for raws in before.values())
    bumped = {
        slug: sandbox_server.state.topics[topic_id].bumped_at
        for slug, topic_id in barometer_store.unreminded(campus.engine, MONTH).items()
    }

    data = barometer.remind(campus)

    assert data["due"] is True and sorted(data["reminded"]) == sorted(before)
    forum = sandbox_server.state
    for slug, topic_id in campus_topics(campus).items():
        topic = forum.topics[topic_id]
        assert len(topic.post_ids) == 2, slug
        reminder = forum.posts[topic.post_ids[1]].raw
        assert "le baromètre QVT de novembre 2026 se termine le 30 novembre 2026" in reminder
        assert f"{BASE_URL}/barometre" in reminder
        assert "@" not in reminder  # nobody is mentioned
        assert topic.bumped_at > bumped[slug]  # the reply bumps the topic
    assert barometer.reminder_line(data) == (
        "Rappel du baromètre 2026-11 : 6 sujets relancés, 0 déjà relancé ce mois-ci."
    )

    sandbox_server.reset_stats()
    again = barometer.remind(campus_at(tmp_path, IN_THE_WEEK.replace(day=28)))
    assert again["reminded"] == [] and len(again["already"]) == 6
    assert sandbox_server.stats()["writes"] == 0


def campus_topics(campus: Campus) -> dict[str, int]:
    """Every announcement topic of MONTH (reminded or not), by cooperative."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from sync.mirror.schema import BarometerAnnouncement

    with Session(campus.engine) as session:
        rows = session.execute(
            select(BarometerAnnouncement.cooperative, BarometerAnnouncement.topic_id).where(
                BarometerAnnouncement.month == MONTH
            )
        )
        return {slug: topic_id for slug, topic_id in rows}


def test_a_month_not_open_is_never_reminded(campus_cli, tmp_path, sandbox_server, frozen_clock):
    (tmp_path / "cooperatives.csv").write_text(generate(1, "small").cooperatives_csv)
    campus = campus_at(tmp_path, IN_THE_WEEK)
    sandbox_server.reset_stats()
    data = barometer.remind(campus)
    assert data["open"] is False and sandbox_server.stats()["writes"] == 0
    assert barometer.reminder_line(data) == (
        "Rappel du baromètre 2026-11 : mois non ouvert, rien à rappeler."
    )


def test_the_worker_runs_the_reminder_every_day(opened, tmp_path):
    campus = campus_at(tmp_path, IN_THE_WEEK)
    jobs = {job.name: job for job in campus_worker.jobs(campus)}
    assert jobs["pulse reminder"].every == "daily"
    record = campus_worker.worker(campus).run_job(jobs["pulse reminder"])
    assert record.outcome == "ok"
    assert record.detail.startswith("Rappel du baromètre 2026-11 : 6 sujets relancés")
