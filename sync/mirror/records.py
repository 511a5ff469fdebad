"""Discourse JSON → mirror rows: pure functions, no I/O (the client fetches, `mirror` writes).

Keeping the translation apart from the HTTP client and from the database (the separation
perceval makes between its client and its backend) lets every rule below be tested on plain
dictionaries. Rows are dicts keyed by the column names of `sync.mirror.schema`; timestamps become naive
UTC datetimes, the form the schema stores.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

LIKE = 2
FLAG_TYPES = frozenset({3, 4, 6, 7, 8})  # off-topic, inappropriate, notify user/moderators, spam
#: listing fields whose change marks a topic for a re-read (see `sync.mirror.pull`)
LISTING_FIELDS = (
    "bumped_at",
    "posts_count",
    "highest_post_number",
    "like_count",
    "has_accepted_answer",
)
ROLE_PRIORITY = ("direction", "appui", "entrepreneur")  # someone in two role groups gets the first


def storable(text: str | None) -> str | None:
    """`text` as both databases can store it: PostgreSQL refuses NUL in text, so a NUL that a
    name or title carries becomes U+FFFD (the replacement character), on SQLite too."""
    return text.replace("\x00", "\ufffd") if text else text


def parse_time(value: str | None) -> datetime | None:
    """Discourse's ISO-8601 timestamp (`…Z` or with an offset) as a naive UTC datetime."""
    if not value:
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def action_count(post: Mapping[str, Any], action_ids: Iterable[int]) -> int:
    """Sum of `actions_summary` counts for the given action types (absent count = 0)."""
    wanted = set(action_ids)
    return sum(
        int(entry.get("count") or 0)
        for entry in post.get("actions_summary") or []
        if entry.get("id") in wanted
    )


def post_row(post: Mapping[str, Any]) -> dict[str, Any]:
    """A `posts` row from a post object of `/posts.json`, a topic view or `/t/{id}/posts.json`."""
    return {
        "id": post["id"],
        "topic_id": post["topic_id"],
        "post_number": post["post_number"],
        "reply_to_post_number": post.get("reply_to_post_number"),
        "user_id": post.get("user_id"),
        "created_at": parse_time(post["created_at"]),
        "updated_at": parse_time(post.get("updated_at")),
        "deleted_at": parse_time(post.get("deleted_at")),
        "post_type": post.get("post_type") or 1,
        "version": post.get("version") or 1,
        "like_count": action_count(post, [LIKE]),
        "flag_count": action_count(post, FLAG_TYPES),
        "hidden": bool(post.get("hidden")),
        "accepted_answer": bool(post.get("accepted_answer")),
    }


def listing_row(topic: Mapping[str, Any]) -> dict[str, Any]:
    """The `topics` columns a `/latest.json` item gives (what the listing walk compares and keeps)."""
    author = next(
        (
            poster.get("user_id")
            for poster in topic.get("posters") or []
            if "Original Poster" in (poster.get("description") or "")
        ),
        None,
    )
    row = {
        "id": topic["id"],
        "title": storable(topic.get("title") or ""),
        "category_id": topic.get("category_id"),
        "archetype": topic.get("archetype") or "regular",
        "created_at": parse_time(topic["created_at"]),
        "last_posted_at": parse_time(topic.get("last_posted_at")),
        "bumped_at": parse_time(topic.get("bumped_at")),
        "posts_count": topic.get("posts_count") or 0,
        "highest_post_number": topic.get("highest_post_number") or 0,
        "like_count": topic.get("like_count") or 0,
        "has_accepted_answer": bool(topic.get("has_accepted_answer")),
        "closed": bool(topic.get("closed")),
        "visible": topic.get("visible", True) is not False,
        "pinned": bool(topic.get("pinned")),
    }
    if author is not None:
        row["user_id"] = author
    return row


def listing_changed(stored: Mapping[str, Any] | None, listed: Mapping[str, Any]) -> bool:
    """Whether a listed topic differs from the mirror on any field of `LISTING_FIELDS`."""
    if stored is None:
        return True
    return any(stored.get(name) != listed.get(name) for name in LISTING_FIELDS)


