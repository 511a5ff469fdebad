"""Fixtures of the web tests: one Campus service per test module, over real HTTP."""

from __future__ import annotations

import pytest

from sync.mirror.db import connect
from tests.web.web_site import start_site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A synced sandbox network served by Campus (waitress) with the sandbox as provider."""
    website = start_site(tmp_path_factory.mktemp("web"))
    yield website
    website.stop()


@pytest.fixture
def engine(db_url):
    """A migrated, empty mirror on the SQLite file, then on PostgreSQL."""
    engine = connect(db_url)
    yield engine
    engine.dispose()
