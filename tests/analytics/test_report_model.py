"""The first page's ranking of cooperatives, and thresholds that could never be quiet."""

from __future__ import annotations

import pytest

from analytics.report_model import ScopeModel, ranking
from analytics.settings import IndicatorSettings
from analytics.vigilance import VigilancePoint
from core.errors import InputError


def point(indicator: str, axis: str, figure: float = 0.5, threshold: float = 0.7):
    return VigilancePoint(indicator, axis, "share", figure, threshold, "min", 20, figure)


def coop(slug: str, *points: VigilancePoint) -> ScopeModel:
    return ScopeModel(slug, slug.title(), [], list(points))


def test_cooperatives_with_most_points_come_first_with_their_axes():
    ranked = ranking(
        [
            coop("calme"),
            coop("un", point("answered_48h", "rapports_sociaux")),
            coop(
                "trois",
                point("after_hours", "intensite"),
                point("answered_48h", "rapports_sociaux"),
                point("solved_share", "autonomie"),
            ),
        ]
    )
    assert [(c.slug, c.points) for c in ranked] == [("trois", 3), ("un", 1)]
    assert ranked[0].axes == ["intensite", "autonomie", "rapports_sociaux"]  # Gollac order


def test_equal_points_rank_the_wider_spread_over_axes_first():
    ranked = ranking(
        [
            coop(
                "meme-axe",
                point("answered_48h", "rapports_sociaux"),
                point("authors_without_reply", "rapports_sociaux"),
            ),  # fmt: skip
            coop(
                "deux-axes",
                point("after_hours", "intensite"),
                point("answered_48h", "rapports_sociaux"),
            ),  # fmt: skip
        ]
    )
    assert [c.slug for c in ranked] == ["deux-axes", "meme-axe"]


def test_then_the_furthest_past_their_thresholds():
    ranked = ranking(
        [
            coop("juste", point("answered_48h", "rapports_sociaux", figure=0.69)),
            coop("loin", point("answered_48h", "rapports_sociaux", figure=0.2)),
        ]
    )
    assert [c.slug for c in ranked] == ["loin", "juste"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("flagged_posts_max", 0),  # any flag anywhere would raise it every month
        ("overloaded_helpers_share_max", 0),
        ("after_hours_max", 0),
        ("answered_48h_min", 1),  # below 100 %: nearly always
        ("pulse_min", 5),
        ("first_response_hours_max", 0),
    ],
)
def test_a_threshold_that_can_never_be_quiet_is_refused(field, value):
    with pytest.raises(InputError, match=field):
        IndicatorSettings(**{field: value})


def test_the_default_thresholds_are_valid():
    assert IndicatorSettings().overloaded_helpers_share_max == 0.05
