"""Upgrading the mirror's schema (issue 23): from every revision, from the mis-chained 0007 of
the past merges, refused when newer or half-done, once when several processes start together;
every other opening refuses what it would have to change."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text

from core.errors import InputError
from sync.mirror import schema_check, upgrade
from sync.mirror.db import connect, open_engine
from tests.support.migrations import MISCHAINED_0007, build, build_at, seed, seeded

ROOT = Path(__file__).resolve().parents[3]
OLDER = list(upgrade.revisions())[:-1]


@pytest.fixture
def engine(db_url):
    engine = open_engine(db_url)
    yield engine
    engine.dispose()


def tables(engine) -> set[str]:
    with engine.connect() as connection:
        return set(inspect(connection).get_table_names())


def stamp(engine) -> str:
    with engine.connect() as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def test_the_migrations_build_exactly_what_schema_py_declares():
    built = upgrade.revision_shapes()[upgrade.head()]
    declared = upgrade.expected_shape()
    assert schema_check.compare(built, declared).ok
    assert schema_check.compare(declared, built).ok


def test_a_new_database_is_created_at_the_latest_revision(db_url):
    engine = connect(db_url)
    assert stamp(engine) == upgrade.head()
    assert upgrade.status_of(engine).state == upgrade.CURRENT
    engine.dispose()


@pytest.mark.parametrize("revision", OLDER)
def test_an_older_schema_is_refused_then_upgraded_with_its_rows(engine, db_url, revision):
    build_at(engine, revision)
    seed(engine)
    with pytest.raises(InputError, match="campus migrate"):
        connect(db_url)
    assert stamp(engine) == revision  # the refusal changed nothing
    saved, said = [], []
    outcome = upgrade.upgrade_mirror(
        engine, before_change=lambda status: saved.append(status.stored), report=said.append
    )
    assert saved == [revision]
    assert outcome.before == revision and outcome.after == upgrade.head()
    assert outcome.repaired == []
    assert said[-1] == f"Schéma à jour : {upgrade.head()}."
    assert seeded(engine) == ("Entraide", "camille")
    connect(db_url).dispose()  # opens without complaint now


@pytest.mark.parametrize("line", sorted(MISCHAINED_0007))
def test_a_mirror_stamped_0007_by_a_past_merge_is_refused_then_repaired(engine, db_url, line):
    build(engine, MISCHAINED_0007[line])
    seed(engine)
    assert stamp(engine) == "0007"
    assert "barometer_months" not in tables(engine)  # what made `pulse status` fail

    # the failure as reported: Alembic trusts the stamp, so its upgrade never creates the tables
    # of the revisions chained before 0007 later
    plain = open_engine(db_url)
    with plain.begin() as connection:
        command.upgrade(upgrade.alembic_config(connection), "0008")
    plain.dispose()
    assert {"webhook_events", "barometer_months"} - tables(engine)

    with pytest.raises(InputError, match="campus migrate"):
        connect(db_url)
    said: list[str] = []
    outcome = upgrade.upgrade_mirror(engine, report=said.append)
    skipped = [r for r in upgrade.revisions()[:7] if r not in MISCHAINED_0007[line]]
    assert outcome.repaired == skipped
    assert any("n'y ont jamais été appliquées" in line for line in said)
    assert {"webhook_events", "barometer_months", "login_nonces"} <= tables(engine)
    assert upgrade.status_of(engine).state == upgrade.CURRENT
    assert seeded(engine) == ("Entraide", "camille")
    with engine.connect() as connection:
        columns = {c["name"]: c["type"] for c in inspect(connection).get_columns("categories")}
    assert schema_check.column_kind(columns["name"]) == "text"  # 0003's wide names, on both
    connect(db_url).dispose()


def test_a_mirror_stamped_latest_but_lacking_a_table_is_refused_then_repaired(engine, db_url):
    connect(db_url).dispose()
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE revoked_sessions"))
    with pytest.raises(InputError, match="il lui manque : table revoked_sessions"):
        connect(db_url)
    outcome = upgrade.upgrade_mirror(engine)
    assert outcome.repaired == ["0011"]
    connect(db_url).dispose()


def test_a_revision_found_half_applied_is_refused_and_nothing_changes(engine, db_url):
    build(engine, MISCHAINED_0007["after-0005"])
    with engine.begin() as connection:  # 0006 half there: one of its five tables
        connection.execute(text("CREATE TABLE barometer_months (month VARCHAR(7) PRIMARY KEY)"))
    before = tables(engine)
    backups: list[str] = []
    with pytest.raises(InputError, match="l'étape 0006 n'y est pas comme elle l'a écrite"):
        upgrade.upgrade_mirror(engine, before_change=backups.append)
    assert backups == []  # refused before the backup: nothing to back up for
    assert tables(engine) == before and stamp(engine) == "0007"


def test_a_newer_schema_is_refused_by_migrate_and_by_every_command(engine, db_url):
    connect(db_url).dispose()
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    for attempt in (lambda: connect(db_url), lambda: upgrade.upgrade_mirror(engine)):
        with pytest.raises(InputError, match="ne ramène jamais une base à un schéma antérieur"):
            attempt()
    assert stamp(engine) == "0099"


def test_a_database_of_something_else_is_refused(engine, db_url):
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY)"))
    with pytest.raises(InputError, match="ce n'est pas une base de Campus"):
        connect(db_url)
    assert tables(engine) == {"invoices"}


def campus(tmp_path: Path, db_url: str, *args: str) -> subprocess.Popen:
    environment = {**os.environ, "CAMPUS_DATABASE_URL": db_url, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", "import cli; cli.main()", *args],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_three_processes_starting_at_once_on_an_empty_database_all_succeed(db_url, tmp_path):
    processes = [campus(tmp_path, db_url, "stats", "--json") for _ in range(3)]
    results = [process.communicate(timeout=240) for process in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], results
    engine = open_engine(db_url)
    assert upgrade.status_of(engine).state == upgrade.CURRENT
    engine.dispose()


def test_three_migrates_at_once_upgrade_once_with_one_backup(engine, db_url, tmp_path):
    build(engine, MISCHAINED_0007["after-0002"])
    engine.dispose()
    processes = [campus(tmp_path, db_url, "migrate") for _ in range(3)]
    results = [process.communicate(timeout=240) for process in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], results
    outputs = [out for out, _err in results]
    assert sum("Schéma à jour" in out for out in outputs) == 1, outputs
    assert sum("rien à faire" in out for out in outputs) == 2, outputs
    backups = list(tmp_path.glob("campus-0007-*.backup"))
    if db_url.startswith("sqlite"):
        backups = list(Path(db_url.removeprefix("sqlite:///")).parent.glob("campus-0007-*"))
    assert len(backups) == 1
