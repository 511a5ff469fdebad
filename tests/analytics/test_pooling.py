"""Pooled windows (DESIGN §7, small groups): which window a figure is published over, month
after month, on a stand-in for `Activity` whose figures are exactly the people listed per month."""

from __future__ import annotations

import pytest

from analytics.catalogue import CATALOGUE
from analytics.indicators import Figure
from analytics.pooling import Window, poolable, publication, window
from reports.windows import window_label

K = 5
SHARE = "answered_48h"  # a share: pooled when its month is about fewer than K people
COUNT = "questions"  # a count: never pooled (network minus cooperatives)


class People:
    """Figures of one cooperative ("a") and the network: each figure's n is the number of
    distinct people over the months of the key (a month, or "first..last"); its value is n / 100,
    so a test can tell which window a value comes from."""

    def __init__(self, by_month: dict[int, set[int]]) -> None:
        self.by_month = {f"2026-{month:02d}": people for month, people in by_month.items()}
        self.asked: list[tuple[str, frozenset]] = []  # spans asked for, and for which scopes

    def figures(self, key: str) -> dict[str | None, dict[str, Figure]]:
        first, _, last = key.partition("..")
        who = set().union(
            *(
                people
                for month, people in self.by_month.items()
                if first <= month <= (last or first)
            )
        )
        figure = Figure(len(who) / 100 if who else None, len(who))
        scope = {name: figure for name in CATALOGUE}
        network = {name: Figure(1.0, 100) for name in CATALOGUE}
        return {None: network, "a": scope}

    def some_figures(self, key: str, scopes: set[str | None], keys: set[str]) -> dict:
        self.asked.append((key, frozenset(scopes)))
        return {scope: self.figures(key)[scope] for scope in scopes}

    def withheld(self, month: str, scope: str | None, min_group_size: int) -> dict[str, bool]:
        figures = self.figures(month)[scope]
        return {name: figure.n < min_group_size for name, figure in figures.items()}


def shown(by_month: dict[int, set[int]], through: int, key: str = SHARE) -> list:
    """What the reports of January to `through` publish of figure `key` of cooperative "a"."""
    activity = People(by_month)
    return [publication(activity, f"2026-{m:02d}", "a", K)[key] for m in range(1, through + 1)]


def people(start: int, count: int) -> set[int]:
    return set(range(start, start + count))


def test_a_month_with_enough_people_is_published_alone():
    january = shown({1: people(0, 6)}, 1)[0]
    assert (january.value, january.n, january.suppressed) == (0.06, 6, False)
    assert january.window == Window("month", "2026-01", "2026-01")
    assert january.window.months == 1


def test_the_quarter_so_far_when_it_reaches_k():
    january, february = shown({1: people(0, 2), 2: people(2, 3)}, 2)
    assert january.suppressed and january.value is None  # nothing reaches k yet
    assert february.window == Window("quarter", "2026-01", "2026-02")
    assert (february.value, february.n, february.suppressed) == (0.05, 5, False)


def test_the_semester_when_the_quarter_is_not_enough():
    months = {1: people(0, 2), 2: people(2, 1), 3: people(3, 1), 4: people(4, 1)}
    april = shown(months, 4)[-1]
    assert april.window == Window("semester", "2026-01", "2026-04")
    assert (april.n, april.suppressed) == (5, False)


def test_the_year_when_the_semester_is_not_enough():
    months = {2: people(0, 3), 8: people(3, 2)}
    august = shown(months, 8)[-1]
    assert august.window == Window("year", "2026-01", "2026-08")
    assert (august.n, august.suppressed) == (5, False)


def test_masked_when_the_year_is_not_enough():
    reports = shown({month: {1, 2} for month in range(1, 13)}, 12)
    assert all(item.suppressed and item.value is None for item in reports)


def test_one_granularity_per_year_month_after_month():
    """Once pooled on quarters, a month with enough people is still shown over its quarter."""
    months = {1: people(0, 2), 2: people(2, 3), 3: people(5, 6), 4: people(11, 7)}
    reports = shown(months, 4)
    assert [item.window.granularity for item in reports[1:]] == ["quarter"] * 3
    assert reports[3].window == Window("quarter", "2026-04", "2026-04")


