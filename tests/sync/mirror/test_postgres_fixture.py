"""The database fixture gives both backends, migrated by `sync.mirror.db.connect`; without PostgreSQL
binaries it skips visibly, or fails under CAMPUS_REQUIRE_POSTGRES=1 (CI)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from sync.mirror.db import connect
from sync.mirror.schema import Base

ROOT = Path(__file__).resolve().parents[3]


def test_connect_migrates_every_backend(db_url):
    engine = connect(db_url)
    try:
        tables = set(inspect(engine).get_table_names())
        columns = {column["name"] for column in inspect(engine).get_columns("topics")}
    finally:
        engine.dispose()
    assert {"users", "posts", "topics", "sync_state", "alembic_version"} <= tables
    assert {"needs_check", "like_count", "has_accepted_answer", "pinned"} <= columns


def test_migrations_build_exactly_the_models_on_every_backend(db_url):
    engine = connect(db_url)
    try:
        with engine.connect() as connection:
            drift = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert drift == []


NO_BINARIES_CONFTEST = """
pytest_plugins = ["tests.support.postgres"]


def pytest_configure(config):
    import tests.support.postgres as postgres

    postgres.find_bindir = lambda: None  # as on a machine without PostgreSQL
"""


def run_without_binaries(tmp_path: Path, require: str) -> subprocess.CompletedProcess:
    """A pytest session whose one test needs PostgreSQL, on a machine without its binaries."""
    (tmp_path / "conftest.py").write_text(NO_BINARIES_CONFTEST, encoding="utf-8")
    (tmp_path / "test_needs_postgres.py").write_text(
        "def test_needs_postgres(postgres_server):\n    pass\n", encoding="utf-8"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CAMPUS_REQUIRE_POSTGRES": require}
    command = [sys.executable, "-m", "pytest", "-rs", "-p", "no:cacheprovider", "-p", "no:xdist"]
    return subprocess.run(
        [*command, "--rootdir", str(tmp_path), str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )


def test_without_binaries_the_postgres_cases_are_skipped_visibly(tmp_path):
    result = run_without_binaries(tmp_path, require="0")

    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout
    assert "PostgreSQL binaries not found" in result.stdout


def test_without_binaries_ci_fails_instead_of_skipping(tmp_path):
    result = run_without_binaries(tmp_path, require="1")

    assert result.returncode == 1, result.stdout
    assert "but CAMPUS_REQUIRE_POSTGRES=1" in result.stdout
    summary = result.stdout.rstrip().splitlines()[-1]
    assert " 1 error " in summary
    assert "skipped" not in summary
