"""Points de vigilance: indicators that cross a configured threshold (DESIGN §7).

Each rule ties an indicator to one field of `IndicatorSettings` and a direction, as the
indicator's declaration says (`analytics.catalogue`); a raised point
keeps the figure behind it and the key of the texts that explain it (in `reports.wording`).
Suppressed figures never raise a point: a point must not reveal what privacy hides.
"""

from __future__ import annotations

from dataclasses import dataclass

from analytics.catalogue import CATALOGUE
from analytics.indicator_spec import Catalogue
from analytics.indicators import Indicator
from analytics.settings import IndicatorSettings


@dataclass(frozen=True)
class Rule:
    """`indicator` raises a point when its figure is below (`min`) or above (`max`) `field`.

    `per_person`: the figure compared is the count divided by its population n.
    """

    indicator: str
    field: str
    kind: str
    per_person: bool = False


def vigilance_rules(catalogue: Catalogue = CATALOGUE) -> tuple[Rule, ...]:
    """The rules of the indicators declared with a threshold, in the report's order."""
    return tuple(
        Rule(spec.id, spec.threshold.setting, spec.threshold.kind, spec.per_person)
        for spec in catalogue.with_threshold()
    )


@dataclass(frozen=True)
class VigilancePoint:
    """A raised point: the indicator, its axis, the figure compared and the threshold crossed.

    `text_key` names the texts that explain it (the sentence, why it matters, what a director can
    do: `reports.wording`); `value` is the indicator as shown in the tables (for per-person
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
        return CATALOGUE[self.indicator].guidance or self.indicator

    @property
    def gap(self) -> float:
        """How far past its threshold the figure is, relative to the threshold (for ranking)."""
        scale = abs(self.threshold) or 1.0
        return abs(self.figure - self.threshold) / scale


def vigilance_points(rows: list[Indicator], settings: IndicatorSettings) -> list[VigilancePoint]:
    """The points raised by a scope's indicators, in the order of `vigilance_rules`."""
    by_id = {row.id: row for row in rows}
    points = []
    for rule in vigilance_rules():
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
