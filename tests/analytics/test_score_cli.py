"""`campus score` usage errors and an empty mirror, without any forum."""

from __future__ import annotations

import pytest

from tests.conftest import run_campus


@pytest.fixture
def campus(tmp_path, monkeypatch):
    monkeypatch.setenv("CAMPUS_DATABASE_URL", f"sqlite:///{tmp_path / 'campus.db'}")
    (tmp_path / "campus.toml").write_text("", encoding="utf-8")

    def run(*args: str):
        return run_campus("--config", str(tmp_path / "campus.toml"), *args)

    return run


def test_bad_period_exits_2_with_the_accepted_forms(campus, tmp_path):
    result = campus("score", "--period", "mars")
    assert result.exit_code == 2
    assert "AAAA-MM" in result.stderr
    assert not (tmp_path / "campus.db").exists()


@pytest.mark.parametrize("flag", ["--by-theme", "--by-category"])
def test_apply_with_by_theme_is_refused(campus, flag):
    result = campus("score", flag, "--apply")
    assert result.exit_code == 2
    assert "--by-theme" in result.stderr


def test_an_unknown_user_exits_2(campus):
    result = campus("score", "--user", "personne")
    assert result.exit_code == 2
    assert "personne" in result.stderr


def test_empty_mirror_says_there_is_nothing_to_count(campus):
    result = campus("score", "--period", "all")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Aucune contribution à compter sur cette période."


def test_empty_mirror_json_is_an_empty_list(campus):
    assert campus("score", "--format", "json").stdout.strip() == "[]"


def test_negative_weight_in_campus_toml_exits_2(campus, tmp_path):
    (tmp_path / "campus.toml").write_text("[score]\nreply = -2\n", encoding="utf-8")
    result = campus("score")
    assert result.exit_code == 2
    assert "[score] reply = -2.0" in result.stderr
