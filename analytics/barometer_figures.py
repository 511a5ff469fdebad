"""Figures of the anonymous barometer (DESIGN §8) from its aggregate counts: pure functions.

Inputs are the frames of `sync.mirror.barometer_store.BarometerData` (or of `Forum.barometer_*`):
`cells` (cooperative, role, respondents) and `counts` (cooperative, role, axis, value, count).
Cooperative "" is the network's pool (members of several cooperatives, rests pooled at closing);
role "" is a cooperative's pooled rest. Every mean is withheld (None) where fewer than
`min_group_size` people are behind it: the scope's counted answers, and the answers on that axis
(abstentions excluded).
"""

from __future__ import annotations

import pandas as pd

from core.vocabulary import AXES

NETWORK = None


def _means(counts: pd.DataFrame, counted: int, min_group_size: int) -> dict[str, tuple]:
    """{axis: (mean or None, answers on the axis)} of a scope's count rows."""
    result = {}
    for axis in AXES:
        rows = counts[counts["axis"] == axis]
        n = int(rows["count"].sum())
        shown = counted >= min_group_size and n >= min_group_size
        mean = float((rows["value"] * rows["count"]).sum() / n) if shown and n else None
        result[axis] = (mean, n)
    return result


def axis_means(
    cells: pd.DataFrame, counts: pd.DataFrame, min_group_size: int
) -> dict[str | None, dict[str, tuple]]:
    """Per scope (None: the network; else a cooperative's slug): {axis: (mean | None, n)}.

    The network pools every group, pools included; a cooperative, its role groups and its
    pooled rest. `n` is the number of answers on the axis; the mean is None below the size."""
    result: dict[str | None, dict[str, tuple]] = {
        NETWORK: _means(counts, int(cells["respondents"].sum()), min_group_size)
    }
    for cooperative in sorted(set(cells["cooperative"]) - {""}):
        counted = int(cells.loc[cells["cooperative"] == cooperative, "respondents"].sum())
        result[cooperative] = _means(
            counts[counts["cooperative"] == cooperative], counted, min_group_size
        )
    return result


def role_means(
    cells: pd.DataFrame, counts: pd.DataFrame, cooperative: str | None, min_group_size: int
) -> dict[str, dict[str, tuple]] | None:
    """A scope's means by role, or None unless every role counted there reaches the size.

    One small role shown beside the scope's total would give that role away by difference, so
    the breakdown is all or nothing. A pooled rest (role "") is not a role and is not shown."""
    if cooperative is not None:
        cells = cells[cells["cooperative"] == cooperative]
        counts = counts[counts["cooperative"] == cooperative]
    by_role = cells[cells["role"] != ""].groupby("role")["respondents"].sum()
    if by_role.empty or (by_role < min_group_size).any():
        return None
    return {
        role: _means(counts[counts["role"] == role], int(n), min_group_size)
        for role, n in by_role.items()
    }


def status(
    state: str,
    respondents: pd.DataFrame,
    cells: pd.DataFrame,
    counts: pd.DataFrame,
    cooperatives: list[str],
    min_group_size: int,
) -> dict:
    """The `pulse status --json` body (without `month`): participation and means per scope.

    Each scope also has `roles`: its means by role where every role counted there reaches the
    size, else null (see `role_means`). `respondents` counts who answered by group while the month is open (the answers still in
    memory included); once closed, participation is the counted answers. Null below the size."""

    def size(n: int) -> int | None:
        return n if n >= min_group_size else None

    def answered(cooperative: str | None) -> int:
        if state == "closed" or respondents.empty:
            rows = cells if cooperative is None else cells[cells["cooperative"] == cooperative]
            return int(rows["respondents"].sum())
        rows = (
            respondents
            if cooperative is None
            else respondents[respondents["cooperative"] == cooperative]
        )
        return int(rows["n"].sum())

    def counted(cooperative: str | None) -> int:
        rows = cells if cooperative is None else cells[cells["cooperative"] == cooperative]
        return int(rows["respondents"].sum())

    means = axis_means(cells, counts, min_group_size)

    def scope(cooperative: str | None) -> dict:
        shown = size(answered(cooperative)) is not None
        axes = means.get(cooperative) or {}
        roles = role_means(cells, counts, cooperative, min_group_size) if shown else None
        return {
            "respondents": size(answered(cooperative)),
            "counted": counted(cooperative) if shown else None,
            "axes": {axis: (axes.get(axis) or (None, 0))[0] if shown else None for axis in AXES},
            "roles": None
            if roles is None
            else {
                role: {axis: mean for axis, (mean, _n) in by_axis.items()}
                for role, by_axis in roles.items()
            },
        }

    slugs = sorted(set(cooperatives) | (set(cells["cooperative"]) - {""}))
    return {
        "open": state == "open",
        "state": state,
        "network": scope(NETWORK),
        "cooperatives": {slug: scope(slug) for slug in slugs},
    }
