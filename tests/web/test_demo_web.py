"""`campus demo` exercises the web service: a director and a member log in over real HTTP."""

from __future__ import annotations

import re

import pytest

from tests.conftest import run_campus

pytestmark = pytest.mark.integration


def test_demo_logs_a_director_and_a_member_in(tmp_path):
    result = run_campus("demo", "--size", "small", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    logins = [line for line in result.output.splitlines() if line.startswith("Connexion de ")]
    assert len(logins) == 2
    assert "(direction de " in logins[0] and "/rapports/2026-10/reseau → 200" in logins[0]
    assert "(entrepreneur·e)" in logins[1] and "/moi → 200" in logins[1]
    assert not re.search(r"→ [^2]\d\d", result.output)