def topic_view_row(view: Mapping[str, Any]) -> dict[str, Any]:
    """The `topics` columns of a `/t/{id}.json` topic view (what an admin sees, deleted_at included)."""
    posts = view.get("post_stream", {}).get("posts") or []
    accepted = view.get("accepted_answer") or {}
    accepted_post = next(
        (post for post in posts if post.get("post_number") == accepted.get("post_number")), None
    )
    return {
        "id": view["id"],
        "title": storable(view.get("title") or ""),
        "category_id": view.get("category_id"),
        "user_id": view.get("user_id"),
        "archetype": view.get("archetype") or "regular",
        "created_at": parse_time(view["created_at"]),
        "last_posted_at": parse_time(view.get("last_posted_at")),
        "deleted_at": parse_time(view.get("deleted_at")),
        "posts_count": view.get("posts_count") or 0,
        "highest_post_number": view.get("highest_post_number") or 0,
        "like_count": view.get("like_count") or 0,
        "has_accepted_answer": accepted_post is not None,
        "closed": bool(view.get("closed")),
        "visible": view.get("visible", True) is not False,
        "pinned": bool(view.get("pinned")),
        "accepted_post_id": accepted_post["id"] if accepted_post else None,
    }


def stub_topic_row(post: Mapping[str, Any]) -> dict[str, Any]:
    """A provisional `topics` row from a `/posts.json` item whose topic the mirror lacks.

    The listing or a topic view replaces it; until then it carries what the post knows.
    """
    return {
        "id": post["topic_id"],
        "title": storable(post.get("topic_title") or ""),
        "category_id": post.get("category_id"),
        "archetype": "regular",
        "created_at": parse_time(post["created_at"]),
        "needs_check": True,
    }


