"""Points de vigilance as a signal (DESIGN §7, « Small groups and signal »): which figures of a
month are raised, and on what basis.

Each rule ties an indicator to one field of `IndicatorSettings` and the direction that is worse,
as the indicator's declaration says (`analytics.catalogue`). For one scope and one month, a rule
is raised on one of four bases, tried in this order:

- `own_past`: the figure moved the worse way, beyond the noise rule (`analytics.trends`), against
  the mean of its own previous months (`BASELINE_MONTHS`, at least `MIN_BASELINE` known);
- `threshold`: the figure is past the catalogue's threshold, compared at the precision shown
  (2,99 shown « 3,0 » is not below a 3,0 threshold), and past it by more than its statistical
  noise (a handful of people cannot tell a figure from its threshold);
- `peers`: the cooperative's rate (a share or a barometer mean: counts grow with size and do not
  compare) is worse than its peer group's (the cooperatives of its size band, and of its region
  when `cooperatives.csv` gives it), beyond the noise;
- `network`: the same against the network, when a cooperative has too few peers.

Against its own past or its peers, the figure must also be worse by more than `MATERIAL` (a
quarter of the limit): smaller moves are the trends' business, not a point.

"Beyond the noise" (`confirmed`), the control-chart way: a scope is tested on some twenty rules
and three bases every month, and a report that raises points on noise is not read. A figure past
its limit by `z` standard errors is a candidate; it is raised when
- it was raised the month before and `z` > `Z_KEEP` (hysteresis: a figure hovering at its limit
  neither flaps nor comes back as news every month), or
- `z` > `Z_STRONG` (a clear break, raised at once), or
- `z` > `Z_CONFIRM` this month and the month before (two months in a row: one noisy month is
  not a signal).
Medians of hours and numbers of people have no interval: past their limit two months in a row.
Suppressed figures never raise a point: a point must not reveal what privacy hides. Whether a
point is new, continuing, worsening or resolved, and how severe, is `analytics.vigilance_status`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np

from analytics.catalogue import CATALOGUE
from analytics.indicator_spec import Catalogue
from analytics.settings import IndicatorSettings
from analytics.trends import Z_95, past_noise

BASES = ("own_past", "threshold", "peers", "network")
Z_STRONG = 5.0  # raised at once
Z_CONFIRM = 2.0  # raised when past it two months in a row
Z_KEEP = 1.0  # a point raised the month before stays raised down to this (hysteresis)
BASELINE_MONTHS = 6  # own past: the mean of up to six previous months …
MIN_BASELINE = 3  # … of which at least three known
MATERIAL = 0.25  # own past and peers: worse by more than a quarter of the limit
MIN_PEERS = 4  # fewer comparable cooperatives with a figure: compare with the network
SIZE_BANDS = 3  # peers: cooperatives cut into terciles of members
SCALE_SD = math.sqrt(2)  # spread of answers 1–5 given evenly: the barometer's standard deviation
DISPLAY_STEP = {"share": "0.01", "hours": "0.1", "scale": "0.1", "people": "0.1", "count": "0.1"}
"""The precision each unit is shown at (`reports.formatting`): whole percents, tenths."""


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


def as_shown(value: float, unit: str) -> float:
    """`value` rounded as the report shows it (half to even, as Babel rounds)."""
    step = Decimal(DISPLAY_STEP[unit])
    return float(Decimal(str(value)).quantize(step, rounding=ROUND_HALF_EVEN))


@dataclass(frozen=True)
class Observation:
    """One shown figure: `value` None when withheld or undefined; `n` its population."""

    value: float | None
    n: int


@dataclass(frozen=True)
class VigilancePoint:
    """A raised rule of one scope in one month.

    `figure` and `limit` are in `unit` ("share" for per-person rules, whose `value` is the count
    of people); `limit` is what the figure was compared with on its `basis`: the threshold, the
    mean of its own past, or the figure of its peers or of the network; `threshold` is the
    catalogue's, always given for the texts; `z`: how many standard errors past the limit
    (None when the unit has no interval). `text_key` names the texts that explain it.
    """

    indicator: str
    axis: str
    month: str
    basis: str
    unit: str
    figure: float
    limit: float
    threshold: float
    kind: str
    n: int
    value: float
    z: float | None = None
    window_months: int = 1

    @property
    def text_key(self) -> str:
        return CATALOGUE[self.indicator].guidance or self.indicator

    @property
    def gap(self) -> float:
        """How far past its limit the figure is, relative to the limit (capped at 1)."""
        scale = abs(self.limit) or 1.0
        return min(abs(self.figure - self.limit) / scale, 1.0)


def _sigma(unit: str, reference: float, n: int) -> float | None:
    """The standard error of a figure of `n` people whose true value is `reference`, or None
    when the unit has no simple interval (medians of hours, numbers of people)."""
    if n <= 0:
        return None
    if unit == "share":
        share = min(max(reference, 0.5 / n), 1 - 0.5 / n)
        return math.sqrt(share * (1 - share) / n)
    if unit == "scale":
        return SCALE_SD / math.sqrt(n)
    if unit == "count":
        return math.sqrt(max(reference, 1.0))
    return None


def _worse(kind: str, figure: float, limit: float) -> bool:
    return figure < limit if kind == "min" else figure > limit


def _material(kind: str, figure: float, limit: float) -> bool:
    """Worse than `limit` by more than `MATERIAL` of it: smaller moves stay in the trends."""
    return _worse(kind, figure, limit) and abs(figure - limit) > MATERIAL * abs(limit)


def _figure(rule: Rule, unit: str, seen: Observation) -> tuple[float, str] | None:
    """The figure a rule compares (a share for per-person rules), or None when not shown."""
    if seen.value is None:
        return None
    if rule.per_person:
        return (seen.value / seen.n, "share") if seen.n else None
    return float(seen.value), unit


@dataclass(frozen=True)
class Context:
    """What a rule of one scope and month is compared with besides its threshold.

    `past`: the scope's shown observations of the months before, oldest first; `peers`: the
    observations of the comparable cooperatives (empty for the network), `network`: the
    network's observation (None for the network itself)."""

    past: Sequence[Observation] = ()
    peers: Sequence[Observation] = ()
    network: Observation | None = None


