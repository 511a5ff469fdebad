"""`campus relay` from the first day (issue 21): volunteers with no helpful reply yet in a
question's theme are asked when nobody who knows it is free, and every question left out is
counted by reason. Real HTTP against the sandbox, a real SQLite mirror."""

from __future__ import annotations

import pytest

from sandbox.server import SandboxServer
from sync.mirror.db import connect
from tests.support.relay_forum import RelayForum, paris, sync_and_relay

TUESDAY = paris("2026-03-10 10:00")  # a working hour; the questions below are due by then


@pytest.fixture
def site(tmp_path):
    """The forum, its sandbox server and an empty SQLite mirror."""
    built = RelayForum()
    built.person("asker", "coop-a")
    with SandboxServer(built.forum, rate_limit_per_minute=0) as server:
        engine = connect(f"sqlite:///{tmp_path / 'campus.db'}")
        yield built, server, engine
        engine.dispose()


def test_six_questions_six_new_volunteers_are_all_relayed(site):
    # the report of issue 21: a new forum, nobody has helped yet → "no_volunteer": 6
    built, server, engine = site
    for number in range(6):
        built.person(f"v{number}", "coop-a", volunteer=True)
    for number, day in enumerate(("02-26", "02-27", "03-02", "03-03", "03-04", "03-05")):
        built.question("asker", "coop-a/entraide", f"2026-{day} 08:00", f"Question {number} ici")

    outcome = sync_and_relay(server, engine, TUESDAY)

    assert len(outcome.plan.suggestions) == 6
    assert "no_volunteer" not in outcome.plan.skipped
    assert all(len(users) == 2 for _, users in outcome.plan.suggestions)
    received = [len(built.private_messages_to(f"v{number}")) for number in range(6)]
    assert sum(received) == 12 and max(received) <= 3  # per_week holds for newcomers too


def test_a_new_volunteer_is_asked_and_told_why(site):
    built, server, engine = site
    built.person("newcomer", "coop-a", volunteer=True)
    question = built.question("asker", "campus", "2026-03-06 09:00", "Assurance pour un salon")

    outcome = sync_and_relay(server, engine, TUESDAY)

    assert outcome.plan.suggestions == [(question.id, [built.users["newcomer"].id])]
    (message,) = built.private_messages_to("newcomer")
    raw = built.forum.posts[message.post_ids[0]].raw
    assert "aucun·e volontaire qui connaît déjà son thème" in raw
    assert "où vous avez déjà aidé" not in raw


def test_a_question_in_an_entraide_created_today_is_relayed(site):
    built, server, engine = site
    built.person("alice", "coop-a", volunteer=True)
    built.helped("alice", "coop-a/entraide", "2026-02-02 10:00")  # knows Entraide, not coop-c's
    built.cooperative("coop-c")  # joined the network: its Entraide has no history at all
    built.person("claire", "coop-c")
    built.person("cyril", "coop-c", volunteer=True)
    question = built.question("claire", "coop-c/entraide", "2026-03-06 09:00", "Premier devis")

    outcome = sync_and_relay(server, engine, TUESDAY)

    assert outcome.plan.suggestions == [(question.id, [built.users["cyril"].id])]
    assert built.private_messages_to("alice") == []  # cannot read coop-c


def test_those_who_know_the_theme_come_first_while_they_are_free(site):
    built, server, engine = site
    built.person("expert", "coop-a", volunteer=True)
    built.person("newcomer", "coop-a", volunteer=True)
    built.helped("expert", "campus", "2026-02-02 10:00")
    first = built.question("asker", "campus", "2026-03-04 09:00", "Première question du réseau")
    second = built.question("asker", "campus", "2026-03-05 09:00", "Deuxième question du réseau")

    outcome = sync_and_relay(server, engine, TUESDAY, per_question=2, per_week=1)

    expert, newcomer = built.users["expert"].id, built.users["newcomer"].id
    # the expert alone for the first (nobody else knows the theme); once the expert is at the
    # weekly cap, the newcomer
    assert outcome.plan.suggestions == [(first.id, [expert]), (second.id, [newcomer])]
    assert outcome.plan.outside_theme == {second.id}


