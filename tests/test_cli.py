"""Configuration loading and `campus init` (DESIGN §2)."""

from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from sync.inputs import read_roster
from sync.provision import load_cooperatives

KEY = "k3y-that-must-never-show"


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(cli.main, list(args), env={"CAMPUS_LANG": "fr", **(env or {})})


def test_init_writes_a_config_that_loads_to_the_defaults(tmp_path: Path):
    result = run("init", str(tmp_path))
    assert result.exit_code == 0, result.output
    config = cli.load_config(tmp_path / "campus.toml", environ={})
    for name, cls in cli.SECTIONS.items():
        assert config[name] == cls(), name


def test_init_example_files_are_valid_input(tmp_path: Path):
    run("init", str(tmp_path))
    template = cli.load_config(tmp_path / "campus.toml", environ={})["template"]
    cooperatives = load_cooperatives(tmp_path / "cooperatives.csv", template)
    roster = read_roster(tmp_path / "roster.csv", cooperatives)
    assert (len(cooperatives), len(roster)) == (2, 3)


def test_init_never_overwrites(tmp_path: Path):
    (tmp_path / "roster.csv").write_text("mine")
    result = run("init", str(tmp_path))
    assert result.exit_code == 2
    assert "roster.csv" in result.output
    assert (tmp_path / "roster.csv").read_text() == "mine"
    assert not (tmp_path / "campus.toml").exists()


def test_broken_toml_names_file_and_line(tmp_path: Path):
    path = tmp_path / "campus.toml"
    path.write_text('[discourse]\nurl = "https://f.example.org"\nrequests_per_minute = = 3\n')
    with pytest.raises(cli.InputError) as error:
        cli.load_config(path, environ={})
    assert str(path) in str(error.value)
    assert "line 3" in str(error.value)


def test_unknown_key_is_refused_with_the_known_keys(tmp_path: Path):
    path = tmp_path / "campus.toml"
    path.write_text("[discourse]\nrequest_per_minute = 30\n")
    with pytest.raises(cli.InputError) as error:
        cli.load_config(path, environ={})
    message = str(error.value)
    assert str(path) in message
    assert "request_per_minute" in message and "requests_per_minute" in message


def test_wrong_type_names_section_key_and_expected_type(tmp_path: Path):
    path = tmp_path / "campus.toml"
    path.write_text('[score]\nreply = "deux"\n')
    with pytest.raises(cli.InputError) as error:
        cli.load_config(path, environ={})
    assert "[score] reply" in str(error.value)
    assert "nombre" in str(error.value)


def test_missing_key_of_a_nested_table_is_named_in_french(tmp_path: Path):
    path = tmp_path / "campus.toml"
    path.write_text('[[template.coop_subcategories]]\nname = "Entraide"\n')
    with pytest.raises(cli.InputError) as error:
        cli.load_config(path, environ={})
    message = str(error.value)
    assert f"{path} : [template.coop_subcategories[0]] clé « slug » manquante" in message
    assert "positional argument" not in message


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("requests_per_minute = -5", "[discourse] requests_per_minute = -5 : un nombre positif"),
        ("timeout = 0", "[discourse] timeout = 0.0 : un nombre strictement positif"),
        ("max_retries = -1", "[discourse] max_retries = -1 : un nombre positif"),
    ],
)
def test_out_of_range_value_exits_2_naming_file_and_key(tmp_path: Path, line, expected):
    path = tmp_path / "campus.toml"
    path.write_text(f"[discourse]\n{line}\n")
    result = run("--config", str(path), "doctor", env={"CAMPUS_DISCOURSE_API_KEY": KEY})
    assert result.exit_code == 2
    assert f"{path} : {expected}" in result.output


def test_api_key_in_file_is_refused_without_echoing_it(tmp_path: Path):
    path = tmp_path / "campus.toml"
    path.write_text(f'[discourse]\napi_key = "{KEY}"\n')
    with pytest.raises(cli.InputError) as error:
        cli.load_config(path, environ={})
    assert str(path) in str(error.value)
    assert "CAMPUS_DISCOURSE_API_KEY" in str(error.value)
    assert KEY not in str(error.value)


def test_environment_overrides_the_file(tmp_path: Path):
    path = tmp_path / "campus.toml"
    path.write_text('[discourse]\nurl = "https://file.example.org"\n')
    env = {
        "CAMPUS_DISCOURSE_URL": "https://env.example.org",
        "CAMPUS_DISCOURSE_API_KEY": KEY,
        "CAMPUS_DATABASE_URL": "postgresql+psycopg://db/campus",
    }
    config = cli.load_config(path, environ=env)
    assert config["discourse"].url == "https://env.example.org"
    assert config["discourse"].api_key == KEY
    assert config.database_url == "postgresql+psycopg://db/campus"
    assert KEY not in repr(config["discourse"])


def test_relative_sqlite_path_is_relative_to_the_config_file(tmp_path: Path):
    path = tmp_path / "campus.toml"
    path.write_text('[database]\nurl = "sqlite:///miroir.db"\n')
    config = cli.load_config(path, environ={})
    assert config.database_url == f"sqlite:///{tmp_path.resolve()}/miroir.db"


def test_bad_config_exits_2_with_the_message(tmp_path: Path):
    path = tmp_path / "campus.toml"
    path.write_text("[nope]\n")
    result = run("--config", str(path), "doctor")
    assert result.exit_code == 2
    assert "[nope]" in result.output


@pytest.mark.parametrize("command", [["report"], ["pulse", "status"]])
def test_unknown_time_zone_exits_2_naming_the_setting(tmp_path: Path, command: list[str]):
    path = tmp_path / "campus.toml"
    path.write_text('[network]\ntimezone = "Europe/Lutece"\n')
    result = run("--config", str(path), *command)
    assert result.exit_code == 2, result.output
    assert "« Europe/Lutece » inconnu" in result.output
    assert "[network] timezone" in result.output


def test_missing_api_key_exits_2_and_says_which_variable(tmp_path: Path):
    (tmp_path / "campus.toml").write_text("", encoding="utf-8")
    result = run("--config", str(tmp_path / "campus.toml"), "doctor")
    assert result.exit_code == 2
    assert "CAMPUS_DISCOURSE_API_KEY" in result.output


def test_a_named_config_file_must_exist(tmp_path: Path):
    missing = tmp_path / "campsu.toml"
    for args, env in (
        (["--config", str(missing)], {}),
        ([], {"CAMPUS_CONFIG": str(missing)}),
    ):
        result = run(*args, "stats", env=env)
        assert result.exit_code == 2
        assert f"{missing} : fichier de configuration introuvable" in result.output
    assert not (tmp_path / "campus.db").exists()


def test_without_a_named_file_the_default_may_be_absent(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("stats", "--json", env={"CAMPUS_DATABASE_URL": f"sqlite:///{tmp_path}/m.db"})
    assert result.exit_code == 0, result.output
