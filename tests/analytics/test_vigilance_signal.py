"""The quality of the vigilance signal, tested like any feature (DESIGN §7, « Small groups and
signal »), on a seeded synthetic network (`bench.report_mirror.fill_mirror`: a stationary
process, the same every month): months with nothing planted raise few new points, and a
deterioration planted in three cooperatives puts them at the top of the ranking."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.indicators import Activity
from bench.report_mirror import fill_mirror
from core.vocabulary import month_bounds, shift_month
from reports.render import build_model
from sync.mirror.db import connect
from sync.mirror.loader import load_forum
from tests.support.clock import FIXTURE_NOW

MONTHS = tuple(shift_month("2026-10", -delta) for delta in range(13, -1, -1))
PLANTED = ("coop-05", "coop-11", "coop-17")
PLANT_FROM, PLANT_UNTIL = "2026-07", "2026-08"  # two months of deterioration
QUIET = ("2026-04", "2026-05", "2026-06")  # nothing planted yet, six months of past behind
MAX_FALSE_ALARMS = 0.10


def plant(engine, slugs: list[str]) -> None:
    """Halve the 48-hour answer share of `PLANTED` for two months: the replies to half of their
    questions of July and August come three days later (seeded)."""
    rng = np.random.default_rng(7)
    start = month_bounds(PLANT_FROM, "Europe/Paris")[0].strftime("%Y-%m-%d %H:%M:%S")
    end = month_bounds(PLANT_UNTIL, "Europe/Paris")[1].strftime("%Y-%m-%d %H:%M:%S")
    with engine.begin() as conn:
        for slug in PLANTED:
            entraide = 100 + 10 * slugs.index(slug) + 1  # fill_mirror's numbering of categories
            topics = conn.exec_driver_sql(
                "SELECT id FROM topics WHERE category_id = ? AND created_at >= ? "
                "AND created_at < ? ORDER BY id",
                (entraide, start, end),
            ).fetchall()
            late = [str(topic) for (topic,) in topics if rng.random() < 0.5]
            conn.exec_driver_sql(
                "UPDATE posts SET created_at = datetime(created_at, '+3 days') "
                f"WHERE post_number > 1 AND topic_id IN ({','.join(late)})"
            )


@pytest.fixture(scope="module")
def activity(tmp_path_factory) -> Activity:
    engine = connect(f"sqlite:///{tmp_path_factory.mktemp('signal') / 'campus.db'}")
    slugs = fill_mirror(
        engine, cooperatives=20, members_per_coop=120, topics=40_000, months=MONTHS, seed=3
    )
    plant(engine, slugs)
    return Activity(load_forum(engine))


def news(model) -> list[str]:
    """The cooperatives with a `new` or `worsening` card."""
    return [
        coop.slug
        for coop in model.cooperatives
        if any(card.status in ("new", "worsening") for card in coop.cards)
    ]


@pytest.mark.parametrize("month", QUIET)
def test_months_with_nothing_planted_raise_few_new_points(activity, month):
    model = build_model(activity, month, now=FIXTURE_NOW)
    assert len(news(model)) / len(model.cooperatives) <= MAX_FALSE_ALARMS, news(model)


def test_a_planted_deterioration_puts_its_cooperatives_in_the_top_five(activity):
    model = build_model(activity, PLANT_UNTIL, now=FIXTURE_NOW)
    top = [item.scope for item in model.ranking[:5]]
    assert set(PLANTED) <= set(top), top
    others = [slug for slug in news(model) if slug not in PLANTED]
    assert len(others) / len(model.cooperatives) <= MAX_FALSE_ALARMS


def test_a_planted_point_goes_new_continuing_resolved(activity):
    """Raised the first month when the break is clear, else confirmed the second month (two
    months in a row); continuing while it lasts, since its first month; resolved after."""
    paths: dict[str, list[tuple[str, str] | None]] = {slug: [] for slug in PLANTED}
    for month in (PLANT_FROM, PLANT_UNTIL, shift_month(PLANT_UNTIL, 1)):
        model = build_model(activity, month, now=FIXTURE_NOW)
        for coop in model.cooperatives:
            if coop.slug in PLANTED:
                card = next((c for c in coop.cards if c.axis == "rapports_sociaux"), None)
                paths[coop.slug].append(card and (card.status, card.since))
    full = [("new", PLANT_FROM), ("continuing", PLANT_FROM), ("resolved", PLANT_FROM)]
    confirmed_late = [None, ("new", PLANT_UNTIL), ("resolved", PLANT_UNTIL)]
    assert all(path in (full, confirmed_late) for path in paths.values()), paths
    assert sum(path == full for path in paths.values()) >= 2, paths
