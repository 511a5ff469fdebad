"""A span's figures for a few cooperatives (`Activity.some_figures`, what pooled windows ask for)
equal the figures computed for every scope at once: computing only the rows that can count for a
cooperative must change nothing."""

from __future__ import annotations

import pytest

from analytics.indicators import Activity
from bench.report_mirror import fill_mirror
from sync.mirror.db import connect
from sync.mirror.loader import load_forum

SPAN = "2026-07..2026-09"


@pytest.fixture(scope="module")
def activity(tmp_path_factory) -> Activity:
    engine = connect(f"sqlite:///{tmp_path_factory.mktemp('spans') / 'campus.db'}")
    fill_mirror(
        engine,
        cooperatives=6,
        members_per_coop=20,
        topics=1_500,
        months=("2026-07", "2026-08", "2026-09", "2026-10"),
        seed=5,
    )
    return Activity(load_forum(engine))


def test_some_cooperatives_get_exactly_the_figures_of_every_scope(activity):
    some = activity.some_figures(SPAN, {"coop-02", "coop-05"})
    assert SPAN not in activity._figures  # computed for these two only
    every = Activity(activity.forum).figures(SPAN)
    assert set(some) == {"coop-02", "coop-05"}
    for scope, figures in some.items():
        assert figures == every[scope]
        assert any(figure.n > 0 for figure in figures.values())


def test_a_cooperative_asked_again_is_not_recomputed_and_the_network_computes_all(activity):
    first = activity.some_figures(SPAN, {"coop-03"})
    assert activity.some_figures(SPAN, {"coop-03"})["coop-03"] is first["coop-03"]
    with_network = activity.some_figures("2026-08..2026-10", {None, "coop-01"})
    assert "2026-08..2026-10" in activity._figures
    assert with_network[None] == activity.figures("2026-08..2026-10")[None]


def test_some_figures_of_a_cooperative_equal_every_scope_s(activity):
    """Asked for a few figures (what a pooled window needs), then for more: each equals the
    figure computed with every other, and the ones asked first are not computed again."""
    span = "2026-07..2026-08"
    every = Activity(activity.forum).figures(span)
    first = activity.some_figures(span, {"coop-04"}, {"after_hours_direction", "answered_48h"})
    assert {"after_hours_direction", "answered_48h"} <= set(first["coop-04"])
    assert "members" not in first["coop-04"]  # what these two do not need is not computed
    more = activity.some_figures(span, {"coop-04", "coop-06"}, {"answered_48h", "cross_coop_share"})
    for scope in ("coop-04", "coop-06"):
        for key in ("answered_48h", "cross_coop_share"):
            assert more[scope][key] == every[scope][key]
    assert more["coop-04"]["after_hours_direction"] == every["coop-04"]["after_hours_direction"]