Found = tuple[str, float, float | None]  # basis, limit, z


def raise_rule(
    rule: Rule, seen: Observation, threshold: float, context: Context, month: str
) -> VigilancePoint | None:
    """The candidate point of `rule` on `seen` (see the module doc for the bases), or None:
    past its limit by more than `Z_KEEP` standard errors (`confirmed` decides if it is raised)."""
    spec = CATALOGUE[rule.indicator]
    shown = _figure(rule, spec.unit, seen)
    if shown is None:
        return None
    figure, unit = shown
    found = (
        _own_past(rule, spec.unit, figure, unit, seen.n, context)
        or _past_threshold(rule, figure, unit, seen.n, threshold)
        or _against_peers(rule, spec.unit, figure, unit, seen.n, context)
    )
    if found is None:
        return None
    basis, limit, z = found
    return VigilancePoint(
        rule.indicator, spec.axis, month, basis, unit, figure, limit, threshold, rule.kind,
        seen.n, float(seen.value), z,
    )  # fmt: skip


def _own_past(
    rule: Rule, spec_unit: str, figure: float, unit: str, n: int, context: Context
) -> Found | None:
    """Worse than the mean of its own last months; `z`: the difference in standard errors, the
    larger of the statistical one and the past's spread (the trends' noise rule: twice the
    median monthly change is taken as 1.96 standard errors)."""
    recent = [item for item in context.past[-BASELINE_MONTHS:] if item.value is not None]
    known = [shown[0] for item in recent if (shown := _figure(rule, spec_unit, item))]
    if len(known) < MIN_BASELINE:
        return None
    baseline = float(np.mean(known))
    sigma = _sigma(unit, baseline, n)
    sigma_past = _sigma(unit, baseline, sum(item.n for item in recent))
    spread = (past_noise(known) or 0.0) / Z_95
    if sigma is not None and sigma_past is not None:
        spread = max(spread, math.hypot(sigma, sigma_past))
    if spread <= 0 or not _material(rule.kind, figure, baseline):
        return None
    z = abs(figure - baseline) / spread
    return ("own_past", baseline, z) if z > Z_KEEP else None