def user_row(user: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """A `users` row from an `/admin/users/list/{flag}.json` item (`now`: naive UTC)."""
    suspended_till = parse_time(user.get("suspended_till"))
    return {
        "id": user["id"],
        "username": user["username"],
        "name": storable(user.get("name")),
        "created_at": parse_time(user.get("created_at")),
        "last_seen_at": parse_time(user.get("last_seen_at")),
        "trust_level": user.get("trust_level") or 0,
        "admin": bool(user.get("admin")),
        "moderator": bool(user.get("moderator")),
        "active": user.get("active", True) is not False,
        "staged": bool(user.get("staged")),
        "suspended": suspended_till is not None and suspended_till > now,
        "deleted": False,
    }


def member_row(member: Mapping[str, Any]) -> dict[str, Any]:
    """A `users` row from a `/groups/{name}/members.json` item (GroupUserSerializer).

    A member object carries no creation date, trust level or staff, staged and suspension
    flags: the row leaves those columns alone (`mirror.upsert` writes only the keys given).
    The full sync builds the row of a staff account in no group from its staff-list item the
    same way, so that every way of reading the accounts writes the same columns.
    """
    return {
        "id": member["id"],
        "username": member["username"],
        "name": storable(member.get("name")),
        "last_seen_at": parse_time(member.get("last_seen_at")),
        "deleted": False,
    }


def staff_row(user: Mapping[str, Any]) -> dict[str, Any]:
    """The staff flags of an `/admin/users/list/staff.json` item."""
    return {
        "id": user["id"],
        "admin": bool(user.get("admin")),
        "moderator": bool(user.get("moderator")),
    }


def group_row(group: Mapping[str, Any]) -> dict[str, Any]:
    """A `groups` row from a BasicGroupSerializer object (`/groups.json`, `/groups/search.json`)."""
    return {
        "id": group["id"],
        "name": group["name"],
        "full_name": storable(group.get("full_name")),
        "automatic": bool(group.get("automatic")),
        "user_count": group.get("user_count") or 0,
    }


def category_row(category: Mapping[str, Any]) -> dict[str, Any]:
    """A `categories` row from a `/site.json` category (accepted answers from Solved's custom field)."""
    custom = category.get("custom_fields") or {}
    return {
        "id": category["id"],
        "name": storable(category["name"]),
        "slug": category["slug"],
        "parent_id": category.get("parent_category_id"),
        "color": category.get("color"),
        "read_restricted": bool(category.get("read_restricted")),
        "accepted_answers": str(custom.get("enable_accepted_answers", "")).lower() == "true",
    }


def poll_rows(post: Mapping[str, Any]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Each poll of a post as (`polls` row without id, its `poll_options` rows without poll_id).

    Only aggregate counts are kept: who voted what never enters the mirror.
    """
    polls = []
    for poll in post.get("polls") or []:
        row = {
            "post_id": post["id"],
            "topic_id": post["topic_id"],
            "name": poll.get("name") or "poll",
            "status": poll.get("status") or "open",
            "close_at": parse_time(poll.get("close")),
            "voters": poll.get("voters") or 0,
        }
        options = [
            {
                "option_id": option["id"],
                "position": position,
                "label": option.get("html") or "",
                "votes": option.get("votes") or 0,
            }
            for position, option in enumerate(poll.get("options") or [])
        ]
        polls.append((row, options))
    return polls


def missing_post_numbers(highest_post_number: int, seen: Iterable[int]) -> list[int]:
    """Post numbers in 1..highest that the mirror lacks (deleted, hidden, small actions…)."""
    return sorted(set(range(1, highest_post_number + 1)) - set(seen))


def matches_listing(topic: Mapping[str, Any], posts: Iterable[tuple]) -> bool:
    """Whether the mirrored posts of a topic agree with its stored listing fields.

    `posts` are (post_number, deleted_at, like_count) of every mirrored post of the topic. They
    must cover 1..highest_post_number, the live ones must number posts_count and carry
    like_count likes, and an accepted answer must be known exactly when the listing says so.
    """
    posts = list(posts)
    live = [post for post in posts if post[1] is None]
    return (
        not missing_post_numbers(topic["highest_post_number"], [post[0] for post in posts])
        and len(live) == topic["posts_count"]
        and sum(post[2] for post in live) == topic["like_count"]
        and (topic["accepted_post_id"] is not None) == bool(topic["has_accepted_answer"])
    )


def affiliations(
    memberships: Iterable[tuple[int, str]],
    cooperative_groups: Iterable[str],
    role_groups: Mapping[str, str],
) -> dict[int, tuple[str | None, str | None]]:
    """Each member's (cooperative, role) from (user_id, group name) memberships.

    A cooperative is a group named by a cooperative's slug; someone in several gets the first by
    name. The role comes from the template's role groups, the most responsible role first
    (direction, then appui, then entrepreneur). Users without either get None.
    """
    coops = set(cooperative_groups)
    role_of_group = {group: role for role, group in role_groups.items()}
    found: dict[int, tuple[list[str], list[str]]] = {}
    for user_id, group in memberships:
        user_coops, user_roles = found.setdefault(user_id, ([], []))
        if group in coops:
            user_coops.append(group)
        if group in role_of_group:
            user_roles.append(role_of_group[group])
    result = {}
    for user_id, (user_coops, user_roles) in found.items():
        role = next((role for role in ROLE_PRIORITY if role in user_roles), None)
        result[user_id] = (min(user_coops) if user_coops else None, role)
    return result


def topic_tags(topic: Mapping[str, Any]) -> list[str] | None:
    """A topic's tag names from a listing item or topic view; None when the object has no `tags`.

    Current Discourse sends objects (`{"id", "name", "slug"}`), older versions plain names."""
    tags = topic.get("tags")
    if tags is None:
        return None
    names = (tag.get("name") if isinstance(tag, Mapping) else tag for tag in tags)
    return list(dict.fromkeys(str(name) for name in names if name))


def category_permission_rows(category: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """`category_permissions` rows of a category; None when it does not list `group_permissions`
    (real Discourse's `/site.json`: then `/c/{id}/show.json` has them)."""
    listed = category.get("group_permissions")
    if listed is None:
        return None
    return [
        {
            "category_id": category["id"],
            "group_name": item["group_name"],
            "permission_type": int(item["permission_type"]),
        }
        for item in listed
    ]
