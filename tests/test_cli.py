"""Configuration loading and `campus init` (DESIGN §2)."""

import re
import sqlite3
from pathlib import Path

import pytest

import app.sync
import cli
from sandbox.network import generate
from sync.forum.inputs import read_roster
from sync.forum.structure import load_cooperatives
from tests.conftest import run_campus

KEY = "k3y-that-must-never-show"


def test_init_writes_a_config_that_loads_to_the_defaults(tmp_path: Path):
    result = run_campus("init", str(tmp_path))
    assert result.exit_code == 0, result.output
    config = cli.load_config(tmp_path / "campus.toml", environ={})
    for name, cls in cli.SECTIONS.items():
        assert config[name] == cls(), name


def test_init_example_files_are_valid_input(tmp_path: Path):
    run_campus("init", str(tmp_path))
    template = cli.load_config(tmp_path / "campus.toml", environ={})["template"]
    cooperatives = load_cooperatives(tmp_path / "cooperatives.csv", template)
    roster = read_roster(tmp_path / "roster.csv", cooperatives)
    assert (len(cooperatives), len(roster)) == (2, 3)


def test_init_never_overwrites(tmp_path: Path):
    (tmp_path / "roster.csv").write_text("mine")
    result = run_campus("init", str(tmp_path))
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
        ("requests_per_minute = -5", "[discourse] requests_per_minute = -5 : une valeur ≥ 0 est"),
        ("timeout = 0", "[discourse] timeout = 0.0 : une valeur > 0 est attendue"),
        ("max_retries = -1", "[discourse] max_retries = -1 : une valeur ≥ 0 est"),
    ],
)
def test_out_of_range_value_exits_2_naming_file_and_key(tmp_path: Path, line, expected):
    path = tmp_path / "campus.toml"
    path.write_text(f"[discourse]\n{line}\n")
    result = run_campus("--config", str(path), "doctor", env={"CAMPUS_DISCOURSE_API_KEY": KEY})
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
    result = run_campus("--config", str(path), "doctor")
    assert result.exit_code == 2
    assert "[nope]" in result.output


@pytest.mark.parametrize("command", [["report"], ["pulse", "status"]])
def test_unknown_time_zone_exits_2_naming_the_setting(tmp_path: Path, command: list[str]):
    path = tmp_path / "campus.toml"
    path.write_text('[network]\ntimezone = "Europe/Lutece"\n')
    result = run_campus("--config", str(path), *command)
    assert result.exit_code == 2, result.output
    assert "« Europe/Lutece » inconnu" in result.output
    assert "[network] timezone" in result.output


def test_missing_api_key_exits_2_and_says_which_variable(tmp_path: Path):
    (tmp_path / "campus.toml").write_text("", encoding="utf-8")
    result = run_campus("--config", str(tmp_path / "campus.toml"), "doctor")
    assert result.exit_code == 2
    assert "CAMPUS_DISCOURSE_API_KEY" in result.output


def test_a_named_config_file_must_exist(tmp_path: Path):
    missing = tmp_path / "campsu.toml"
    for args, env in (
        (["--config", str(missing)], {}),
        ([], {"CAMPUS_CONFIG": str(missing)}),
    ):
        result = run_campus(*args, "stats", env=env)
        assert result.exit_code == 2
        assert f"{missing} : fichier de configuration introuvable" in result.output
    assert not (tmp_path / "campus.db").exists()


