"""Fixtures of the app tests."""

from __future__ import annotations

import pytest

from sync.mirror.db import connect


@pytest.fixture
def engine(db_url):
    """A migrated, empty mirror on the SQLite file, then on PostgreSQL."""
    engine = connect(db_url)
    yield engine
    engine.dispose()
