"""Members answering the open polls of their cooperative, for `campus demo` and pulse tests.

Real members vote in Discourse; the sandbox has no members at a keyboard, so this casts votes
for them: in each cooperative's category, a seeded share of the cooperative's group votes on
every open poll, then the polls are closed (as Discourse does at their closing date). Some
cooperatives get fewer than five voters, so reports show their suppression rule at work.
"""

from __future__ import annotations

import random

from sandbox.state import Forum


def answer_open_polls(forum: Forum, seed: int = 0, *, close: bool = True) -> dict[str, int]:
    """Vote on every open poll in a cooperative category; returns voters per cooperative slug."""
    rng = random.Random(seed)
    voters_by_coop: dict[str, int] = {}
    with forum.lock:
        for post in sorted(forum.posts.values(), key=lambda post: post.id):
            open_polls = [poll for poll in post.polls if poll.status == "open"]
            if not open_polls or post.deleted_at is not None:
                continue
            coop = _cooperative_of(forum, forum.topics[post.topic_id].category_id)
            group = forum.group_by_name(coop) if coop else None
            if group is None:
                continue
            members = sorted(forum.group_member_ids(group))
            share = rng.choice((0.02, 0.1, 0.2, 0.3))
            voters = rng.sample(members, k=min(len(members), round(len(members) * share)))
            for poll in open_polls:
                leaning = rng.randint(1, len(poll.options) - 1)  # the axis's usual answer
                for user_id in voters:
                    choice = min(len(poll.options) - 1, max(0, leaning + rng.randint(-1, 1)))
                    poll.votes[user_id] = [poll.options[choice].id]
                if close:
                    poll.status = "closed"
            voters_by_coop[coop] = len(voters)
    return voters_by_coop


def _cooperative_of(forum: Forum, category_id: int | None) -> str | None:
    """The slug of the top-level category holding `category_id` (a cooperative's slug)."""
    category = forum.categories.get(category_id) if category_id is not None else None
    if category is None:
        return None
    if category.parent_category_id is not None:
        category = forum.categories.get(category.parent_category_id, category)
    return category.slug
