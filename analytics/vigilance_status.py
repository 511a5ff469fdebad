"""From the points of each month to the cards of the report (DESIGN §7, « Small groups and
signal »): one card per scope and axis, its status, since when, how severe; and the ranking.

- An axis is *raised* in a month when one of its rules raised a point (`analytics.vigilance`).
- Status in month M: `new` (raised in M, not in M-1), `continuing` (raised in M and M-1, since the
  first month of that run), `worsening` (continuing, one of its figures moved the worse way
  beyond the noise rule since M-1, and its severity rose a level), `resolved` (raised in M-1, not in M; `since`: the run's
  first month). A card continuing for `STANDING_MONTHS` or more is a *standing* feature: told once
  with its duration (« depuis 8 mois »), not as news.
- Severity from how far past the limit (relative gap, full at `FAR_GAP`), how many people
  (full at `MANY_PEOPLE`), how long (full at `LONG_MONTHS`): score = 2·far + people + long,
  `high` from 2.5, `medium` from 1.5, else `low`; a card takes its worst point's.
- Ranking: the cooperatives with a card that is not resolved, by their most severe card — a
  standing card counting one level lower, since it is known and not news, and after the news of
  that level —, then by the longest run at that level (persistence), then by their number of
  cards, then by name.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from analytics.vigilance import VigilancePoint
from core.vocabulary import AXES

STATUSES = ("worsening", "new", "continuing", "resolved")
SEVERITIES = ("low", "medium", "high")
STANDING_MONTHS = 3
FAR_GAP = 0.5
MANY_PEOPLE = 100
LONG_MONTHS = 6
HIGH, MEDIUM = 2.5, 1.5
FIRST_CARDS = 3  # the first page shows each ranked scope's three first cards, the rest folded


@dataclass(frozen=True)
class Card:
    """The points of one scope and one axis in month M (the months before give its status).

    `points`: the points of M (for `resolved`: those of M-1, the last month raised); `months`:
    how many consecutive months it has been raised up to M (up to M-1 when resolved)."""

    scope: str
    axis: str
    status: str
    since: str
    months: int
    severity: str
    points: tuple[VigilancePoint, ...]

    @property
    def indicators(self) -> list[str]:
        return [point.indicator for point in self.points]

    @property
    def basis(self) -> str:
        """The basis of the card's most severe point."""
        return self.points[0].basis

    @property
    def window_months(self) -> int:
        return max(point.window_months for point in self.points)

    @property
    def standing(self) -> bool:
        """Continuing for `STANDING_MONTHS` or more: a standing feature, not news."""
        return self.status == "continuing" and self.months >= STANDING_MONTHS

    @property
    def level(self) -> int:
        """0 low, 1 medium, 2 high."""
        return SEVERITIES.index(self.severity)


@dataclass(frozen=True)
class Ranked:
    """A cooperative of the first page's ranking: its worst severity and its cards' summary."""

    scope: str
    name: str
    severity: str
    rank_level: int
    news: bool  # its most severe card (by rank) is news, not a standing feature
    months: int
    cards: int
    axes: list[str]
    statuses: list[str]


def point_score(point: VigilancePoint, months: int) -> float:
    """2·far + people + long (see the module doc)."""
    far = min(point.gap / FAR_GAP, 1.0)
    people = min(math.log10(max(point.n, 1)) / math.log10(MANY_PEOPLE), 1.0)
    long = min(months / LONG_MONTHS, 1.0)
    return 2 * far + people + long


def severity(points: Sequence[VigilancePoint], months: int) -> str:
    """The severity of a card from its worst point."""
    score = max(point_score(point, months) for point in points)
    return "high" if score >= HIGH else "medium" if score >= MEDIUM else "low"


def _run(raised: Sequence[bool], end: int) -> int:
    """How many consecutive months are raised, ending at index `end`."""
    count = 0
    while end - count >= 0 and raised[end - count]:
        count += 1
    return count


def scope_cards(
    scope: str,
    months: Sequence[str],
    points: Mapping[str, Sequence[VigilancePoint]],
    worse: set[str],
) -> list[Card]:
    """The cards of one scope in the last of `months` (oldest first): `points` holds its points
    month by month; `worse`: the indicators whose figure moved the worse way beyond the noise
    rule since the month before. Ordered worsening, new, continuing (standing last), resolved,
    then most severe first, then in Gollac order."""
    cards = []
    last = len(months) - 1
    for axis in AXES:
        by_month = [[p for p in points.get(month, ()) if p.axis == axis] for month in months]
        raised = [bool(found) for found in by_month]
        if raised[last]:
            run = _run(raised, last)
            current = by_month[last]
            status = "new" if run == 1 else "continuing"
            if (
                run > 1
                and any(point.indicator in worse for point in current)
                and severity(current, run) != severity(by_month[last - 1], run)
                and severity(current, run)
                == max(
                    severity(current, run), severity(by_month[last - 1], run), key=SEVERITIES.index
                )
            ):
                status = "worsening"
        elif last > 0 and raised[last - 1]:
            run = _run(raised, last - 1)
            current, status = by_month[last - 1], "resolved"
        else:
            continue
        current = sorted(current, key=lambda p: -point_score(p, run))
        start = months[last - run + (0 if status == "resolved" else 1)]
        cards.append(Card(scope, axis, status, start, run, severity(current, run), tuple(current)))
    return sorted(cards, key=_card_order)


def _card_order(card: Card) -> tuple:
    return (STATUSES.index(card.status), card.standing, -card.level, AXES.index(card.axis))


def rank_level(card: Card) -> int:
    """A card's weight in the ranking: its level, one lower when standing."""
    return max(card.level - 1, 0) if card.standing else card.level


def ranking(cards: Mapping[str, Sequence[Card]], names: Mapping[str, str]) -> list[Ranked]:
    """The cooperatives with cards that are not resolved, the most in need first (module doc)."""
    ranked = []
    for scope, found in cards.items():
        active = [card for card in found if card.status != "resolved"]
        if not active:
            continue
        level = max(rank_level(card) for card in active)
        top = [card for card in active if rank_level(card) == level]
        news = any(not card.standing for card in top)
        months = max(card.months for card in top if card.standing != news)
        worst = max(card.level for card in active)
        ranked.append(
            Ranked(
                scope,
                names.get(scope, scope),
                SEVERITIES[worst],
                level,
                news,
                months,
                len(active),
                [axis for axis in AXES if any(card.axis == axis for card in active)],
                [card.status for card in active],
            )
        )
    return sorted(
        ranked, key=lambda r: (-r.rank_level, not r.news, -r.months, -r.cards, r.name, r.scope)
    )
