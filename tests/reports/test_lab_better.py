"""The lab's evaluation judges an effect in the report's better direction, for every indicator."""

from __future__ import annotations

import pytest

from analytics.catalogue import CATALOGUE
from analytics.lab_estimator import Design, OutcomeResult
from reports.lab_evaluation import evaluation_json
from sync.forum.interventions import Intervention

INTERVENTION = Intervention("relais", {"coop-01": "2026-06", "coop-02": "2026-06"}, "2026-06")


def significant(key: str, att: float) -> OutcomeResult:
    """An effect on `key` whose interval excludes zero, on the side of `att`."""
    low, high = sorted((att / 2, att * 2))
    return OutcomeResult(key, att=att, ci_low=low, ci_high=high, treated=2, controls=3)


@pytest.mark.parametrize("key", [key for key, spec in CATALOGUE.items() if spec.better])
def test_the_lab_shows_the_reports_better_direction(key):
    better = CATALOGUE[key].better
    results = [significant(key, 1.0), significant(key, -1.0)]
    rise, fall = evaluation_json(INTERVENTION, results, Design(), "fr")["outcomes"]
    assert rise["better"] == fall["better"] == better
    wished, unwished = (rise, fall) if better == "up" else (fall, rise)
    assert "C'est le sens souhaité." in wished["conclusion"]
    assert "C'est le sens défavorable." in unwished["conclusion"]


def test_no_direction_is_judged_where_the_report_declares_none():
    neutral = [key for key, spec in CATALOGUE.items() if spec.better is None]
    assert neutral
    outcomes = evaluation_json(
        INTERVENTION, [significant(key, 1.0) for key in neutral], Design(), "fr"
    )["outcomes"]
    for row in outcomes:
        assert row["better"] is None
        assert "sens" not in row["conclusion"]
