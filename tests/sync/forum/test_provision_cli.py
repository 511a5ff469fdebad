"""`campus provision` and `campus members` refuse bad files before any request (exit 2)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import responses

from tests.conftest import run_campus

FIXTURES = Path(__file__).parents[1] / "fixtures"
KEY = "k3y-that-must-never-show"

BAD_COOPERATIVES = {
    "bad slug": ("slug,name\nCoop_A,Alpha\n", ":2: slug « Coop_A » invalide"),
    "duplicate slug": (
        "slug,name\ncoop-a,Alpha\ncoop-a,Beta\n",
        ":3: slug « coop-a » déjà utilisé",
    ),
    "missing name": ("slug,name\ncoop-a,\n", ":2: nom manquant"),
    "bad colour": ("slug,name,color\ncoop-a,Alpha,bleu\n", ":2: couleur « bleu » invalide"),
    "column count": ("slug,name\ncoop-a,Alpha,extra\n", ":2: 3 colonne(s) au lieu de 2"),
    "missing column": ("slug\ncoop-a\n", ":1: colonne(s) absente(s) de l'en-tête : name"),
}
BAD_ROSTER = {
    "unknown cooperative": (
        "username,email,cooperative,role\nmarie,,coop-zz,appui\n",
        ":2: coopérative « coop-zz » inconnue",
    ),
    "unknown role": (
        "username,email,cooperative,role\nmarie,,coop-alpha,boss\n",
        ":2: rôle « boss » inconnu",
    ),
    "no username nor email": (
        "username,email,cooperative,role\n,,coop-alpha,appui\n",
        ":2: ni nom d'utilisateur ni e-mail",
    ),
    "malformed": (
        'username,email,cooperative,role\nmarie,"m@x.org,coop-alpha,appui\n',
        ":2: ligne CSV illisible",
    ),
}


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A campus.toml pointing at an unreachable forum and the good example files."""
    (tmp_path / "campus.toml").write_text('[discourse]\nurl = "http://forum.invalid"\n')
    shutil.copy(FIXTURES / "cooperatives.csv", tmp_path / "cooperatives.csv")
    shutil.copy(FIXTURES / "roster.csv", tmp_path / "roster.csv")
    return tmp_path


def run(workdir: Path, *args: str):
    """Run the CLI while `responses` refuses any HTTP request; return (result, requests sent)."""
    env = {"CAMPUS_DISCOURSE_API_KEY": KEY}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        result = run_campus("--config", str(workdir / "campus.toml"), *args, env=env)
        return result, len(mock.calls)


@pytest.mark.parametrize("command", ["provision", "members"])
@pytest.mark.parametrize("case", sorted(BAD_COOPERATIVES))
def test_bad_cooperatives_file_exits_2_with_file_line_and_reason(workdir, command, case):
    text, expected = BAD_COOPERATIVES[case]
    (workdir / "cooperatives.csv").write_text(text, encoding="utf-8")
    result, requests = run(workdir, command)
    assert (result.exit_code, requests) == (2, 0)
    assert f"{workdir / 'cooperatives.csv'}{expected}" in result.output


@pytest.mark.parametrize("case", sorted(BAD_ROSTER))
def test_bad_roster_exits_2_with_file_line_and_reason(workdir, case):
    text, expected = BAD_ROSTER[case]
    (workdir / "roster.csv").write_text(text, encoding="utf-8")
    result, requests = run(workdir, "members")
    assert (result.exit_code, requests) == (2, 0)
    assert f"{workdir / 'roster.csv'}{expected}" in result.output


def test_file_in_wrong_encoding_exits_2_and_says_how_to_re_export(workdir):
    (workdir / "roster.csv").write_bytes(
        "username,email,cooperative,role\nhélène,,coop-alpha,appui\n".encode("cp1252")
    )
    result, requests = run(workdir, "members", "--dry-run")
    assert (result.exit_code, requests) == (2, 0)
    assert f"{workdir / 'roster.csv'}:2: le fichier n'est pas en UTF-8" in result.output
    assert "CSV UTF-8" in result.output


def test_missing_api_key_exits_2_after_the_files_are_checked(workdir):
    config = str(workdir / "campus.toml")
    result = run_campus("--config", config, "provision", env={"CAMPUS_DISCOURSE_API_KEY": ""})
    assert result.exit_code == 2
    assert "CAMPUS_DISCOURSE_API_KEY" in result.output
