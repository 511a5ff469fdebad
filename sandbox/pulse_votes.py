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


def barometer_answers(forum: Forum, seed: int = 0) -> list[tuple[int, list[str], dict]]:
    """Answers to the anonymous barometer page for `campus demo`: (user id, groups, answers).

    The same seeded shares of each cooperative's group answer as for the polls; each axis has a
    usual answer in each cooperative, members answer near it, and some prefer not to answer (None).
    Members of several cooperatives answer once. The caller sends them through Campus's own
    door to the barometer (the sandbox knows nothing of Campus)."""
    rng = random.Random(seed)
    axes = (
        "intensite",
        "exigences_emotionnelles",
        "autonomie",
        "rapports_sociaux",
        "conflits_valeurs",
        "insecurite",
    )
    answered: set[int] = set()
    answers = []
    with forum.lock:
        coops = sorted(
            category.slug
            for category in forum.categories.values()
            if category.parent_category_id is None and forum.group_by_name(category.slug)
        )
        groups_of: dict[int, list[str]] = {}
        for group in forum.groups.values():
            for user_id in forum.group_member_ids(group):
                groups_of.setdefault(user_id, []).append(group.name)
        for coop in coops:
            members = sorted(forum.group_member_ids(forum.group_by_name(coop)))
            share = rng.choice((0.02, 0.1, 0.2, 0.3))
            leaning = {axis: rng.randint(2, 4) for axis in axes}
            for user_id in rng.sample(members, k=min(len(members), round(len(members) * share))):
                values = {
                    axis: None
                    if rng.random() < 0.05
                    else min(5, max(1, leaning[axis] + rng.randint(-1, 1)))
                    for axis in axes
                }
                if user_id not in answered:
                    answered.add(user_id)
                    answers.append((user_id, sorted(groups_of.get(user_id, [])), values))
    return answers
