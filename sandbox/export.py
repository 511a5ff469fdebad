"""The whole sandbox forum as JSON-ready data, for tests that compare a mirror with the truth."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from sandbox.state import Forum, iso


def _plain(value):
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        items = [_plain(item) for item in value]
        return sorted(items) if isinstance(value, set) else items
    return value


def export_forum(forum: Forum) -> dict:
    """Every object of `forum` by kind (lists sorted by id), timestamps in Discourse's format.

    Groups also carry `member_ids`, computed for automatic groups (admins, trust_level_1…).
    """
    with forum.lock:
        kinds = {
            "users": forum.users,
            "groups": forum.groups,
            "categories": forum.categories,
            "topics": forum.topics,
            "posts": forum.posts,
            "post_actions": forum.post_actions,
            "badges": forum.badges,
            "user_badges": forum.user_badges,
            "invites": forum.invites,
        }
        exported = {
            kind: [_plain(asdict(item)) for _, item in sorted(objects.items())]
            for kind, objects in kinds.items()
        }
        for group in exported["groups"]:
            group["member_ids"] = sorted(forum.group_member_ids(forum.groups[group["id"]]))
        return exported
