"""`campus relay` and `campus digest` from the command line: outputs, exit codes, bad input."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sandbox.server import SandboxServer
from tests.conftest import SANDBOX_TEST_KEY, run_campus
from tests.support.relay_forum import RelayForum


@pytest.fixture
def run(tmp_path, monkeypatch):
    """`campus …` against a hand-built forum with one volunteer and two solved questions."""
    built = RelayForum()
    built.person("asker", "coop-a")
    built.person("alice", "coop-a", volunteer=True)
    built.helped("alice", "campus", "2026-02-02 10:00", how="accepted")
    built.helped("alice", "coop-a/entraide", "2026-02-03 10:00", how="accepted")
    with SandboxServer(built.forum, api_key=SANDBOX_TEST_KEY, rate_limit_per_minute=0) as server:
        (tmp_path / "campus.toml").write_text(
            "[discourse]\nrequests_per_minute = 0\n[sync]\nreconcile_days = 3650\n",
            encoding="utf-8",
        )
        monkeypatch.setenv("CAMPUS_DISCOURSE_URL", server.url)
        monkeypatch.setenv("CAMPUS_DISCOURSE_API_KEY", SANDBOX_TEST_KEY)
        monkeypatch.setenv("CAMPUS_DATABASE_URL", f"sqlite:///{tmp_path / 'campus.db'}")
        monkeypatch.setenv("CAMPUS_LANG", "fr")

        def invoke(*args: str):
            result = run_campus("--config", str(tmp_path / "campus.toml"), *args)
            assert SANDBOX_TEST_KEY not in result.output
            return result

        invoke("sync")
        yield invoke, built


def test_relay_json_is_one_object_without_names(run):
    invoke, _built = run
    result = invoke("relay", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"suggested", "deferred", "skipped", "requests"} <= set(data)
    assert "alice" not in result.stdout


def test_relay_dry_run_says_nothing_was_sent(run):
    invoke, built = run
    result = invoke("relay", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "rien n'a été écrit" in result.stdout
    assert built.private_messages_to("alice") == []


def test_relay_without_the_volunteers_group_says_to_provision(run):
    invoke, built = run
    with built.forum.lock:
        del built.forum.groups[built.groups["campus-relais"].id]
    result = invoke("relay")
    assert result.exit_code == 1
    assert "campus provision" in result.output and "Traceback" not in result.output


def test_digest_prints_the_markdown_of_the_network(run):
    invoke, _built = run
    result = invoke("digest", "--month", "2026-02")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Ce que le réseau a appris — février 2026")
    assert "1 question résolue" in result.stdout


def test_digest_publish_creates_then_updates_one_topic(run):
    invoke, built = run
    first = invoke("digest", "--month", "2026-02", "--publish")
    second = invoke("digest", "--month", "2026-02", "--publish")
    assert (first.exit_code, second.exit_code) == (0, 0)
    assert "publié" in first.stdout and "mis à jour" in second.stdout
    titles = [topic.title for topic in built.forum.topics.values()]
    assert titles.count("Ce que le réseau a appris — février 2026") == 1


def test_a_cooperative_digest_goes_to_its_own_category(run):
    invoke, built = run
    result = invoke("digest", "--month", "2026-02", "--coop", "coop-a", "--publish")
    assert result.exit_code == 0, result.output
    topic = next(t for t in built.forum.topics.values() if t.title.startswith("Ce que coop-a"))
    assert topic.category_id == built.categories["coop-a"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--month", "2026-13"), "Mois « 2026-13 » invalide"),
        (("--month", "2999-01"), "n'a pas commencé"),
        (("--month", "2026-02", "--coop", "nowhere"), "Coopérative « nowhere » inconnue"),
    ],
)
def test_digest_bad_input_exits_2_with_the_reason(run, args, expected):
    invoke, _built = run
    result = invoke("digest", *args)
    assert result.exit_code == 2
    assert expected in result.output and "Traceback" not in result.output


def test_the_worker_runs_relay_and_the_digest(run):
    invoke, _built = run
    result = invoke("worker", "--once")
    lines = result.output.splitlines()
    assert any(line.startswith("relay : réussi") for line in lines), result.output
    assert any(line.startswith("digest : réussi") for line in lines), result.output


def test_the_current_month_is_marked_provisional(run):
    invoke, _built = run
    result = invoke("digest", "--month", datetime.now(ZoneInfo("Europe/Paris")).strftime("%Y-%m"))
    assert result.exit_code == 0, result.output
    assert "récapitulatif provisoire" in result.stdout


@pytest.mark.parametrize(
    "command",
    [
        ("digest", "--month", "2026-02"),
        ("report", "--month", "2026-02", "--partial"),
        ("score", "--period", "2026-02"),
    ],
)
def test_an_unknown_cooperative_gets_one_message_with_the_near_match(run, command, tmp_path):
    invoke, _built = run

    result = invoke(*command, "--coop", "coop-aa")

    assert result.exit_code == 2, result.output
    assert "Coopérative « coop-aa » inconnue : vouliez-vous dire « coop-a » ?" in result.output
    assert "coop-b" not in result.output  # never the list of every slug
    assert "Traceback" not in result.output
