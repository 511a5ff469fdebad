"""`campus digest` against the sandbox: what appears, who is thanked, one wiki topic per month."""

from __future__ import annotations

import pytest

from app.digest import build_digest, publish_digest
from sandbox.server import SandboxServer
from sync.mirror.db import connect
from sync.mirror.pull import SyncOptions, sync_mirror
from tests.support.mirror import make_api
from tests.support.relay_forum import ANSWER, RelayForum, paris

MONTH = "2026-02"


@pytest.fixture
def site(db_url):
    """Solved questions of February: one in Campus, one in coop-a's restricted Entraide
    (on a SQLite file, then on PostgreSQL)."""
    built = RelayForum()
    built.person("asker", "coop-a")
    built.person("alice", "coop-a")
    built.person("discreet", "coop-a", "campus-optout")
    built.helped("alice", "campus", "2026-02-02 10:00", tags=("tva",), how="accepted")
    built.helped("discreet", "campus", "2026-02-03 10:00", how="accepted")
    secret = built.helped("alice", "coop-a/entraide", "2026-02-04 10:00", how="accepted")
    secret.title = "Un sujet interne à la coopérative A"
    built.helped("alice", "campus", "2026-01-20 10:00", how="accepted")  # January: not in
    with SandboxServer(built.forum, rate_limit_per_minute=0) as server:
        engine = connect(db_url)
        api = make_api(server.url, server.api_key)
        sync_mirror(engine, api, SyncOptions(reconcile_days=3650))
        yield built, server, engine, api
        engine.dispose()


def network_digest(server, engine, coop=None):
    return build_digest(
        engine,
        MONTH,
        tz="Europe/Paris",
        forum_url=server.url,
        optout_group="campus-optout",
        coop=coop,
    )


def test_restricted_categories_never_appear_in_the_network_digest(site):
    built, server, engine, _api = site

    digest = network_digest(server, engine)

    assert digest.questions == 2
    assert "interne" not in digest.markdown


def test_a_cooperative_digest_holds_its_own_restricted_questions(site):
    built, server, engine, _api = site

    digest = network_digest(server, engine, coop="coop-a")

    assert digest.questions == 1 and "interne" in digest.markdown


def test_questions_are_grouped_by_tag_else_category_and_link_their_accepted_answer(site):
    built, server, engine, _api = site

    markdown = network_digest(server, engine).markdown

    assert "## tva" in markdown and "## Campus" in markdown
    tagged = next(t for t in built.forum.topics.values() if t.tags == ["tva"])
    assert f"/t/{tagged.id}/2)" in markdown


def test_opted_out_helpers_are_not_named(site):
    built, server, engine, _api = site

    markdown = network_digest(server, engine).markdown

    assert "alice" in markdown and "discreet" not in markdown
    assert "1 autre personne" in markdown


def test_titles_and_names_go_back_escaped(site):
    built, server, engine, _api = site
    topic = next(t for t in built.forum.topics.values() if t.tags == ["tva"])
    topic.title = "Voir @everyone sur http://evil.example"
    sync_mirror(engine, make_api(server.url, server.api_key), SyncOptions(reconcile_days=3650))

    markdown = network_digest(server, engine).markdown

    assert "@everyone" not in markdown and "http://evil.example" not in markdown


def test_publishing_again_updates_the_same_wiki_topic(site):
    built, server, engine, api = site
    digest = network_digest(server, engine)

    first = publish_digest(api, engine, digest, "campus")
    second = publish_digest(api, engine, digest, "campus")

    assert first["action"] == "created" and second["action"] == "updated"
    assert first["topic_id"] == second["topic_id"]
    titles = [t.title for t in built.forum.topics.values()]
    assert titles.count(digest.title) == 1
    assert built.forum.posts[first["post_id"]].wiki


def test_the_title_says_the_month_in_words(site):
    _built, server, engine, _api = site

    assert network_digest(server, engine).title == "Ce que le réseau a appris — février 2026"


def test_a_retitled_digest_topic_is_found_by_its_stored_id_not_duplicated(site):
    built, server, engine, api = site
    digest = network_digest(server, engine)
    first = publish_digest(api, engine, digest, "campus")
    built.forum.topics[first["topic_id"]].title = "Ce que le réseau a appris — 2026-02"  # old style

    again = publish_digest(api, engine, digest, "campus")

    assert again["action"] == "updated" and again["topic_id"] == first["topic_id"]
    digests = [t for t in built.forum.topics.values() if "a appris" in t.title]
    assert len(digests) == 1


def test_a_question_accepted_in_july_is_in_julys_digest_though_answered_in_june(tmp_path):
    built = RelayForum()
    built.person("asker", "coop-a")
    built.person("alice", "coop-a")
    late = built.helped("alice", "campus", "2026-06-29 10:00", accepted="2026-07-04 09:00")
    late.title = "Une question acceptée en juillet"
    early = built.helped("alice", "campus", "2026-06-10 10:00")  # accepted in June below
    early.title = "Une question acceptée en juin"
    june_answer = built.forum.posts[early.post_ids[1]]
    built.forum.accept_answer(june_answer, built.users["asker"], at=june_answer.created_at)
    with SandboxServer(built.forum, rate_limit_per_minute=0) as server:
        engine = connect(f"sqlite:///{tmp_path / 'campus.db'}")
        summary = sync_mirror(
            engine, make_api(server.url, server.api_key), SyncOptions(reconcile_days=3650)
        )

        def digest(month):
            return build_digest(
                engine, month, tz="Europe/Paris", forum_url=server.url, optout_group="none"
            )

        july, june = digest("2026-07"), digest("2026-06")
        engine.dispose()

    assert summary.acceptances_dated == 2
    assert "acceptée en juillet" in july.markdown and "acceptée en juin" not in july.markdown
    assert "acceptée en juin" in june.markdown and "acceptée en juillet" not in june.markdown
    assert "au mois où sa réponse a été acceptée" in july.markdown and "¹" not in july.markdown


def test_a_solution_the_forum_does_not_date_is_dated_by_its_answer_and_the_digest_says_so(
    tmp_path,
):
    built = RelayForum()
    built.person("asker", "coop-a")
    built.person("alice", "coop-a")
    built.person("bruno", "coop-a")
    topic = built.helped("bruno", "campus", "2026-06-29 10:00", accepted="2026-07-01 09:00")
    answer = built.forum.create_post(
        built.users["alice"], topic, ANSWER, created_at=paris("2026-06-30 10:00")
    )
    # the Solved plugin logs no SOLVED user action when an answer replaces another one
    built.forum.accept_answer(answer, built.users["asker"], at=paris("2026-07-02 09:00"))
    with SandboxServer(built.forum, rate_limit_per_minute=0) as server:
        engine = connect(f"sqlite:///{tmp_path / 'campus.db'}")
        sync_mirror(engine, make_api(server.url, server.api_key), SyncOptions(reconcile_days=3650))
        june = build_digest(
            engine, "2026-06", tz="Europe/Paris", forum_url=server.url, optout_group="none"
        )
        engine.dispose()

    assert june.questions == 1
    assert f"/t/{topic.id}/{answer.post_number}) ¹" in june.markdown
    assert "¹ 1 question datée par sa réponse" in june.markdown