def test_outside_the_theme_the_least_recently_asked_come_first_then_least_recently_helped(site):
    built, server, engine = site
    for name in ("asked", "helped-lately", "helped-long-ago"):
        built.person(name, "coop-a", volunteer=True)
    # their help was in coop-a's Entraide; the second question is in Campus, another theme
    built.helped("asked", "coop-a/entraide", "2026-01-05 09:00")
    built.helped("helped-long-ago", "coop-a/entraide", "2026-01-20 10:00")
    built.helped("helped-lately", "coop-a/entraide", "2026-02-27 10:00")
    earlier = built.question("asker", "coop-a/entraide", "2026-02-26 08:00", "Question en Entraide")
    first = sync_and_relay(server, engine, paris("2026-03-02 09:00"), per_question=1)
    assert first.plan.suggestions == [(earlier.id, [built.users["asked"].id])]

    question = built.question("asker", "campus", "2026-03-06 09:00", "Question hors thème")
    outcome = sync_and_relay(server, engine, TUESDAY, per_question=2)

    # nobody knows Campus: the two never asked come before the one asked last week, the one
    # who helped longest ago first
    assert outcome.plan.suggestions == [
        (question.id, [built.users["helped-long-ago"].id, built.users["helped-lately"].id])
    ]
    assert outcome.plan.outside_theme == {question.id}


def test_caps_hold_for_volunteers_outside_the_theme(site):
    built, server, engine = site
    built.person("newcomer", "coop-a", volunteer=True)
    for day in range(2, 6):
        built.question("asker", "campus", f"2026-03-0{day} 08:00", f"Question numéro {day}")

    outcome = sync_and_relay(server, engine, TUESDAY, per_question=2, per_week=3)

    assert len(outcome.plan.suggestions) == 3
    assert outcome.plan.skipped["volunteers_busy"] == 1
    assert len(built.private_messages_to("newcomer")) == 3


def test_quiet_hours_hold_for_volunteers_outside_the_theme(site):
    built, server, engine = site
    built.person("newcomer", "coop-a", volunteer=True)
    built.question("asker", "campus", "2026-03-06 09:00", "Question du vendredi matin")

    night = sync_and_relay(server, engine, paris("2026-03-10 21:30"))
    saturday = sync_and_relay(server, engine, paris("2026-03-14 11:00"))

    assert night.plan.deferred == 1 and saturday.plan.deferred == 1
    assert built.private_messages_to("newcomer") == []


def test_every_question_left_out_is_counted_by_reason(site):
    built, server, engine = site
    built.person("alice", "coop-a", volunteer=True)
    built.person("bea", "coop-b")
    old = built.question("asker", "campus", "2026-01-05 09:00", "Question de janvier restée seule")
    built.question("asker", "campus", "2026-03-10 09:00", "Question de ce matin, trop tôt")
    closed = built.question("asker", "campus", "2026-03-05 09:00", "Question close sans réponse")
    built.forum.topics[closed.id].closed = True
    built.question("bea", "coop-b/entraide", "2026-03-05 09:00", "Question que nul ne peut lire")
    relayed = built.question("asker", "campus", "2026-03-06 09:00", "Question relayée aujourd'hui")
    answered = built.question("asker", "campus", "2026-03-06 10:00", "Question déjà répondue")
    built.forum.create_post(
        built.users["alice"], answered, "Une réponse déjà donnée par Alice, assez longue."
    )

    outcome = sync_and_relay(server, engine, TUESDAY)

    assert outcome.plan.suggestions == [(relayed.id, [built.users["alice"].id])]
    assert dict(outcome.plan.skipped) == {
        "too_old": 1,
        "waiting": 1,
        "closed": 1,
        "no_volunteer": 1,
    }
    assert outcome.as_json()["skipped"]["too_old"] == 1
    assert "trop anciennes" in outcome.summary()

    again = sync_and_relay(server, engine, paris("2026-03-10 11:00"))
    assert again.plan.skipped["already_suggested"] == 1 and again.plan.skipped["too_old"] == 1
    assert old.id not in {topic for topic, _ in again.plan.suggestions}
