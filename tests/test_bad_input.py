"""Bad input everywhere (DESIGN §13): a clear message, exit 2, nothing written, never a traceback.

Each case is a campus.toml (and environment, files) plus a command; the forum address points at a
port where nobody listens, so a setting that slipped through would end in exit 1, not 2.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import free_port, run_campus

KEY = "bad-input-k3y-0123456789abcdef"
COOPERATIVES = "slug,name,region,color\ncoop-alpha,Coopérative Alpha,Bretagne,\n"
ROSTER = "username,email,cooperative,role\nmarie,,coop-alpha,entrepreneur\n"
SUBCATEGORY = (
    '[[template.coop_subcategories]]\nname = "Entraide"\nslug = ""\naccepted_answers = true\n'
)

# (id, campus.toml body, extra environment, command line, what the message must name)
CASES = [
    ("url-without-scheme", '[discourse]\nurl = "127.0.0.1:8765"\n', {}, ["doctor"], "url"),
    ("url-ftp", '[discourse]\nurl = "ftp://x"\n', {}, ["doctor"], "ftp://x"),
    ("url-malformed", '[discourse]\nurl = "http://[::1"\n', {}, ["sync"], "http://[::1"),
    ("url-env", "", {"CAMPUS_DISCOURSE_URL": "127.0.0.1:8765"}, ["doctor"], "127.0.0.1:8765"),
    ("database-mysql", '[database]\nurl = "mysql://u@h/db"\n', {}, ["stats"], "mysql"),
    ("database-garbage", '[database]\nurl = "campus.db"\n', {}, ["sync"], "campus.db"),
    ("database-env", "", {"CAMPUS_DATABASE_URL": "oracle://x"}, ["stats"], "oracle"),
    ("timeout-nan", "[discourse]\ntimeout = nan\n", {}, ["doctor"], "timeout"),
    ("timeout-inf", "[discourse]\ntimeout = inf\n", {}, ["doctor"], "timeout"),
    (
        "role-groups-missing-a-role",
        '[template]\nrole_groups = { entrepreneur = "entrepreneurs", appui = "equipes-appui" }\n',
        {},
        ["provision", "--dry-run"],
        "direction",
    ),
    ("empty-subcategory-slug", SUBCATEGORY, {}, ["provision"], "slug"),
    ("reconcile-days-negative", "[sync]\nreconcile_days = -10\n", {}, ["sync"], "reconcile_days"),
    ("timezone-sync", '[network]\ntimezone = "Mars/Olympus"\n', {}, ["sync"], "Mars/Olympus"),
    ("timezone-worker", '[network]\ntimezone = "Mars/Olympus"\n', {}, ["worker", "--once"], "Mars"),
    ("timezone-stats", '[network]\ntimezone = "Mars/Olympus"\n', {}, ["stats"], "Mars/Olympus"),
    ("month-9999-12", "", {}, ["report", "--month", "9999-12"], "9999-12"),
    ("month-0000-01", "", {}, ["report", "--month", "0000-01"], "0000-01"),
    ("month-with-a-space", "", {}, ["report", "--month", " 2026-10"], "2026-10"),
    ("score-period-9999-12", "", {}, ["score", "--period", "9999-12"], "9999-12"),
    ("score-period-9999", "", {}, ["score", "--period", "9999"], "9999"),
    ("pulse-status-month-13", "", {}, ["pulse", "status", "--month", "2026-13"], "2026-13"),
    ("pulse-close-month-13", "", {}, ["pulse", "close", "--month", "2026-13"], "2026-13"),
    ("pulse-post-month-13", "", {}, ["pulse", "post", "--month", "2026-13"], "2026-13"),
]


def run_case(folder: Path, toml: str, environ: dict, args: list[str]):
    (folder / "campus.toml").write_text(
        f'[discourse]\nurl = "http://127.0.0.1:{free_port()}"\n' * ("[discourse]" not in toml)
        + toml,
        encoding="utf-8",
    )
    env = {
        "CAMPUS_DISCOURSE_API_KEY": KEY,
        "CAMPUS_DISCOURSE_URL": None,
        "CAMPUS_DATABASE_URL": None,
        **environ,
    }
    return run_campus("--config", str(folder / "campus.toml"), *args, env=env)


def files(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*")}


@pytest.mark.parametrize(
    ("toml", "environ", "args", "named"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_is_refused_with_a_message_and_nothing_written(
    tmp_path, toml, environ, args, named
):
    (tmp_path / "cooperatives.csv").write_text(COOPERATIVES, encoding="utf-8")
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    before = files(tmp_path) | {"campus.toml"}
    result = run_case(tmp_path, toml, environ, args)
    assert result.exit_code == 2, (result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert named in result.output
    assert "Traceback" not in result.output
    assert files(tmp_path) == before


@pytest.mark.parametrize("name", ["Coop\x00érative", "Coop\x07 Alpha"])
def test_a_control_character_in_a_cooperative_name_is_refused(tmp_path, name):
    (tmp_path / "cooperatives.csv").write_text(
        f"slug,name,region,color\ncoop-alpha,{name},Bretagne,\n", encoding="utf-8"
    )
    result = run_case(tmp_path, "", {}, ["provision", "--dry-run"])
    assert result.exit_code == 2, (result.output, result.exception)
    assert "cooperatives.csv:2" in result.output


def test_a_nul_character_in_a_roster_username_is_refused(tmp_path):
    (tmp_path / "cooperatives.csv").write_text(COOPERATIVES, encoding="utf-8")
    (tmp_path / "roster.csv").write_text(
        "username,email,cooperative,role\nma\x00rie,,coop-alpha,entrepreneur\n", encoding="utf-8"
    )
    result = run_case(tmp_path, "", {}, ["members", "--dry-run"])
    assert result.exit_code == 2, (result.output, result.exception)
    assert "roster.csv:2" in result.output


def test_a_directory_given_as_cooperatives_csv_exits_2(tmp_path):
    (tmp_path / "folder.csv").mkdir()
    result = run_case(tmp_path, '[network]\ncooperatives = "folder.csv"\n', {}, ["provision"])
    assert result.exit_code == 2, (result.output, result.exception)
    assert "folder.csv : ce n'est pas un fichier" in result.output
    assert "Erreur inattendue" not in result.output


@pytest.mark.parametrize("named", [False, True], ids=["default", "CAMPUS_CONFIG"])
def test_a_directory_named_campus_toml_exits_2(tmp_path, monkeypatch, named):
    (tmp_path / "campus.toml").mkdir()
    monkeypatch.chdir(tmp_path)
    config = str(tmp_path / "campus.toml") if named else None
    result = run_campus("stats", env={"CAMPUS_CONFIG": config, "CAMPUS_DISCOURSE_API_KEY": KEY})
    assert result.exit_code == 2, (result.output, result.exception)
    assert "campus.toml : ce n'est pas un fichier" in result.output


@pytest.mark.parametrize("host", ["a b", "999.1.1.1", "-1"])
def test_a_bad_host_for_serve_exits_2_and_writes_nothing(tmp_path, host):
    secrets = {
        "CAMPUS_WEB_SECRET": "w" * 32,
        "CAMPUS_DISCOURSE_CONNECT_SECRET": "c" * 32,
        "CAMPUS_WEBHOOK_SECRET": "h" * 32,
    }
    before = files(tmp_path) | {"campus.toml"}
    result = run_case(tmp_path, "", secrets, ["serve", "--host", host])
    assert result.exit_code == 2, (result.output, result.exception)
    assert f"« {host} »" in result.output and "--host" in result.output
    assert "Erreur inattendue" not in result.output
    assert files(tmp_path) == before


@pytest.mark.parametrize(
    "url",
    [
        "http://SECRETuser:SECRETpass@127.0.0.1:8765",
        "https://SECRETtoken@forum.example.org/",
        "http://SECRETuser:SECRETpass@[::1",
    ],
    ids=["user-and-password", "token", "malformed"],
)
def test_a_forum_url_with_userinfo_is_refused_and_never_printed(tmp_path, url):
    for toml, environ in (
        (f'[discourse]\nurl = "{url}"\n', {}),
        ("", {"CAMPUS_DISCOURSE_URL": url}),
    ):
        result = run_case(tmp_path, toml, environ, ["doctor"])
        assert result.exit_code == 2, (result.output, result.exception)
        assert "SECRET" not in result.output
        assert "[discourse] url" in result.output


def test_a_forum_url_with_a_query_is_refused(tmp_path):
    result = run_case(
        tmp_path, '[discourse]\nurl = "https://forum.example.org/?api_key=x"\n', {}, ["doctor"]
    )
    assert result.exit_code == 2, (result.output, result.exception)
    assert "[discourse] url" in result.output
