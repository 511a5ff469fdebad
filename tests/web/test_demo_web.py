"""`campus demo` exercises the web service: a director and a member log in over real HTTP."""

from __future__ import annotations

import re

import pytest

from core.vocabulary import current_month
from sync.mirror import barometer_store
from sync.mirror.db import connect
from tests.conftest import run_campus

pytestmark = pytest.mark.integration


def test_demo_logs_a_director_and_a_member_in(tmp_path):
    result = run_campus("demo", "--size", "small", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    logins = [line for line in result.output.splitlines() if line.startswith("Connexion de ")]
    assert len(logins) == 2
    assert "(direction de " in logins[0] and "/rapports/2026-10/reseau → 200" in logins[0]
    assert "(entrepreneur·e)" in logins[1] and "/moi → 200" in logins[1]
    assert "/barometre → 200" in logins[1]
    # this month's barometer is left open, so `campus demo --serve` lets one answer it
    engine = connect(f"sqlite:///{tmp_path / 'campus.db'}")
    assert barometer_store.month_state(engine, current_month("Europe/Paris")) == "open"
    assert barometer_store.month_state(engine, "2026-10") == "closed"
    assert not re.search(r"→ [^2]\d\d", result.output)
