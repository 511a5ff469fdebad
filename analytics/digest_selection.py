"""What the network learned in a month (`campus digest`, DESIGN §12): pure selection.

A solved question belongs to the month its answer was accepted in (the accepted post's date
when the mirror does not know when it was accepted: `dated_by_acceptance` false, and the
digest says so). The network digest keeps only questions
from categories every member can read: not read-restricted, and, when the mirror knows the
category's group permissions, open to `everyone`. A cooperative's digest keeps the questions of
its own categories (its top-level category and their subcategories). A question's theme is its
first tag (alphabetically), else its category's name.
"""

from __future__ import annotations

import pandas as pd


def readable_by_everyone(solved: pd.DataFrame, permissions: pd.DataFrame) -> pd.Series:
    """Per row of `solved`: whether its category is open to every member of the forum."""
    listed = permissions.groupby("category_id")["group_name"].agg(set)
    open_listing = solved["category_id"].map(
        lambda category_id: category_id not in listed.index or "everyone" in listed[category_id]
    )
    return ~solved["read_restricted"] & open_listing.astype(bool)


def digest_entries(
    solved: pd.DataFrame,
    tags: pd.DataFrame,
    permissions: pd.DataFrame,
    scope: str | None,
) -> pd.DataFrame:
    """The month's solved questions of `scope` (None: the network) with their theme, ordered by
    theme then date. Columns: those of `solved` plus `theme`."""
    if scope is None:
        chosen = solved[readable_by_everyone(solved, permissions)]
    else:
        chosen = solved[solved["root_slug"] == scope]
    first_tag = tags.sort_values("tag").drop_duplicates("topic_id").set_index("topic_id")["tag"]
    tag = chosen["topic_id"].map(first_tag)
    theme = [
        str(name) if isinstance(name, str) else str(category)
        for name, category in zip(tag, chosen["category_name"], strict=True)
    ]
    chosen = chosen.assign(theme=theme)
    return chosen.sort_values(["theme", "solved_at", "topic_id"]).reset_index(drop=True)


def helpers_to_thank(entries: pd.DataFrame, optout_ids: set[int]) -> tuple[list[str], int]:
    """(usernames to thank, how many other helpers are not named): the authors of the accepted
    answers, sorted, without system accounts; members of the opt-out group are never named."""
    helpers = entries[entries["helper_id"] > 0].drop_duplicates("helper_id")
    named = helpers[~helpers["helper_id"].isin(optout_ids) & helpers["helper_username"].notna()]
    return sorted(named["helper_username"].tolist(), key=str.lower), len(helpers) - len(named)
