"""The report's door to the barometer: `pulse_figures` reads its counts from the mirror."""

from __future__ import annotations

from datetime import date

import pytest

from analytics.indicators import pulse_figures
from core.vocabulary import AXES
from sync.mirror import barometer_store
from sync.mirror.db import connect
from sync.mirror.loader import load_forum


@pytest.fixture
def forum(tmp_path):
    engine = connect(f"sqlite:///{tmp_path / 'campus.db'}")
    barometer_store.open_month(engine, "2026-11", date(2026, 11, 2))
    answers = [dict.fromkeys(AXES, value) for value in (1, 2, 4, 4, 4)]
    answers[0]["autonomie"] = None
    barometer_store.add_batch(engine, "2026-11", "coop-a", "entrepreneur", answers)
    return load_forum(engine)


def test_a_cooperative_figure_is_the_mean_of_its_counts(forum):
    figures = pulse_figures(forum, "2026-11", "coop-a", 5)
    assert figures["pulse_intensite"].value == pytest.approx(3.0)
    assert figures["pulse_intensite"].n == 5


def test_an_axis_answered_by_fewer_than_the_size_is_withheld(forum):
    figures = pulse_figures(forum, "2026-11", "coop-a", 5)
    assert figures["pulse_autonomie"].value is None
    assert figures["pulse_autonomie"].n == 4


def test_the_network_pools_the_cooperatives(forum):
    assert pulse_figures(forum, "2026-11", None, 5)["pulse_insecurite"].value == pytest.approx(3.0)


def test_a_month_without_barometer_counts_has_no_figure(forum):
    assert pulse_figures(forum, "2026-10", "coop-a", 5)["pulse_intensite"].value is None
