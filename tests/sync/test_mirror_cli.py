"""`campus sync --json` and `campus stats --json` end to end against the sandbox."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

import cli
from tests.conftest import SANDBOX_TEST_KEY

pytestmark = pytest.mark.integration


@pytest.fixture
def campus(tmp_path, monkeypatch, sandbox_server):
    (tmp_path / "campus.toml").write_text(
        "[discourse]\nrequests_per_minute = 1000000\n[sync]\nreconcile_days = 3650\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CAMPUS_DISCOURSE_URL", sandbox_server.url)
    monkeypatch.setenv("CAMPUS_DISCOURSE_API_KEY", SANDBOX_TEST_KEY)
    monkeypatch.setenv("CAMPUS_DATABASE_URL", f"sqlite:///{tmp_path / 'campus.db'}")

    def run(*args: str):
        return CliRunner().invoke(cli.main, ["--config", str(tmp_path / "campus.toml"), *args])

    return run


def test_sync_json_is_the_design_summary(campus):
    result = campus("sync", "--json")

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert {"requests", "users", "topics", "posts", "likes", "solutions", "seconds"} <= set(summary)
    assert set(summary["posts"]) == {"new", "updated", "deleted"}
    assert summary["requests"] == sum(summary["requests_by_endpoint"].values())


def test_stats_after_sync_match_the_forum(campus, sandbox_server):
    campus("sync")

    stats = json.loads(campus("stats", "--json").stdout)

    assert stats.pop("last_sync") is not None
    assert stats == sandbox_server.state.truth()


def test_sync_summary_in_french_and_no_key_anywhere(campus):
    result = campus("sync")

    assert "requêtes en" in result.output
    assert SANDBOX_TEST_KEY not in result.output


def test_sync_shows_its_progress_on_stderr_and_the_summary_alone_on_stdout(campus):
    result = campus("-v", "sync", "--json")

    assert result.exit_code == 0, result.output
    progress = result.stderr.splitlines()
    pages = [line for line in progress if line.startswith("Messages : page ")]
    assert pages, result.stderr
    assert all(re.fullmatch(r"Messages : page \d+, \d+ .*\(\d+ requêtes\)\.", p) for p in pages)
    assert any(line.startswith("Groupes : ") for line in progress)
    assert any(line.startswith("Sujets : page 1, ") for line in progress)
    assert progress[-1].startswith("Synchronisation terminée en ")
    assert json.loads(result.stdout)["requests"] > 0
