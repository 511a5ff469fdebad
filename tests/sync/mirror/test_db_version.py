"""A mirror written by another version of Campus is refused with what to do, not a traceback."""

import sqlite3

from sync.mirror.db import connect
from tests.conftest import run_campus


def test_unknown_schema_revision_exits_2_with_what_to_do(tmp_path):
    database = tmp_path / "campus.db"
    connect(f"sqlite:///{database}").dispose()
    with sqlite3.connect(database) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '0099'")
    result = run_campus("stats", env={"CAMPUS_DATABASE_URL": f"sqlite:///{database}"})
    assert result.exit_code == 2, result.output
    assert "porte un schéma (0099) que cette version de Campus ne connaît pas" in result.output
    assert "Traceback" not in result.output
