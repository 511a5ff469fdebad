"""`campus pulse post|collect` against the sandbox: idempotent posting, aggregate collection."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics.indicators import pulse_figures
from core.errors import InputError
from core.vocabulary import AXES
from sync.discourse.client import DiscourseAPI
from sync.discourse.settings import DiscourseSettings
from sync.forum.barometer_topics import (
    PulseSettings,
    collect_pulse,
    describe_status,
    first_post_of,
    option_digest,
    post_pulse,
    pulse_raw,
)
from sync.mirror.db import connect
from sync.mirror.loader import load_forum
from sync.mirror.schema import Poll, PollOption
from tests.conftest import control_headers

pytestmark = pytest.mark.integration

MONTH = "2026-11"
CLOSES = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)  # 1 December 00:00 in Paris


def client(server) -> DiscourseAPI:
    return DiscourseAPI(
        DiscourseSettings(url=server.url, api_key=server.api_key, requests_per_minute=100_000)
    )


def slugs(api: DiscourseAPI) -> list[str]:
    groups = [group["name"] for page in api.iter_groups() for group in page]
    categories = {c["slug"] for c in api.all_categories() if not c.get("parent_category_id")}
    return sorted(name for name in groups if name in categories)


@pytest.fixture
def engine(tmp_path: Path):
    return connect(f"sqlite:///{tmp_path / 'campus.db'}")


def test_the_post_holds_one_secret_poll_per_axis_closing_at_month_end():
    raw = pulse_raw(PulseSettings(), CLOSES)
    for axis in AXES:
        assert (
            f"[poll name={axis} type=regular results=on_close public=false "
            f"close=2026-11-30T23:00:00Z]" in raw
        )
    assert raw.count("* Pas du tout d'accord") == 6
    assert raw.count("* Tout à fait d'accord") == 6


def test_the_intro_promises_the_reports_group_size():
    raw = pulse_raw(PulseSettings(), CLOSES, min_group_size=8)
    assert "au moins 8 personnes ont répondu" in raw
    assert "cinq" not in raw and "{min_group_size}" not in raw


def test_the_intro_defaults_to_five_people():
    assert "au moins 5 personnes ont répondu" in pulse_raw(PulseSettings(), CLOSES)


def test_statements_must_cover_the_six_axes():
    settings = PulseSettings(statements={"autonomie": "Je décide."})
    with pytest.raises(InputError, match="intensite"):
        settings.validate()


def test_option_ids_are_discourses_digests():
    assert option_digest("I want to lead the meeting.") == "e09884fbf9b72d83e804050078847643"


def test_posting_twice_creates_one_topic_per_cooperative(sandbox_server, engine):
    api = client(sandbox_server)
    coops = slugs(api)
    first = post_pulse(api, engine, MONTH, CLOSES, coops, PulseSettings())
    assert sorted(first.posted) == coops
    writes = api.write_requests
    second = post_pulse(api, engine, MONTH, CLOSES, coops, PulseSettings())
    assert second.posted == [] and sorted(second.already) == coops
    assert api.write_requests == writes
    with Session(engine) as session:
        polls = session.scalars(select(Poll).where(Poll.pulse_month == MONTH)).all()
    assert len(polls) == 6 * len(coops)


def test_the_posted_intro_states_the_configured_group_size(sandbox_server, engine):
    api = client(sandbox_server)
    post_pulse(api, engine, MONTH, CLOSES, slugs(api)[:1], PulseSettings(), min_group_size=7)
    with Session(engine) as session:
        topic_id = session.scalars(select(Poll.topic_id)).first()
    assert "au moins 7 personnes ont répondu" in first_post_of(api, topic_id)["cooked"]


def test_a_lost_mirror_still_finds_the_topics_on_the_forum(sandbox_server, engine, tmp_path):
    api = client(sandbox_server)
    coops = slugs(api)[:2]
    post_pulse(api, engine, MONTH, CLOSES, coops, PulseSettings())
    writes = api.write_requests
    fresh = connect(f"sqlite:///{tmp_path / 'fresh.db'}")
    outcome = post_pulse(api, fresh, MONTH, CLOSES, coops, PulseSettings())
    assert outcome.posted == []
    assert api.write_requests == writes
    with Session(fresh) as session:
        assert set(session.scalars(select(Poll.cooperative))) == set(coops)


def test_a_cooperative_without_category_is_refused_before_any_post(sandbox_server, engine):
    api = client(sandbox_server)
    coops = [*slugs(api)[:2], "coop-inconnue"]
    with pytest.raises(InputError, match="coop-inconnue.*Rien n'a été publié"):
        post_pulse(api, engine, MONTH, CLOSES, coops, PulseSettings())
    assert api.write_requests == 0
    with Session(engine) as session:
        assert session.scalars(select(Poll)).all() == []


def vote(server, post_id: int, axis: str, ballots: dict[str, int]) -> None:
    labels = PulseSettings().scale()
    payload = {
        "post_id": post_id,
        "poll_name": axis,
        "votes": {name: [option_digest(labels[answer - 1])] for name, answer in ballots.items()},
    }
    response = requests.post(
        f"{server.url}/_sandbox/votes",
        json=payload,
        headers=control_headers(server.api_key),
        timeout=30,
    )
    response.raise_for_status()


def members(api: DiscourseAPI, slug: str) -> list[str]:
    return [member["username"] for page in api.iter_group_members(slug) for member in page]


def test_collect_reads_closed_polls_and_the_threshold_applies(sandbox_server, engine):
    api = client(sandbox_server)
    big, small = slugs(api)[:2]
    post_pulse(api, engine, MONTH, CLOSES, [big, small], PulseSettings())
    with Session(engine) as session:
        posts = dict(session.execute(select(Poll.cooperative, Poll.post_id).distinct()).all())
    vote(
        sandbox_server,
        posts[big],
        "autonomie",
        dict(zip(members(api, big)[:5], [1, 2, 4, 5, 5], strict=True)),
    )
    vote(sandbox_server, posts[small], "autonomie", dict.fromkeys(members(api, small)[:4], 3))

    still_open = collect_pulse(api, engine, MONTH)
    assert still_open.closed == 0 and still_open.still_open == 12

    for slug in (big, small):
        for axis in AXES:
            api.toggle_poll_status(posts[slug], axis, "closed")
    collected = collect_pulse(api, engine, MONTH)
    assert collected.closed == 12
    assert collected.voters == 9

    with Session(engine) as session:
        poll = session.scalars(
            select(Poll).where(Poll.cooperative == big, Poll.name == "autonomie")
        ).one()
        votes = [
            o.votes
            for o in session.scalars(
                select(PollOption)
                .where(PollOption.poll_id == poll.id)
                .order_by(PollOption.position)
            )
        ]
    assert (poll.status, poll.voters, votes) == ("closed", 5, [1, 1, 0, 1, 2])

    forum = load_forum(engine)
    assert pulse_figures(forum, MONTH, big)["pulse_autonomie"].value == pytest.approx(17 / 5)
    assert pulse_figures(forum, MONTH, small)["pulse_autonomie"].n == 4


def test_pulse_status_is_readable_labels_and_one_decimal(monkeypatch):
    monkeypatch.setenv("CAMPUS_LANG", "fr")
    axes = dict.fromkeys(
        ("intensite", "exigences_emotionnelles", "autonomie", "rapports_sociaux"), 3.0
    )
    data = {
        "month": "2026-10",
        "state": "open",
        "network": {
            "respondents": 12,
            "axes": {**axes, "intensite": 3.25, "conflits_valeurs": 4, "insecurite": None},
        },
        "cooperatives": {"coop-a": {"respondents": None, "axes": dict.fromkeys(axes)}},
    }

    text = "\n".join(describe_status(data, 5))

    assert text.splitlines()[0] == "Baromètre octobre 2026 : ouvert."
    assert "Réseau : 12 réponses, moyennes sur 5 :" in text
    assert "  Intensité et temps de travail : 3,2" in text  # one decimal everywhere
    assert "  Autonomie : 3,0" in text and "  Conflits de valeurs : 4,0" in text
    assert "Insécurité de la situation de travail : —" in text
    assert "coop-a : moins de 5 réponses, moyennes masquées (anonymat)." in text
    assert "intensite" not in text and "=" not in text
