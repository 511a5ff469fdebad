"""Barometer figures from aggregate counts: exact means, null below min_group_size."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.barometer_figures import axis_means, role_means, status
from core.vocabulary import AXES

K = 5


def frames(groups: dict[tuple[str, str], list[int | None]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """cells and counts of groups whose members all gave the listed value on every axis."""
    cells = pd.DataFrame(
        [(coop, role, len(values)) for (coop, role), values in groups.items()],
        columns=["cooperative", "role", "respondents"],
    )
    rows = {}
    for (coop, role), values in groups.items():
        for value in values:
            if value is None:
                continue
            for axis in AXES:
                key = (coop, role, axis, value)
                rows[key] = rows.get(key, 0) + 1
    counts = pd.DataFrame(
        [(*key, n) for key, n in rows.items()],
        columns=["cooperative", "role", "axis", "value", "count"],
    )
    return cells, counts


def no_respondents() -> pd.DataFrame:
    return pd.DataFrame(columns=["cooperative", "role", "n"])


def test_a_cooperative_mean_is_exact():
    cells, counts = frames({("coop-a", "entrepreneur"): [1, 2, 3, 4, 5, 5]})
    means = axis_means(cells, counts, K)
    assert means["coop-a"]["autonomie"] == (pytest.approx(20 / 6), 6)
    assert means[None]["autonomie"] == (pytest.approx(20 / 6), 6)


def test_an_axis_with_fewer_answers_than_the_size_is_withheld():
    cells, counts = frames({("coop-a", "appui"): [2, 2, 2, 2, None, None]})
    assert axis_means(cells, counts, K)["coop-a"]["intensite"] == (None, 4)


def test_status_nulls_a_cooperative_below_the_size_and_keeps_the_others():
    respondents = pd.DataFrame(
        [("coop-a", "entrepreneur", 4), ("coop-b", "entrepreneur", 5)],
        columns=["cooperative", "role", "n"],
    )
    cells, counts = frames({("coop-b", "entrepreneur"): [1, 1, 2, 3, 3]})
    body = status("open", respondents, cells, counts, ["coop-a", "coop-b", "coop-c"], K)
    assert body["cooperatives"]["coop-a"] == {
        "respondents": None,
        "counted": None,
        "axes": dict.fromkeys(AXES),
        "roles": None,
    }
    assert body["cooperatives"]["coop-b"]["respondents"] == 5
    assert body["cooperatives"]["coop-b"]["axes"]["autonomie"] == pytest.approx(2.0)
    assert body["cooperatives"]["coop-c"]["respondents"] is None
    assert body["network"]["respondents"] == 9
    assert body["open"] is True


def test_after_closing_participation_is_what_was_counted():
    cells, counts = frames({("coop-a", ""): [3] * 6, ("", ""): [4] * 5})
    body = status("closed", no_respondents(), cells, counts, ["coop-a"], K)
    assert body["network"]["respondents"] == 11
    assert body["network"]["axes"]["insecurite"] == pytest.approx((18 + 20) / 11)
    assert body["cooperatives"]["coop-a"]["respondents"] == 6
    assert body["open"] is False


def test_roles_are_shown_only_when_each_reaches_the_size():
    cells, counts = frames(
        {("coop-a", "entrepreneur"): [2] * 5, ("coop-a", "appui"): [4] * 5, ("coop-a", ""): [3] * 5}
    )
    shown = role_means(cells, counts, "coop-a", K)
    assert set(shown) == {"entrepreneur", "appui"}
    assert shown["appui"]["autonomie"] == (4.0, 5)
    body = status("closed", no_respondents(), cells, counts, ["coop-a"], K)
    assert body["cooperatives"]["coop-a"]["roles"]["entrepreneur"]["autonomie"] == 2.0
    small = cells.copy()
    small.loc[small["role"] == "appui", "respondents"] = 4
    assert role_means(small, counts, "coop-a", K) is None
