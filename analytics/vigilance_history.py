"""The month's vigilance computed from history (DESIGN §7, « Small groups and signal »).

A point's status needs the points of the months before, and whether a candidate point is raised
needs the month before (`analytics.vigilance.confirmed`): they are computed here again from the
prepared mirror (`Activity`), month by month over the report's months, never read back from
reports written earlier. Each month's figures are the shown ones (a withheld figure raises
nothing); every cooperative is compared with its peers (`analytics.vigilance.peer_groups`,
sized on the month's members) and the network with its own past and its thresholds. A month
where a rule was raised, or clearly past its limit, leaves that rule's baseline of its own past:
the reference stays the usual level, not the deterioration being watched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from analytics.indicators import Activity
from analytics.settings import IndicatorSettings
from analytics.vigilance import (
    BASELINE_MONTHS,
    Z_CONFIRM,
    Context,
    Observation,
    VigilancePoint,
    confirmed,
    month_points,
    peer_groups,
)
from analytics.vigilance_status import Card, Ranked, ranking, scope_cards

NETWORK = "network"  # the network's scope key in cards, ranking and JSON

Observed = dict[str | None, dict[str, Observation]]


@dataclass(frozen=True)
class Vigilance:
    """The cards of every modelled scope (key: slug or `NETWORK`) and the cooperatives' ranking."""

    cards: dict[str, list[Card]]
    ranking: list[Ranked]


def observed(activity: Activity, month: str, min_group_size: int) -> Observed:
    """Every scope's shown figures of `month` (network: None): withheld values are None."""
    result: Observed = {}
    for scope, figures in activity.figures(month).items():
        withheld = activity.withheld(month, scope, min_group_size)
        result[scope] = {
            key: Observation(None if withheld[key] else figure.value, figure.n)
            for key, figure in figures.items()
        }
    return result


def _contexts(
    scope: str | None,
    index: int,
    by_month: Sequence[Observed],
    groups: Mapping[str, list[str]],
    unusual: Sequence[set[str]],
) -> dict[str, Context]:
    """For each indicator of `scope` in month `index`: its past (without its unusual months:
    `unusual[i]`, the indicators raised or clearly past their limit in month i), its peers, the
    network."""
    current = by_month[index]
    start = max(0, index - BASELINE_MONTHS)
    nothing = Observation(None, 0)
    keys = current.get(scope, {}).keys()
    return {
        key: Context(
            past=[
                nothing if key in unusual[i] else by_month[i].get(scope, {}).get(key, nothing)
                for i in range(start, index)
            ],
            peers=[current[peer][key] for peer in groups.get(scope, []) if peer in current]
            if scope is not None
            else [],
            network=current[None][key] if scope is not None and None in current else None,
        )
        for key in keys
    }


def vigilance(
    activity: Activity,
    months: Sequence[str],
    scopes: Sequence[str | None],
    *,
    thresholds: IndicatorSettings,
    min_group_size: int,
    worse: Mapping[str | None, set[str]],
    names: Mapping[str, str],
    regions: Mapping[str, str] | None = None,
) -> Vigilance:
    """The cards of `scopes` in the last of `months` (oldest first) and the ranking of the
    cooperatives among them. `worse`: for each scope, the indicators whose trend this month is
    worse beyond the noise rule (`analytics.trends`); `regions`: slug → region, when known."""
    by_month = [observed(activity, month, min_group_size) for month in months]
    points: dict[str | None, dict[str, list[VigilancePoint]]] = {scope: {} for scope in scopes}
    candidates: dict[str | None, dict[str, VigilancePoint]] = {scope: {} for scope in scopes}
    unusual: dict[str | None, list[set[str]]] = {scope: [] for scope in scopes}
    for index, month in enumerate(months):
        current = by_month[index]
        members = {
            slug: figures["members"].n for slug, figures in current.items() if slug is not None
        }
        groups = peer_groups(members, regions)
        for scope in scopes:
            if scope not in current:
                unusual[scope].append(set())
                continue
            before = candidates[scope]
            raised = (
                {p.indicator for p in points[scope].get(months[index - 1], [])} if index else set()
            )
            context = _contexts(scope, index, by_month, groups, unusual[scope])
            found = month_points(month, current[scope], thresholds, context)
            points[scope][month] = [
                point
                for point in found
                if confirmed(point, before.get(point.indicator), point.indicator in raised)
            ]
            candidates[scope] = {point.indicator: point for point in found}
            unusual[scope].append(
                {p.indicator for p in points[scope][month]}
                | {p.indicator for p in found if p.z is not None and p.z > Z_CONFIRM}
            )
    cards = {
        scope or NETWORK: scope_cards(
            scope or NETWORK, months, points[scope], worse.get(scope, set())
        )
        for scope in scopes
    }
    coops = {key: found for key, found in cards.items() if key != NETWORK}
    return Vigilance(cards, ranking(coops, names))
