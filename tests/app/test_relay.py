"""`campus relay` against the sandbox: real HTTP, a real mirror, private messages really sent."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from sandbox.server import SandboxServer
from sync.mirror.db import connect
from sync.mirror.schema import RelaySuggestion
from tests.support.mirror import make_api
from tests.support.relay_forum import RelayForum, paris, sync_and_relay

TUESDAY = paris("2026-03-10 10:00")  # a working hour; the questions below are due by then


def suggestions(engine) -> list[tuple[int, int]]:
    with engine.connect() as conn:
        return sorted(
            [
                tuple(row)
                for row in conn.execute(select(RelaySuggestion.topic_id, RelaySuggestion.user_id))
            ]
        )


@pytest.fixture
def site(tmp_path):
    """The forum, its sandbox server and an empty SQLite mirror."""
    built = RelayForum()
    built.person("asker", "coop-a")
    with SandboxServer(built.forum, rate_limit_per_minute=0) as server:
        engine = connect(f"sqlite:///{tmp_path / 'campus.db'}")
        yield built, server, engine
        engine.dispose()


def test_only_volunteers_who_can_read_the_category_are_asked(site):
    built, server, engine = site
    built.person("alice", "coop-a", volunteer=True)
    built.person("bruno", "coop-b", volunteer=True)  # knows Entraide, but coop-b's
    built.person("bea", "coop-b")
    built.helped("alice", "coop-a/entraide", "2026-02-02 10:00")
    built.helped("bruno", "coop-b/entraide", "2026-02-03 10:00", asker="bea")
    question = built.question("asker", "coop-a/entraide", "2026-03-06 09:00", "Facturer un client")

    outcome = sync_and_relay(server, engine, TUESDAY)

    assert outcome.plan.suggestions == [(question.id, [built.users["alice"].id])]
    assert built.private_messages_to("bruno") == []
    assert len(built.private_messages_to("alice")) == 1


def test_the_author_is_never_asked_about_their_own_question(site):
    built, server, engine = site
    built.person("alice", "coop-a", volunteer=True)
    built.person("carl", "coop-a", volunteer=True)
    built.helped("alice", "campus", "2026-02-02 10:00")
    built.helped("carl", "campus", "2026-02-02 11:00")
    built.question("carl", "campus", "2026-03-06 09:00", "Question de Carl sur la TVA")

    sync_and_relay(server, engine, TUESDAY)

    assert built.private_messages_to("carl") == []
    assert len(built.private_messages_to("alice")) == 1


def test_at_most_per_question_volunteers_get_a_question(site):
    built, server, engine = site
    for name in ("v1", "v2", "v3", "v4"):
        built.person(name, "coop-a", volunteer=True)
        built.helped(name, "campus", "2026-02-02 10:00")
    question = built.question("asker", "campus", "2026-03-06 09:00", "Une question du réseau")

    sync_and_relay(server, engine, TUESDAY, per_question=2)

    assert [topic for topic, _ in suggestions(engine)] == [question.id, question.id]
    sent = [t for t in built.forum.topics.values() if t.is_private_message]
    assert len(sent) == 2


def test_nobody_gets_more_than_per_week_suggestions_over_seven_rolling_days(site):
    built, server, engine = site
    for name in ("v1", "v2"):
        built.person(name, "coop-a", volunteer=True)
        built.helped(name, "campus", "2026-02-02 10:00")
    for day in range(2, 6):  # four due questions
        built.question("asker", "campus", f"2026-03-0{day} 09:00", f"Question numéro {day} ici")

    outcome = sync_and_relay(server, engine, TUESDAY, per_question=1, per_week=1)
    assert len(outcome.plan.suggestions) == 2
    assert outcome.plan.skipped["volunteers_busy"] == 2

    # six days later the first suggestions are still within the week; eight days later not
    again = sync_and_relay(server, engine, paris("2026-03-16 10:00"), per_question=1, per_week=1)
    assert again.plan.suggestions == []
    later = sync_and_relay(server, engine, paris("2026-03-18 10:00"), per_question=1, per_week=1)
    assert len(later.plan.suggestions) == 2
    assert all(len(built.private_messages_to(name)) == 2 for name in ("v1", "v2"))


def test_nothing_is_sent_at_the_weekend_and_the_question_waits_for_monday(site):
    built, server, engine = site
    built.person("alice", "coop-a", volunteer=True)
    built.helped("alice", "campus", "2026-02-02 10:00")
    # Wednesday 09:00 + 24 working hours = Thursday 20:00; Saturday is quiet
    question = built.question("asker", "campus", "2026-03-25 09:00", "Question avant le week-end")

    saturday = sync_and_relay(server, engine, paris("2026-03-28 11:00"))
    assert saturday.plan.deferred == 1 and saturday.plan.suggestions == []
    assert suggestions(engine) == [] and built.private_messages_to("alice") == []

    # the clocks go forward on Sunday 29 March: Monday 07:30 (CEST) is a working hour
    monday = sync_and_relay(server, engine, paris("2026-03-30 07:30"))
    assert monday.plan.suggestions == [(question.id, [built.users["alice"].id])]


def test_nothing_is_sent_at_night(site):
    built, server, engine = site
    built.person("alice", "coop-a", volunteer=True)
    built.helped("alice", "campus", "2026-02-02 10:00")
    built.question("asker", "campus", "2026-03-06 09:00", "Question posée un vendredi")

    night = sync_and_relay(server, engine, paris("2026-03-10 21:30"))

    assert night.plan.deferred == 1 and night.sent == 0 and suggestions(engine) == []


def test_waiting_hours_are_working_hours_across_the_daylight_saving_change(site):
    built, server, engine = site
    built.person("alice", "coop-a", volunteer=True)
    built.helped("alice", "campus", "2026-02-02 10:00")
    # Friday 27 March 10:00 CET: 10 h on Friday, 13 h on Monday 30 (CEST) = 23 h by Monday 20:00
    built.question("asker", "campus", "2026-03-27 10:00", "Question juste avant le changement")

    monday = sync_and_relay(server, engine, paris("2026-03-30 19:30"))
    assert monday.plan.skipped["waiting"] == 1 and monday.plan.suggestions == []
    tuesday = sync_and_relay(server, engine, paris("2026-03-31 08:30"))  # 24.5 working hours
    assert len(tuesday.plan.suggestions) == 1


def test_those_who_helped_least_recently_are_asked_first(site):
    built, server, engine = site
    built.person("busy", "coop-a", volunteer=True)
    built.person("calm", "coop-a", volunteer=True)
    built.helped("busy", "campus", "2026-02-02 10:00")
    built.helped("calm", "campus", "2026-02-02 11:00")
    built.helped("busy", "coop-a/entraide", "2026-03-04 10:00")  # helped again last week
    first = built.question("asker", "campus", "2026-03-05 09:00", "Première question ouverte")
    second = built.question("asker", "campus", "2026-03-06 09:00", "Deuxième question ouverte")

    outcome = sync_and_relay(server, engine, TUESDAY, per_question=1)

    calm, busy = built.users["calm"].id, built.users["busy"].id
    assert outcome.plan.suggestions == [(first.id, [calm]), (second.id, [busy])]


def test_tag_knowledge_comes_before_category_knowledge(site):
    built, server, engine = site
    built.person("generalist", "coop-a", volunteer=True)
    built.person("taxes", "coop-a", volunteer=True)
    built.helped("generalist", "campus", "2026-01-05 10:00")
    built.helped("taxes", "campus", "2026-02-20 10:00", tags=("tva",))
    question = built.question("asker", "campus", "2026-03-06 09:00", "TVA sur acompte", ("tva",))

    outcome = sync_and_relay(server, engine, TUESDAY, per_question=1)

    assert outcome.plan.suggestions == [(question.id, [built.users["taxes"].id])]


def test_a_question_is_suggested_once(site):
    built, server, engine = site
    built.person("alice", "coop-a", volunteer=True)
    built.helped("alice", "campus", "2026-02-02 10:00")
    built.question("asker", "campus", "2026-03-06 09:00", "Une seule suggestion")

    sync_and_relay(server, engine, TUESDAY)
    again = sync_and_relay(server, engine, paris("2026-03-10 11:00"))

    assert again.plan.suggestions == [] and again.plan.skipped["already_suggested"] == 1
    assert len(built.private_messages_to("alice")) == 1


def test_dry_run_sends_and_writes_nothing_but_names_who_would_be_asked(site):
    built, server, engine = site
    built.person("alice", "coop-a", volunteer=True)
    built.helped("alice", "campus", "2026-02-02 10:00")
    built.question("asker", "campus", "2026-03-06 09:00", "Question en simulation")
    server.sandbox.counters.reset()

    outcome = sync_and_relay(server, engine, TUESDAY, dry_run=True)

    assert "alice" in outcome.describe()
    assert built.private_messages_to("alice") == [] and suggestions(engine) == []
    writes = server.sandbox.counters.snapshot()["writes"]
    assert writes == 0


def test_a_volunteer_who_left_the_group_is_not_asked_even_before_a_sync(site):
    built, server, engine = site
    built.person("alice", "coop-a", volunteer=True)
    built.person("bob", "coop-a", volunteer=True)
    built.helped("alice", "campus", "2026-02-02 10:00")
    built.helped("bob", "campus", "2026-02-01 10:00")
    sync_and_relay(server, engine, paris("2026-03-02 10:00"))  # mirror knows both volunteers
    built.question("asker", "campus", "2026-03-06 09:00", "Question après un départ")
    api = make_api(server.url, server.api_key)
    api.remove_group_members_by_id(built.groups["campus-relais"].id, ["bob"])

    outcome = sync_and_relay(server, engine, TUESDAY)

    assert [users for _, users in outcome.plan.suggestions] == [[built.users["alice"].id]]
    assert built.private_messages_to("bob") == []


def test_opted_out_volunteers_are_not_asked(site):
    built, server, engine = site
    built.person("alice", "coop-a", "campus-optout", volunteer=True)
    built.helped("alice", "campus", "2026-02-02 10:00")
    built.question("asker", "campus", "2026-03-06 09:00", "Question sans volontaire")

    outcome = sync_and_relay(server, engine, TUESDAY)

    assert outcome.plan.skipped["no_volunteer"] == 1 and outcome.sent == 0


def test_the_message_links_the_question_says_how_to_stop_and_mentions_nobody(site):
    built, server, engine = site
    built.person("alice", "coop-a", volunteer=True)
    built.helped("alice", "campus", "2026-02-02 10:00")
    question = built.question("asker", "campus", "2026-03-06 09:00", "Aide @everyone http://x.io")

    sync_and_relay(server, engine, TUESDAY)

    (message,) = built.private_messages_to("alice")
    raw = built.forum.posts[message.post_ids[0]].raw
    assert f"/t/{question.id}" in raw and "/g/campus-relais" in raw
    assert "@everyone" not in raw and "http://x.io" not in raw


def test_json_output_has_counts_and_topic_ids_only(site):
    built, server, engine = site
    built.person("alice", "coop-a", volunteer=True)
    built.helped("alice", "campus", "2026-02-02 10:00")
    question = built.question("asker", "campus", "2026-03-06 09:00", "Question pour le JSON")

    data = sync_and_relay(server, engine, TUESDAY).as_json()

    assert data["suggested"] == [{"topic_id": question.id, "volunteers": 1}]
    assert {"deferred", "skipped", "requests"} <= set(data)
    assert "alice" not in str(data)


def test_suggestions_are_recorded_on_postgresql_too(db_url, tmp_path):
    built = RelayForum()
    built.person("asker", "coop-a")
    built.person("alice", "coop-a", volunteer=True)
    built.helped("alice", "coop-a/entraide", "2026-02-02 10:00", tags=("devis",))
    question = built.question("asker", "coop-a/entraide", "2026-03-06 09:00", "Devis", ("devis",))
    with SandboxServer(built.forum, rate_limit_per_minute=0) as server:
        engine = connect(db_url)
        try:
            sync_and_relay(server, engine, TUESDAY)
            with engine.connect() as conn:
                count = conn.execute(select(func.count()).select_from(RelaySuggestion)).scalar()
            assert count == 1
            assert suggestions(engine) == [(question.id, built.users["alice"].id)]
        finally:
            engine.dispose()


def test_a_volunteer_who_refuses_private_messages_does_not_stop_the_others(site):
    built, server, engine = site
    built.person("alice", "coop-a", volunteer=True)
    built.person("closed", "coop-a", volunteer=True)
    built.helped("alice", "campus", "2026-02-02 10:00")
    built.helped("closed", "campus", "2026-02-01 10:00")
    built.question("asker", "campus", "2026-03-06 09:00", "Question pour deux volontaires")
    built.forum.users[built.users["closed"].id].username = "gone-meanwhile"  # 422 from Discourse

    outcome = sync_and_relay(server, engine, TUESDAY)

    assert (outcome.sent, outcome.refused) == (1, 1)
    assert suggestions(engine) == [(outcome.plan.suggestions[0][0], built.users["alice"].id)]
