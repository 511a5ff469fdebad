"""Members answering the monthly barometer, for `campus demo`.

The sandbox has no members at a keyboard, so this makes up their answers: in each cooperative, a
seeded share of its group answers. Some cooperatives get fewer than five respondents, so reports
show their suppression rule at work.
"""

from __future__ import annotations

import random

from sandbox.state import Forum


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