def test_the_granularity_only_grows_and_never_nests_a_smaller_window():
    months = {1: people(0, 5), 2: {0}, 3: {1}, 4: {2}, 5: people(20, 5), 6: people(30, 5)}
    reports = shown(months, 6)
    sizes = [item.window.months for item in reports if not item.suppressed]
    granularities = [item.window.granularity for item in reports]
    order = ["month", "quarter", "semester", "year"]
    assert [order.index(g) for g in granularities] == sorted(order.index(g) for g in granularities)
    assert reports[0].window.granularity == "month" and sizes


def test_a_window_adding_fewer_than_k_people_shows_the_last_one_again():
    """Q1 so far at February covers 5 people; March adds one: publishing Q1 to March would give
    March's one person by subtraction, so February's window is shown again."""
    months = {1: people(0, 2), 2: people(2, 3), 3: {99}}
    _, february, march = shown(months, 3)
    assert march == february
    assert march.window.end == "2026-02"


def test_a_window_adding_nobody_is_published():
    months = {1: people(0, 2), 2: people(2, 3), 3: set()}
    march = shown(months, 3)[-1]
    assert march.window == Window("quarter", "2026-01", "2026-03") and not march.suppressed


def test_counts_and_the_barometer_are_never_pooled():
    assert not poolable(COUNT) and not poolable("pulse_autonomie")
    assert poolable(SHARE)
    reports = shown({1: people(0, 2), 2: people(2, 3)}, 2, key=COUNT)
    assert all(item.window.months == 1 and item.suppressed for item in reports)


@pytest.mark.parametrize(
    ("month", "granularity", "start"),
    [
        ("2026-05", "quarter", "2026-04"),
        ("2026-09", "semester", "2026-07"),
        ("2026-12", "year", "2026-01"),
        ("2026-03", "quarter", "2026-01"),
    ],
)
def test_windows_are_calendar_aligned_and_end_with_the_month(month, granularity, start):
    assert window(month, granularity) == Window(granularity, start, month)


@pytest.mark.parametrize(
    ("window_", "lang", "text"),
    [
        (Window("quarter", "2026-04", "2026-05"), "fr", "sur le 2e trimestre 2026"),
        (Window("semester", "2026-01", "2026-05"), "fr", "sur le 1er semestre 2026"),
        (Window("year", "2026-01", "2026-05"), "fr", "sur l'année 2026"),
        (Window("quarter", "2026-04", "2026-05"), "en", "over the 2nd quarter of 2026"),
        (Window("semester", "2026-01", "2026-05"), "en", "over the 1st half of 2026"),
        (Window("year", "2026-01", "2026-05"), "en", "over the year 2026"),
        (Window("month", "2026-05", "2026-05"), "fr", ""),
    ],
)
def test_window_labels(window_, lang, text):
    assert window_label(window_, lang, "2026-05") == text


def test_a_window_shown_again_says_up_to_when():
    earlier = Window("semester", "2026-01", "2026-04")
    assert window_label(earlier, "fr", "2026-06") == "sur le 1er semestre 2026 (jusqu'à avril 2026)"
    assert window_label(earlier, "en", "2026-06") == "over the 1st half of 2026 (up to April 2026)"


def test_a_window_is_computed_for_the_scopes_that_pool_only():
    """The network, about 100 people every month, never needs a window: the spans a thin
    cooperative's windows read are computed for that cooperative, not for every scope."""
    activity = People({1: people(0, 2), 2: people(2, 2), 3: people(4, 2)})
    [publication(activity, f"2026-{m:02d}", "a", K) for m in (1, 2, 3)]
    assert activity.asked
    assert all(scopes == {"a"} for _, scopes in activity.asked)


def test_a_thin_network_figure_does_not_make_a_cooperative_s_window_compute_every_scope():
    """The network's figures of nobody (no relayed question anywhere, say) need no window: a
    cooperative's window is still computed for that cooperative alone."""

    class ThinNetwork(People):
        def figures(self, key: str) -> dict[str | None, dict[str, Figure]]:
            figures = super().figures(key)
            figures[None] = {name: Figure(None, 0) for name in CATALOGUE}
            return figures

    activity = ThinNetwork({1: people(0, 2), 2: people(2, 2), 3: people(4, 2)})
    [publication(activity, f"2026-{m:02d}", "a", K) for m in (1, 2, 3)]
    assert activity.asked
    assert all(None not in scopes for _, scopes in activity.asked)
