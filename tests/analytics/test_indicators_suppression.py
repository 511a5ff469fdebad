"""`suppression`: primary suppression below the group size, and complementary suppression of
additive figures so that the network minus the shown cooperatives never gives one hidden value."""

from __future__ import annotations

import pandas as pd

from analytics.catalogue import CATALOGUE
from analytics.indicators import NETWORK, suppression


def n_frame(column: str, by_scope: dict[str, int], **others: dict[str, int]) -> pd.DataFrame:
    """The `n` of one month: one row per scope, `column` (and `others`) as given."""
    return pd.DataFrame({column: by_scope, **others})


def withheld(hidden: pd.DataFrame, column: str) -> set[str]:
    return set(hidden.index[hidden[column]])


def test_a_lone_small_cooperative_takes_the_next_smallest_with_it():
    n = n_frame("members", {NETWORK: 59, "a": 20, "b": 4, "c": 7, "d": 28})
    assert withheld(suppression(n, 5), "members") == {"b", "c"}


def test_network_minus_the_shown_cooperatives_no_longer_gives_a_hidden_count():
    members = {"a": 20, "b": 4, "c": 7, "d": 28}
    n = n_frame("members", {NETWORK: sum(members.values()), **members})
    hidden = suppression(n, 5)["members"]
    remainder = sum(members.values()) - sum(v for k, v in members.items() if not hidden[k])
    assert remainder == 11  # b + c together: neither 4 nor 7 can be told apart
    assert remainder not in {members[k] for k in members if hidden[k]}


def test_two_small_cooperatives_need_no_complement():
    n = n_frame("members", {NETWORK: 62, "a": 20, "b": 4, "c": 3, "d": 35})
    assert withheld(suppression(n, 5), "members") == {"b", "c"}


def test_nothing_small_nothing_hidden():
    n = n_frame("topics", {NETWORK: 40, "a": 20, "b": 5, "c": 15})
    assert withheld(suppression(n, 5), "topics") == set()


def test_every_additive_indicator_gets_its_complement():
    for key in CATALOGUE.additive():
        n = n_frame(key, {NETWORK: 30, "a": 2, "b": 9, "c": 19})
        assert withheld(suppression(n, 5), key) == {"a", "b"}, key


def test_rates_and_medians_keep_only_the_primary_suppression():
    for key in ("answered_48h", "first_response_hours", "top_decile_share", "cross_coop_share"):
        n = n_frame(key, {NETWORK: 30, "a": 2, "b": 9, "c": 19})
        assert withheld(suppression(n, 5), key) == {"a"}, key


def test_counts_that_do_not_add_up_keep_only_the_primary_suppression():
    for key in ("overloaded_helpers", "absence_factor", "pulse_autonomie"):
        n = n_frame(key, {NETWORK: 30, "a": 2, "b": 9, "c": 19})
        assert withheld(suppression(n, 5), key) == {"a"}, key


def test_figures_that_would_give_the_complement_back_are_hidden_with_it():
    sizes = {NETWORK: 31, "a": 4, "b": 9, "c": 18}
    active = {NETWORK: 12, "a": 2, "b": 6, "c": 4}
    n = n_frame(
        "members",
        sizes,
        participation_rate=sizes,
        active_members=sizes,
        after_hours=active,
        after_hours_entrepreneur=active,
    )
    hidden = suppression(n, 5)
    assert withheld(hidden, "participation_rate") == {"a", "b"}  # its n is b's members
    assert withheld(hidden, "after_hours") == {"a", "b", "c"}  # its n is b's active members
    assert withheld(hidden, "after_hours_entrepreneur") == {"a", "b", "c"}


def test_ties_take_the_first_cooperative_by_slug():
    n = n_frame("members", {NETWORK: 24, "z": 4, "m": 10, "b": 10})
    assert withheld(suppression(n, 5), "members") == {"z", "b"}


def test_no_data_is_not_a_hidden_value():
    # n = 0 is published as "no data": it hides nothing, so one small cooperative still
    # needs its complement, and a zero never serves as one
    n = n_frame("replies", {NETWORK: 24, "a": 0, "b": 3, "c": 6, "d": 15})
    assert withheld(suppression(n, 5), "replies") == {"a", "b", "c"}


def test_the_network_is_a_complement_only_when_no_cooperative_can_be():
    n = n_frame("members", {NETWORK: 6, "a": 4, "b": 2})
    assert withheld(suppression(n, 5), "members") == {"a", "b"}
    # the network minus nobody would be "a": the network's figure is withheld (issue 19)
    n = n_frame("members", {NETWORK: 6, "a": 4, "b": 0})
    assert withheld(suppression(n, 5), "members") == {"a", "b", NETWORK}


def test_the_group_size_setting_moves_both_rules():
    n = n_frame("members", {NETWORK: 39, "a": 6, "b": 8, "c": 25})
    assert withheld(suppression(n, 5), "members") == set()
    assert withheld(suppression(n, 7), "members") == {"a", "b"}
