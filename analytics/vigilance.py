"""Points de vigilance: indicators that cross a configured threshold (DESIGN §7).

Each rule ties an indicator to one field of `IndicatorSettings` and a direction; a raised point
keeps the figure behind it and the key of the texts that explain it (in `reports.content`).
Suppressed figures never raise a point: a point must not reveal what privacy hides.
"""

from __future__ import annotations

from dataclasses import dataclass

from analytics.indicators import Indicator
from analytics.settings import IndicatorSettings
from core.vocabulary import AXES


@dataclass(frozen=True)
class Rule:
    """`indicator` raises a point when its figure is below (`min`) or above (`max`) `field`.

    `per_person`: the figure compared is the count divided by its population n.
    """

    indicator: str
    field: str
    kind: str
    per_person: bool = False


RULES: tuple[Rule, ...] = (
    Rule("answered_48h", "answered_48h_min", "min"),
    Rule("first_response_hours", "first_response_hours_max", "max"),
    Rule("solved_share", "solved_share_min", "min"),
    Rule("peer_response_share", "peer_response_share_min", "min"),
    Rule("after_hours", "after_hours_max", "max"),
    Rule("after_hours_entrepreneur", "after_hours_max", "max"),
    Rule("after_hours_appui", "after_hours_max", "max"),
    Rule("after_hours_direction", "after_hours_max", "max"),
    Rule("top_decile_share", "top_decile_share_max", "max"),
    Rule("absence_factor", "absence_factor_min", "min"),
    Rule("overloaded_helpers", "overloaded_helpers_share_max", "max", per_person=True),
    Rule("authors_without_reply", "authors_without_reply_share_max", "max", per_person=True),
    Rule("newcomers_not_back", "newcomers_not_back_share_max", "max", per_person=True),
    Rule("cross_coop_share", "cross_coop_share_min", "min"),
    Rule("flagged_posts", "flagged_posts_max", "max"),
    *(Rule(f"pulse_{axis}", "pulse_min", "min") for axis in AXES),
)


@dataclass(frozen=True)
class VigilancePoint:
    """A raised point: the indicator, its axis, the figure compared and the threshold crossed.

    `text_key` names the texts that explain it (the sentence, why it matters, what a director can
    do: `reports.content`); `value` is the indicator as shown in the tables (for per-person
    rules, the count of people, `figure` being their share of `n`).
    """

    indicator: str
    axis: str
    unit: str  # unit of `figure` and `threshold` ("share" for per-person rules)
    figure: float
    threshold: float
    kind: str
    n: int
    value: float

    @property
    def text_key(self) -> str:
        if self.indicator.startswith("pulse_"):
            return "pulse"
        if self.indicator.startswith("after_hours_"):
            return "after_hours_role"
        return self.indicator

    @property
    def gap(self) -> float:
        """How far past its threshold the figure is, relative to the threshold (for ranking)."""
        scale = abs(self.threshold) or 1.0
        return abs(self.figure - self.threshold) / scale


def vigilance_points(rows: list[Indicator], settings: IndicatorSettings) -> list[VigilancePoint]:
    """The points raised by a scope's indicators, in the order of `RULES`."""
    by_id = {row.id: row for row in rows}
    points = []
    for rule in RULES:
        row = by_id.get(rule.indicator)
        if row is None or row.suppressed or row.value is None:
            continue
        figure, unit = row.value, row.unit
        if rule.per_person:
            if not row.n:
                continue
            figure, unit = row.value / row.n, "share"
        threshold = float(getattr(settings, rule.field))
        crossed = figure < threshold if rule.kind == "min" else figure > threshold
        if crossed:
            points.append(
                VigilancePoint(
                    rule.indicator, row.axis, unit, figure, threshold, rule.kind, row.n, row.value
                )
            )
    return points
