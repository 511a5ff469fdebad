"""Fixtures shared by the sync tests: an injected clock, the mirror on each database, a client."""

from __future__ import annotations

import pytest

from sync.mirror.db import connect
from tests.conftest import SANDBOX_TEST_KEY
from tests.support.fake_time import FakeTime
from tests.support.mirror import make_api


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def mirror_engine(db_url):
    """A migrated, empty mirror on the SQLite file, then on PostgreSQL."""
    engine = connect(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sandbox_api(sandbox_server):
    """A client of the per-test sandbox, without budget or real sleeps."""
    return make_api(sandbox_server.url, SANDBOX_TEST_KEY)