def _past_threshold(rule: Rule, figure: float, unit: str, n: int, threshold: float) -> Found | None:
    """Past the threshold at the precision shown (`z` None: the unit has no interval)."""
    if not _worse(rule.kind, as_shown(figure, unit), as_shown(threshold, unit)):
        return None
    sigma = _sigma(unit, threshold, n)
    if sigma is None:
        return "threshold", threshold, None
    z = abs(figure - threshold) / sigma
    return ("threshold", threshold, z) if z > Z_KEEP else None


def _against_peers(
    rule: Rule, spec_unit: str, figure: float, unit: str, n: int, context: Context
) -> Found | None:
    """Worse than the peers' figure (the network's with too few peers), beyond the noise."""
    basis, others = "peers", [item for item in context.peers if item.value is not None]
    if len(others) < MIN_PEERS:
        basis, others = "network", [context.network] if context.network else []
    reference = _reference(rule, spec_unit, others)
    if reference is None or not _material(rule.kind, figure, reference):
        return None
    sigma = _sigma(unit, reference, n)
    if sigma is None or abs(figure - reference) <= Z_KEEP * sigma:
        return None
    return basis, reference, abs(figure - reference) / sigma


def _reference(rule: Rule, unit: str, others: Sequence[Observation]) -> float | None:
    """The peers' rate: their mean weighted by their people (None for counts, hours, people)."""
    shown = [(_figure(rule, unit, item), item.n) for item in others]
    pairs = [(item[0], n) for item, n in shown if item is not None and n > 0]
    if not pairs or unit in ("count", "hours", "people") and not rule.per_person:
        return None
    values, weights = zip(*pairs, strict=True)
    return float(np.average(values, weights=weights))


def peer_groups(
    members: Mapping[str, int], regions: Mapping[str, str] | None = None
) -> dict[str, list[str]]:
    """Each cooperative's comparable cooperatives (itself excluded): those of its size band
    (`SIZE_BANDS` bands of members), and of its region too when that leaves `MIN_PEERS`."""
    slugs = sorted(members, key=lambda slug: (members[slug], slug))
    bands = max(1, min(SIZE_BANDS, len(slugs) // (MIN_PEERS + 1)))
    band = {slug: index * bands // max(len(slugs), 1) for index, slug in enumerate(slugs)}
    regions = regions or {}
    groups = {}
    for slug in slugs:
        same = [other for other in slugs if other != slug and band[other] == band[slug]]
        local = [
            other for other in same if regions.get(slug) and regions.get(other) == regions[slug]
        ]
        groups[slug] = local if len(local) >= MIN_PEERS else same
    return groups


def confirmed(
    candidate: VigilancePoint, before: VigilancePoint | None, raised_before: bool
) -> bool:
    """Is `candidate` raised, given the same rule's candidate of the month before (`before`)
    and whether that one was raised (see the module doc)."""
    if raised_before:
        return True
    if candidate.z is None:
        return before is not None
    if candidate.z > Z_STRONG:
        return True
    return (
        candidate.z > Z_CONFIRM and before is not None and (before.z or Z_CONFIRM + 1) > Z_CONFIRM
    )


def month_points(
    month: str,
    observed: Mapping[str, Observation],
    settings: IndicatorSettings,
    context: Mapping[str, Context],
) -> list[VigilancePoint]:
    """The candidate points of one scope's month (`observed`: indicator → observation), in the
    order of `vigilance_rules`; `context`: indicator → what it is compared with."""
    points = []
    for rule in vigilance_rules():
        seen = observed.get(rule.indicator)
        if seen is None:
            continue
        threshold = float(getattr(settings, rule.field))
        found = raise_rule(rule, seen, threshold, context.get(rule.indicator, Context()), month)
        if found is not None:
            points.append(found)
    return points
