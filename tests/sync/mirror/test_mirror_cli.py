"""`campus sync --json` and `campus stats --json` end to end against the sandbox."""

from __future__ import annotations

import json
import re

import pytest

from sync.mirror.pull import SyncSummary, format_summary
from tests.conftest import SANDBOX_TEST_KEY

pytestmark = pytest.mark.integration


def test_sync_json_is_the_design_summary(campus_cli):
    result = campus_cli("sync", "--json")

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert {"requests", "users", "topics", "posts", "likes", "solutions", "seconds"} <= set(summary)
    assert set(summary["posts"]) == {"new", "updated", "deleted"}
    assert summary["requests"] == sum(summary["requests_by_endpoint"].values())


def test_stats_after_sync_match_the_forum(campus_cli, sandbox_server):
    campus_cli("sync")

    stats = json.loads(campus_cli("stats", "--json").stdout)

    assert stats.pop("last_sync") is not None
    assert stats.pop("last_webhook") is None  # no webhook event came
    assert stats == sandbox_server.state.truth()


def test_sync_summary_in_french_and_no_key_anywhere(campus_cli):
    result = campus_cli("sync")

    assert "requêtes en" in result.output
    assert SANDBOX_TEST_KEY not in result.output


def test_sync_shows_its_progress_on_stderr_and_the_summary_alone_on_stdout(campus_cli):
    result = campus_cli("-v", "sync", "--json")

    assert result.exit_code == 0, result.output
    progress = result.stderr.splitlines()
    pages = [line for line in progress if line.startswith("Messages : page ")]
    assert pages, result.stderr
    assert all(re.fullmatch(r"Messages : page \d+, \d+ .*\(\d+ requêtes\)\.", p) for p in pages)
    assert any(line.startswith("Groupes : ") for line in progress)
    assert any(line.startswith("Sujets : page 1, ") for line in progress)
    assert progress[-1].startswith("Synchronisation terminée en ")
    assert json.loads(result.stdout)["requests"] > 0


@pytest.mark.parametrize("pasted", ["{key}\r\n", " {key}", "{key}\n"])
def test_sync_accepts_a_key_pasted_with_a_stray_line_break_or_space(
    campus_cli, monkeypatch, pasted
):
    monkeypatch.setenv("CAMPUS_DISCOURSE_API_KEY", pasted.format(key=SANDBOX_TEST_KEY))
    result = campus_cli("sync", "--json")
    assert result.exit_code == 0, result.output
    assert SANDBOX_TEST_KEY not in result.output


def test_worker_once_with_a_stray_line_break_never_prints_the_key(campus_cli, monkeypatch):
    monkeypatch.setenv("CAMPUS_DISCOURSE_API_KEY", SANDBOX_TEST_KEY + "\r\n")
    result = campus_cli("worker", "--once")
    assert SANDBOX_TEST_KEY not in result.output
    assert "sync : réussi" in result.output, result.output


@pytest.mark.parametrize("value", ["sandbox\r\n-test-key", "sandbox test-key-long", "short"])
def test_a_key_with_an_inner_break_or_too_short_is_refused(campus_cli, monkeypatch, value):
    monkeypatch.setenv("CAMPUS_DISCOURSE_API_KEY", value)
    result = campus_cli("sync")
    assert result.exit_code == 2
    assert "CAMPUS_DISCOURSE_API_KEY" in result.output
    assert "sandbox" not in result.output and "short" not in result.output
    assert "Traceback" not in result.output


def test_the_summary_gives_each_count_its_plural_in_the_members_words(monkeypatch):
    monkeypatch.setenv("CAMPUS_LANG", "fr")
    summary = SyncSummary(
        requests=1, seconds=0.25, users=1, topics=0, posts_new=2, posts_updated=1, likes=3
    )

    text = format_summary(summary)

    assert text.startswith("1 requête en 0,2 s. 1 membre nouveau ou modifié ;")
    assert "0 sujet nouveau ou modifié" in text and "2 nouveaux, 1 modifié, 0 supprimé" in text
    assert "Comptes" not in text and "0 solution changée." in text
