"""Sandbox → sync → pulse → votes → collect → report → publish, over real HTTP (DESIGN §7, §8)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.report import publish_report
from core.vocabulary import AXES
from reports.render import build_report
from reports.settings import ReportSettings
from sync.discourse.client import DiscourseAPI
from sync.discourse.settings import DiscourseSettings
from sync.forum.barometer_topics import PulseSettings, collect_pulse, option_digest, post_pulse
from sync.mirror import pull as mirror
from sync.mirror.db import connect
from sync.mirror.loader import load_forum
from sync.mirror.schema import Poll
from sync.settings import ForumTemplate, SyncSettings
from tests.conftest import control_headers

pytestmark = pytest.mark.integration

MONTH = "2026-10"  # the sandbox's activity ends on 31 October 2026
CLOSES = datetime(2026, 10, 31, 23, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)


def client(server) -> DiscourseAPI:
    return DiscourseAPI(
        DiscourseSettings(url=server.url, api_key=server.api_key, requests_per_minute=100_000)
    )


def cooperatives(api: DiscourseAPI) -> list[str]:
    groups = {group["name"] for page in api.iter_groups() for group in page}
    return sorted(
        c["slug"]
        for c in api.all_categories()
        if not c.get("parent_category_id") and c["slug"] in groups
    )


def sync(url: str, api: DiscourseAPI, slugs: list[str]) -> None:
    options = mirror.sync_options(ForumTemplate(), SyncSettings(), slugs)
    mirror.run_sync(url, api, options)


def topics_titled(api: DiscourseAPI, title: str) -> list[dict]:
    return [topic for page in api.iter_latest_topics() for topic in page if topic["title"] == title]


def test_publishing_twice_keeps_one_topic_per_month(sandbox_server, tmp_path: Path):
    api = client(sandbox_server)
    url = f"sqlite:///{tmp_path / 'campus.db'}"
    sync(url, api, cooperatives(api))
    folder = build_report(load_forum(connect(url)), MONTH, tmp_path / "out", now=NOW)
    markdown = (folder / "network.md").read_text()
    settings = ReportSettings()

    engine = connect(url)
    first = publish_report(api, engine, MONTH, markdown, settings)
    sandbox_server.state.topics[first.topic_id].title = "Rapport QVT — 2026-10"  # retitled
    second = publish_report(api, engine, MONTH, markdown + "\nMis à jour.\n", settings)

    assert (first.action, second.action) == ("created", "updated")
    assert second.topic_id == first.topic_id
    assert first.title == "Rapport QVT — octobre 2026"
    assert topics_titled(api, "Rapport QVT — octobre 2026") == []  # retitled, not duplicated
    [topic] = topics_titled(api, "Rapport QVT — 2026-10")
    direction = next(c for c in api.all_categories() if c["slug"] == "direction")
    assert topic["category_id"] == direction["id"]
    assert api.post_by_id(first.post_id)["raw"].endswith("Mis à jour.\n")


def test_another_month_gets_its_own_topic(sandbox_server, tmp_path):
    api = client(sandbox_server)
    settings = ReportSettings()
    engine = connect(f"sqlite:///{tmp_path / 'campus.db'}")
    october = publish_report(
        api, engine, "2026-10", "# Rapport d'octobre\n\nContenu du rapport.", settings
    )
    november = publish_report(
        api, engine, "2026-11", "# Rapport de novembre\n\nContenu du rapport.", settings
    )
    assert october.topic_id != november.topic_id


def cast(server, post_id: int, axis: str, ballots: dict[str, int]) -> None:
    labels = PulseSettings().scale()
    votes = {name: [option_digest(labels[answer - 1])] for name, answer in ballots.items()}
    response = requests.post(
        f"{server.url}/_sandbox/votes",
        json={"post_id": post_id, "poll_name": axis, "votes": votes},
        headers=control_headers(server.api_key),
        timeout=30,
    )
    response.raise_for_status()


def test_pulse_results_reach_the_report_above_the_threshold_only(sandbox_server, tmp_path):
    api = client(sandbox_server)
    url = f"sqlite:///{tmp_path / 'campus.db'}"
    slugs = cooperatives(api)
    big, small = slugs[:2]
    engine = connect(url)
    post_pulse(api, engine, MONTH, CLOSES, [big, small], PulseSettings())
    with Session(engine) as session:
        posts = dict(session.execute(select(Poll.cooperative, Poll.post_id).distinct()).all())
    voters = {
        slug: [m["username"] for page in api.iter_group_members(slug) for m in page]
        for slug in (big, small)
    }
    for axis in AXES:
        cast(sandbox_server, posts[big], axis, dict.fromkeys(voters[big][:6], 4))
        cast(sandbox_server, posts[small], axis, dict.fromkeys(voters[small][:4], 2))
        for slug in (big, small):
            api.toggle_poll_status(posts[slug], axis, "closed")

    sync(url, api, slugs)  # the sync may see the closed polls too: pulse tags must survive it
    collected = collect_pulse(api, engine, MONTH)
    assert collected.closed == 12
    folder = build_report(load_forum(engine), MONTH, tmp_path / "out", now=NOW)

    scopes = {s["scope"]: s for s in json.loads((folder / "indicators.json").read_text())["scopes"]}
    for axis in AXES:
        shown = next(r for r in scopes[big]["indicators"] if r["id"] == f"pulse_{axis}")
        hidden = next(r for r in scopes[small]["indicators"] if r["id"] == f"pulse_{axis}")
        assert (shown["value"], shown["n"], shown["suppressed"]) == (4.0, 6, False)
        assert (hidden["value"], hidden["n"], hidden["suppressed"]) == (None, None, True)
    html = (folder / "cooperatives" / f"{big}.html").read_text()
    assert "4,0 / 5" in html
    assert "masqué" in (folder / "cooperatives" / f"{small}.md").read_text()