def test_without_a_named_file_the_default_may_be_absent(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_campus(
        "stats", "--json", env={"CAMPUS_DATABASE_URL": f"sqlite:///{tmp_path}/m.db"}
    )
    assert result.exit_code == 0, result.output


@pytest.mark.integration
def test_worker_once_prints_readable_lines_not_python_data(
    campus_cli, tmp_path: Path, frozen_clock
):
    (tmp_path / "cooperatives.csv").write_text(generate(1, "small").cooperatives_csv)
    result = campus_cli("worker", "--once")
    lines = result.output.splitlines()
    assert result.exit_code == 0, result.output
    seconds = r"\d+(,\d)? s"
    assert re.fullmatch(rf"sync : réussi \({seconds}\)\. \d+ requêtes en {seconds}\. .*", lines[0])
    assert re.fullmatch(
        rf"score : réussi \({seconds}\)\. \d+ personnes classées sur 30 jours → .*last30\.csv",
        lines[1],
    )
    assert re.fullmatch(
        rf"pulse\+report : réussi \({seconds}\)\. Baromètre .* Rapport écrit dans .*\."
        r" Aucun avis envoyé aux directions : \[web\] base_url n'est pas configurée .*\."
        r" Baromètre [a-zéû]+ \d{4} : 6 sujets d'annonce publiés, 0 déjà en place\.",
        lines[2],
    )


def directors_of(forum) -> dict[int, list[str]]:
    """The sandbox's directors (in the directions group and a cooperative's) and their slugs."""
    slugs = [coop.slug for coop in generate(1, "small").cooperatives]
    directors: dict[int, list[str]] = {}
    for user in forum.group_by_name("directions").members:
        for slug in slugs:
            if user in forum.group_by_name(slug).members:
                directors.setdefault(user, []).append(slug)
    return directors


@pytest.mark.integration
def test_the_worker_tells_each_director_once_a_month(
    campus_cli, sandbox_server, tmp_path: Path, frozen_clock
):
    (tmp_path / "cooperatives.csv").write_text(generate(1, "small").cooperatives_csv)
    with (tmp_path / "campus.toml").open("a", encoding="utf-8") as config:
        config.write('[web]\nbase_url = "https://campus.reseau-cae.coop/"\n')
    forum = sandbox_server.state
    directors = directors_of(forum)
    assert directors

    first = campus_cli("worker", "--once")
    again = campus_cli("worker", "--once")  # the month's jobs are done: they do not run again
    # a month job that failed after the notices went out runs again: nobody is told twice
    with sqlite3.connect(tmp_path / "campus.db") as database:
        database.execute("UPDATE worker_jobs SET done_period = NULL WHERE job = 'pulse+report'")
    retried = campus_cli("worker", "--once")

    assert first.exit_code == 0 and again.exit_code == 0, first.output + again.output
    assert f"{len(directors)} avis envoyés aux directions" in first.output
    assert "pulse+report" not in again.output and "avis" not in again.output
    assert retried.exit_code == 0, retried.output
    assert "0 avis envoyé aux directions" in retried.output
    assert f"déjà prévenues ce mois-ci : {len(directors)}" in retried.output
    notices = {
        topic.id: set(topic.allowed_user_ids) & directors.keys()
        for topic in forum.topics.values()
        if topic.is_private_message and topic.title.startswith("Vos rapports QVT")
    }
    told = sorted(user for users in notices.values() for user in users)
    assert told == sorted(directors)  # one message each over both runs, to directors only
    root = "https://campus.reseau-cae.coop/rapports/2026-10"
    for topic_id, (user,) in notices.items():
        raw = forum.posts[forum.topics[topic_id].post_ids[0]].raw
        assert f"{root}/reseau" in raw
        assert all(f"{root}/{slug}" in raw for slug in directors[user])


def test_click_help_is_french_by_default():
    result = run_campus("provision", "--help")
    assert result.exit_code == 0
    assert result.output.startswith("Usage : campus provision [OPTIONS]")
    assert "--help" in result.output and "Afficher ce message et quitter." in result.output


def test_click_option_errors_are_french_with_exit_2():
    result = run_campus("score", "--format", "x")
    assert result.exit_code == 2
    assert "Essayez « campus score --help » pour l'aide." in result.output
    assert (
        "Erreur : Valeur invalide pour '--format' : 'x' n'est pas l'une des valeurs"
        " 'table', 'csv', 'csv-fr', 'json'." in result.output
    )


def test_click_texts_are_english_with_campus_lang_en():
    result = run_campus("provision", "--bogus", env={"CAMPUS_LANG": "en"})
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == "Usage: campus provision [OPTIONS]"
    assert "Error: No such option '--bogus'." in result.output


def test_command_and_option_help_is_english_with_campus_lang_en():
    result = run_campus("provision", "--help", env={"CAMPUS_LANG": "en"})
    assert "Create and keep up to date the cooperatives' groups and categories" in result.output
    assert "show the plan without writing anything to the forum" in result.output


def test_every_help_text_has_its_english_translation():
    from core.i18n import help_texts, translations

    english = translations("en")
    missing = sorted(
        {text for _item, _attribute, text in help_texts(cli.main) if english.gettext(text) == text}
    )
    assert not missing, "aide sans traduction anglaise dans campus.po : " + "; ".join(missing)


def test_an_unexpected_error_is_one_scrubbed_line_not_a_traceback(tmp_path, monkeypatch):
    def broken(url):
        raise RuntimeError(f"header value {KEY!r} refused")

    monkeypatch.setattr(app.sync.mirror_stats, "database_stats", broken)
    (tmp_path / "campus.toml").write_text("")
    result = run_campus(
        "--config", str(tmp_path / "campus.toml"), "stats", env={"CAMPUS_DISCOURSE_API_KEY": KEY}
    )
    assert result.exit_code == 1
    assert KEY not in result.output
    assert "RuntimeError" in result.output and "***" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    ("lang", "sections"),
    [
        ("fr", ["Mise en place", "Copie du forum", "Entraide et reconnaissance"]),
        ("en", ["Getting started", "Copy of the forum", "Mutual aid and recognition"]),
    ],
)
def test_top_level_help_is_grouped_by_task_and_never_cut(lang, sections):
    result = run_campus("--help", env={"CAMPUS_LANG": lang, "COLUMNS": "80"})

    assert result.exit_code == 0
    commands = result.output.split("\n\n", 3)[3]  # after the usage, description and options
    assert "..." not in commands and "…" not in commands
    positions = [result.output.index(f"\n{title}:\n") for title in sections]
    assert positions == sorted(positions)
    for name in cli.main.commands:
        assert len(re.findall(rf"^  {name}\b", result.output, re.M)) == 1, name
    # the whole first sentence of a long help, wrapped rather than cut
    flattened = " ".join(result.output.split())
    if lang == "fr":
        assert (
            "Créer et tenir à jour groupes et catégories des coopératives (cooperatives.csv)."
            in flattened
        )
