"""`campus migrate` and `campus backup` as an operator runs them, and the refusal every other
command gives a schema it would have to change."""

from __future__ import annotations

import re
import sqlite3
import stat
from pathlib import Path

import pytest

from sync.mirror import upgrade
from sync.mirror.db import connect, open_engine
from tests.conftest import run_campus
from tests.support.migrations import MISCHAINED_0007, build, seed, seeded

BACKUP_NAME = re.compile(r"campus-(\w+)-\d{8}T\d{6}Z\.backup")


@pytest.fixture
def old_mirror(db_url, tmp_path, monkeypatch):
    """A mirror stamped 0007 by a past merge (0001 → 0002 → 0007), with rows, in a folder that
    is the working directory (where campus.toml, absent here, would be)."""
    monkeypatch.chdir(tmp_path)
    engine = open_engine(db_url)
    build(engine, MISCHAINED_0007["after-0002"])
    seed(engine)
    engine.dispose()
    return db_url


def backup_folder(db_url: str, tmp_path: Path) -> Path:
    """Where the default backup goes: beside the SQLite file, else beside campus.toml."""
    return Path(db_url.removeprefix("sqlite:///")).parent if "sqlite" in db_url else tmp_path


def test_other_commands_refuse_an_old_schema_and_point_to_migrate(old_mirror):
    result = run_campus("stats", env={"CAMPUS_DATABASE_URL": old_mirror})
    assert result.exit_code == 2, result.output
    assert "est au schéma 0007" in result.output
    assert "« campus migrate »" in result.output and "Rien n'a été modifié" in result.output
    assert "Traceback" not in result.output


def test_migrate_backs_up_says_what_it_does_and_upgrades(old_mirror, tmp_path):
    result = run_campus("migrate", env={"CAMPUS_DATABASE_URL": old_mirror})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].endswith(f"schéma 0007, cette version attend {upgrade.head()}.")
    saved = Path(lines[1].split(" : ", 1)[1])
    assert lines[1].startswith("Sauvegarde écrite avant la mise à jour")
    assert saved.parent == backup_folder(old_mirror, tmp_path)
    assert BACKUP_NAME.fullmatch(saved.name).group(1) == "0007"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert "les étapes 0003, 0004, 0005, 0006 n'y ont jamais été appliquées" in lines[2]
    assert "Étape 0004_login_nonces appliquée (réparation)." in lines
    assert f"Schéma à jour : {upgrade.head()}." == lines[-1]
    if "sqlite" in old_mirror:  # the backup is the mirror as it was, before any change
        with sqlite3.connect(saved) as copy:
            assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == ("0007",)
    assert run_campus("stats", env={"CAMPUS_DATABASE_URL": old_mirror}).exit_code == 0
    engine = connect(old_mirror)
    assert seeded(engine) == ("Entraide", "camille")
    engine.dispose()
    again = run_campus("migrate", env={"CAMPUS_DATABASE_URL": old_mirror})
    assert again.output == f"La base est déjà au schéma {upgrade.head()} : rien à faire.\n"


def test_backup_writes_its_default_name_and_never_over_a_file(db_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    connect(db_url).dispose()
    result = run_campus("backup", env={"CAMPUS_DATABASE_URL": db_url})
    assert result.exit_code == 0, result.output
    written = Path(result.output.strip())
    assert written.parent == backup_folder(db_url, tmp_path)
    assert BACKUP_NAME.fullmatch(written.name).group(1) == upgrade.head()
    again = run_campus("backup", "--out", str(written), env={"CAMPUS_DATABASE_URL": db_url})
    assert again.exit_code == 2
    assert "ne remplace jamais un fichier" in again.output


def test_backup_of_a_database_that_does_not_exist_creates_nothing(tmp_path):
    database = tmp_path / "absent.db"
    result = run_campus("backup", env={"CAMPUS_DATABASE_URL": f"sqlite:///{database}"})
    assert result.exit_code == 2
    assert "la base n'existe pas, il n'y a rien à sauvegarder" in result.output
    assert list(tmp_path.iterdir()) == []
