"""JSON shapes of the sandbox answers: the keys and nesting real Discourse serializers produce.

Each function turns state objects into the dict Discourse would send for the acting user (always
an admin here: the sandbox, like Campus, talks to the forum with an admin API key).
"""

from __future__ import annotations

from sandbox.polls import Poll
from sandbox.state import (
    FLAG_TYPES,
    LIKE,
    POST_ACTION_TYPES,
    Badge,
    Category,
    Forum,
    Group,
    Post,
    Topic,
    User,
    UserBadge,
    iso,
)


def avatar_template(user: User) -> str:
    """The letter-avatar template Discourse gives accounts without an uploaded picture."""
    return f"/letter_avatar_proxy/v4/letter/{user.username[0].lower()}/8e7dd6/{{size}}.png"


def basic_user(user: User) -> dict:
    """The small user object embedded in lists (posters, voters, likers…)."""
    return {
        "id": user.id,
        "username": user.username,
        "name": user.name,
        "avatar_template": avatar_template(user),
        "title": user.title,
    }


def group_json(forum: Forum, group: Group) -> dict:
    """BasicGroupSerializer."""
    return {
        "id": group.id,
        "automatic": group.automatic,
        "name": group.name,
        "display_name": group.name,
        "user_count": len(forum.group_member_ids(group)),
        "mentionable_level": group.mentionable_level,
        "messageable_level": group.messageable_level,
        "visibility_level": group.visibility_level,
        "primary_group": group.primary_group,
        "title": group.title,
        "grant_trust_level": group.grant_trust_level,
        "incoming_email": None,
        "has_messages": False,
        "flair_url": group.flair_icon,
        "flair_bg_color": group.flair_bg_color,
        "flair_color": group.flair_color,
        "bio_raw": group.bio_raw,
        "bio_cooked": f"<p>{group.bio_raw}</p>" if group.bio_raw else None,
        "bio_excerpt": group.bio_raw or None,
        "public_admission": group.public_admission,
        "public_exit": group.public_exit,
        "allow_membership_requests": False,
        "full_name": group.full_name,
        "default_notification_level": group.default_notification_level,
        "membership_request_template": None,
        "members_visibility_level": 0,
        "can_see_members": True,
        "can_admin_group": True,
        "publish_read_state": False,
    }


def category_counts(forum: Forum) -> dict[int, tuple[int, int]]:
    """Per category id: (counted topics, their live posts) — computed once per answer."""
    counts: dict[int, tuple[int, int]] = {}
    for topic in forum.topics.values():
        if topic.category_id is not None and forum.is_counted_topic(topic):
            topics, posts = counts.get(topic.category_id, (0, 0))
            counts[topic.category_id] = (
                topics + 1,
                posts + len(forum.topic_posts(topic, with_deleted=False)),
            )
    return counts


def category_json(
    forum: Forum,
    category: Category,
    *,
    counts: dict[int, tuple[int, int]] | None = None,
    with_subcategory_list: bool = False,
) -> dict:
    """CategorySerializer (as in /categories.json, /site.json and category create/show)."""
    counts = category_counts(forum) if counts is None else counts
    topic_count, post_count = counts.get(category.id, (0, 0))
    children = sorted(
        (other for other in forum.categories.values() if other.parent_category_id == category.id),
        key=lambda other: (other.position, other.id),
    )
    groups = {group.name: group.id for group in forum.groups.values()}
    data = {
        "id": category.id,
        "name": category.name,
        "color": category.color,
        "text_color": category.text_color,
        "slug": category.slug,
        "topic_count": topic_count,
        "post_count": post_count,
        "position": category.position,
        "description": category.description,
        "description_text": category.description,
        "description_excerpt": category.description,
        "topic_url": None,
        "read_restricted": category.read_restricted,
        "permission": 1,
        "notification_level": 1,
        "can_edit": True,
        "topic_template": None,
        "has_children": bool(children),
        "sort_order": None,
        "sort_ascending": None,
        "show_subcategory_list": False,
        "num_featured_topics": 3,
        "default_view": None,
        "subcategory_list_style": "rows_with_featured_topics",
        "default_top_period": "all",
        "default_list_filter": "all",
        "minimum_required_tags": 0,
        "navigate_to_first_post_after_read": False,
        "uploaded_logo": None,
        "uploaded_background": None,
        "custom_fields": dict(category.custom_fields),
        "group_permissions": [
            {"permission_type": permission, "group_name": name, "group_id": groups.get(name)}
            for name, permission in sorted(category.permissions.items())
        ],
        "subcategory_ids": [child.id for child in children],
    }
    if category.parent_category_id is not None:
        data["parent_category_id"] = category.parent_category_id
    if with_subcategory_list:
        data["subcategory_list"] = [
            category_json(forum, child, counts=counts) for child in children
        ]
    return data


def actions_summary(forum: Forum, post: Post) -> list[dict]:
    """Like entry plus flag entries; `count` only when positive, like Discourse."""
    summary = []
    for action_type in (LIKE, *FLAG_TYPES):
        entry: dict = {"id": action_type}
        count = forum.action_count(post, action_type)
        if count:
            entry["count"] = count
        entry["can_act"] = True
        summary.append(entry)
    return summary


def results_visible(forum: Forum, poll: Poll, post: Post, viewer: User) -> bool:
    """Poll plugin rule: always, closed, on_vote once voted (or author), staff_only for staff."""
    if poll.results == "staff_only":
        return viewer.staff
    voted = viewer.id in poll.votes or viewer.id == post.user_id
    return (
        poll.results == "always" or poll.status == "closed" or (poll.results == "on_vote" and voted)
    )


def poll_json(forum: Forum, poll: Poll, post: Post, viewer: User) -> dict:
    """PollSerializer for `viewer`: vote counts and public voters only where results are visible."""
    visible = results_visible(forum, poll, post, viewer)
    counts = {option.id: 0 for option in poll.options}
    for choice in poll.votes.values():
        for option_id in choice:
            counts[option_id] = counts.get(option_id, 0) + 1
    options = []
    for option in poll.options:
        entry = {"id": option.id, "html": option.text}
        if visible:
            entry["votes"] = counts[option.id]
        options.append(entry)
    data: dict = {
        "name": poll.name,
        "type": poll.type,
        "status": poll.status,
        "results": poll.results,
        "options": options,
        "voters": len(poll.votes),
        "chart_type": poll.chart_type,
        "title": poll.title,
    }
    if poll.public:
        data["public"] = True
        if visible:
            data["preloaded_voters"] = {
                option.id: [
                    basic_user(forum.users[user_id])
                    for user_id, choice in poll.votes.items()
                    if option.id in choice
                ]
                for option in poll.options
            }
    for key in ("min", "max", "step", "close", "groups"):
        if getattr(poll, key) is not None:
            data[key] = getattr(poll, key)
    return data


def post_json(
    forum: Forum, post: Post, acting: User, *, include_raw: bool = False, for_list: bool = False
) -> dict:
    """PostSerializer (+ Solved and Poll plugin fields); `for_list` adds /posts.json topic keys."""
    user = forum.users[post.user_id]
    topic = forum.topics[post.topic_id]
    data = {
        "id": post.id,
        "name": user.name,
        "username": user.username,
        "avatar_template": avatar_template(user),
        "created_at": iso(post.created_at),
        "cooked": post.cooked,
        "post_number": post.post_number,
        "post_type": post.post_type,
        "updated_at": iso(post.updated_at),
        "reply_count": forum.reply_count_of(post),
        "reply_to_post_number": post.reply_to_post_number,
        "quote_count": 0,
        "incoming_link_count": 0,
        "reads": 1 + len(forum.likes_of(post)),
        "readers_count": len(forum.likes_of(post)),
        "score": float(len(forum.likes_of(post))),
        "yours": post.user_id == acting.id,
        "topic_id": topic.id,
        "topic_slug": topic.slug,
        "display_username": user.name,
        "primary_group_name": None,
        "flair_name": None,
        "flair_url": None,
        "flair_bg_color": None,
        "flair_color": None,
        "version": post.version,
        "can_edit": True,
        "can_delete": True,
        "can_recover": post.deleted_at is not None,
        "can_wiki": True,
        "user_title": user.title,
        "bookmarked": False,
        "actions_summary": actions_summary(forum, post),
        "moderator": user.moderator,
        "admin": user.admin,
        "staff": user.staff,
        "user_id": user.id,
        "hidden": post.hidden,
        "trust_level": user.trust_level,
        "deleted_at": iso(post.deleted_at),
        "user_deleted": False,
        "edit_reason": post.edit_reason,
        "can_view_edit_history": True,
        "wiki": post.wiki,
        "can_accept_answer": _can_accept(forum, topic, post)
        and topic.accepted_answer_post_id != post.id,
        "can_unaccept_answer": topic.accepted_answer_post_id == post.id,
        "accepted_answer": topic.accepted_answer_post_id == post.id,
        "topic_accepted_answer": topic.accepted_answer_post_id is not None,
    }
    if post.reply_to_post_number:
        replied = next(
            (
                forum.posts[pid]
                for pid in topic.post_ids
                if forum.posts[pid].post_number == post.reply_to_post_number
            ),
            None,
        )
        if replied is not None:
            replied_user = forum.users[replied.user_id]
            data["reply_to_user"] = {
                "username": replied_user.username,
                "name": replied_user.name,
                "avatar_template": avatar_template(replied_user),
            }
    if post.polls:
        data["polls"] = [poll_json(forum, poll, post, acting) for poll in post.polls]
        votes = {poll.name: poll.votes[acting.id] for poll in post.polls if acting.id in poll.votes}
        if votes:
            data["polls_votes"] = votes
    if for_list:
        data["topic_title"] = topic.title
        data["topic_html_title"] = topic.title
        data["category_id"] = topic.category_id
        data["post_url"] = f"/t/{topic.slug}/{topic.id}/{post.post_number}"
        data["excerpt"] = post.raw[:300]
        data["truncated"] = len(post.raw) > 300
    if include_raw:
        data["raw"] = post.raw
    return data


def _can_accept(forum: Forum, topic: Topic, post: Post) -> bool:
    return _category_accepts(forum, topic) and post.post_number > 1 and not topic.is_private_message


def topic_list_item(forum: Forum, topic: Topic) -> dict:
    """TopicListItemSerializer (+ Solved's has_accepted_answer)."""
    stats = forum.topic_stats(topic)
    first = forum.posts[topic.post_ids[0]]
    posters = []
    participant_ids = stats["participant_ids"]
    for index, user_id in enumerate(participant_ids[:5]):
        if index == 0:
            description = "Original Poster"
        elif user_id == stats["last_poster_id"]:
            description = "Most Recent Poster"
        else:
            description = "Frequent Poster"
        extras = "latest" if user_id == stats["last_poster_id"] else None
        posters.append(
            {
                "extras": extras,
                "description": description,
                "user_id": user_id,
                "primary_group_id": None,
            }
        )
    return {
        "id": topic.id,
        "title": topic.title,
        "fancy_title": topic.title,
        "slug": topic.slug,
        "posts_count": stats["posts_count"],
        "reply_count": stats["reply_count"],
        "highest_post_number": stats["highest_post_number"],
        "image_url": None,
        "created_at": iso(topic.created_at),
        "last_posted_at": iso(stats["last_posted_at"]),
        "bumped": True,
        "bumped_at": iso(topic.bumped_at),
        "archetype": topic.archetype,
        "unseen": False,
        "pinned": topic.pinned,
        "unpinned": None,
        "visible": topic.visible,
        "closed": topic.closed,
        "archived": topic.archived,
        "bookmarked": None,
        "liked": None,
        "tags": topic_tags(forum, topic),
        "tags_descriptions": {},
        "views": topic.views,
        "like_count": stats["like_count"],
        "has_summary": False,
        "last_poster_username": forum.users[stats["last_poster_id"]].username,
        "category_id": topic.category_id,
        "pinned_globally": topic.pinned,
        "featured_link": None,
        "has_accepted_answer": topic.accepted_answer_post_id is not None,
        "can_have_answer": _category_accepts(forum, topic),
        "op_like_count": len(forum.likes_of(first)),
        "posters": posters,
    }


def _category_accepts(forum: Forum, topic: Topic) -> bool:
    category = forum.categories.get(topic.category_id) if topic.category_id else None
    return bool(category and category.accepts_answers)


def accepted_answer_json(forum: Forum, topic: Topic) -> dict | None:
    """Solved's topic `accepted_answer` object."""
    if topic.accepted_answer_post_id is None:
        return None
    post = forum.posts[topic.accepted_answer_post_id]
    author = forum.users[post.user_id]
    data = {
        "post_number": post.post_number,
        "username": author.username,
        "name": author.name,
        "excerpt": post.raw[:300],
    }
    if topic.accepted_by is not None and topic.accepted_by in forum.users:
        accepter = forum.users[topic.accepted_by]
        data["accepter_username"] = accepter.username
        data["accepter_name"] = accepter.name
    return data


def user_list_item(user: User, *, post_count: int, show_emails: bool) -> dict:
    """AdminUserListSerializer."""
    data = {
        "id": user.id,
        "username": user.username,
        "name": user.name,
        "avatar_template": avatar_template(user),
        "active": user.active,
        "admin": user.admin,
        "moderator": user.moderator,
        "last_seen_at": iso(user.last_seen_at),
        "last_emailed_at": None,
        "created_at": iso(user.created_at),
        "trust_level": user.trust_level,
        "manual_locked_trust_level": None,
        "title": user.title,
        "time_read": 0,
        "staged": user.staged,
        "days_visited": 0,
        "posts_read_count": 0,
        "topics_entered": 0,
        "post_count": post_count,
    }
    if user.suspended_till is not None:
        data["suspended_at"] = iso(user.created_at)
        data["suspended_till"] = iso(user.suspended_till)
    if show_emails:
        data["email"] = user.email
        data["secondary_emails"] = []
    return data


def user_detail(forum: Forum, user: User) -> dict:
    """UserSerializer (public profile, as an admin sees it)."""
    posts = [
        post for post in forum.posts.values() if post.user_id == user.id and post.deleted_at is None
    ]
    topics = [
        topic
        for topic in forum.topics.values()
        if topic.user_id == user.id and forum.is_counted_topic(topic)
    ]
    last_posted = max((post.created_at for post in posts), default=None)
    groups = forum.groups_of(user)
    return {
        "id": user.id,
        "username": user.username,
        "name": user.name,
        "avatar_template": avatar_template(user),
        "email": user.email,
        "last_posted_at": iso(last_posted),
        "last_seen_at": iso(user.last_seen_at),
        "created_at": iso(user.created_at),
        "ignored": False,
        "muted": False,
        "can_ignore_user": False,
        "can_mute_user": False,
        "can_send_private_messages": True,
        "can_send_private_message_to_user": True,
        "trust_level": user.trust_level,
        "moderator": user.moderator,
        "admin": user.admin,
        "title": user.title,
        "badge_count": sum(1 for grant in forum.user_badges.values() if grant.user_id == user.id),
        "post_count": len(posts),
        "topic_count": len(topics),
        "time_read": 0,
        "recent_time_read": 0,
        "profile_view_count": 0,
        "active": user.active,
        "staged": user.staged,
        "suspended_till": iso(user.suspended_till),
        "user_fields": {},
        "custom_fields": {},
        "groups": [group_json(forum, group) for group in groups],
        "group_users": [
            {
                "group_id": group.id,
                "user_id": user.id,
                "notification_level": 3,
                "owner": user.id in group.owners,
            }
            for group in groups
        ],
    }


def badge_json(badge: Badge) -> dict:
    """BadgeSerializer."""
    return {
        "id": badge.id,
        "name": badge.name,
        "description": badge.description,
        "grant_count": 0,
        "allow_title": False,
        "multiple_grant": badge.multiple_grant,
        "icon": badge.icon,
        "image_url": None,
        "listable": True,
        "enabled": badge.enabled,
        "badge_grouping_id": 5,
        "system": badge.system,
        "slug": badge.name.lower().replace(" ", "-"),
        "manually_grantable": not badge.system,
        "badge_type_id": badge.badge_type_id,
    }


def user_badge_json(grant: UserBadge) -> dict:
    """UserBadgeSerializer."""
    return {
        "id": grant.id,
        "granted_at": iso(grant.granted_at),
        "created_at": iso(grant.granted_at),
        "count": 1,
        "post_id": None,
        "post_number": None,
        "badge_id": grant.badge_id,
        "user_id": grant.user_id,
        "granted_by_id": grant.granted_by_id,
        "reason": grant.reason,
    }


BADGE_TYPES = [
    {"id": 1, "name": "Gold", "sort_order": 9},
    {"id": 2, "name": "Silver", "sort_order": 8},
    {"id": 3, "name": "Bronze", "sort_order": 7},
]


def post_action_types() -> list[dict]:
    """`/site.json` post_action_types."""
    return [
        {
            "id": type_id,
            "name_key": key,
            "name": label,
            "description": label,
            "short_description": label,
            "is_flag": type_id != LIKE,
            "is_custom_flag": type_id in (6, 7),
        }
        for type_id, (key, label) in POST_ACTION_TYPES.items()
    ]


def solved_post_json(forum: Forum, topic: Topic, post: Post) -> dict:
    """DiscourseSolved::SolvedPostSerializer: an accepted answer in `/solution/by_user.json`."""
    user = forum.users[post.user_id]
    return {
        "created_at": iso(post.created_at),
        "archived": topic.archived,
        "avatar_template": avatar_template(user),
        "category_id": topic.category_id,
        "closed": topic.closed,
        "cooked": post.cooked,
        "excerpt": post.raw[:300],
        "name": user.name,
        "post_id": post.id,
        "post_number": post.post_number,
        "post_type": post.post_type,
        "raw": post.raw,
        "slug": topic.slug,
        "topic_id": topic.id,
        "topic_title": topic.title,
        "truncated": len(post.raw) > 300,
        "url": f"/t/{topic.slug}/{topic.id}/{post.post_number}",
        "user_id": user.id,
        "username": user.username,
    }


def topic_tags(forum: Forum, topic: Topic) -> list:
    """A topic's tags in the forum's shape: `{id, name, slug}` objects, or names (older)."""
    if forum.tag_shape == "names":
        return list(topic.tags)
    return [{"id": forum.tag_id(name), "name": name, "slug": name} for name in topic.tags]


def topic_fields(forum: Forum, topic: Topic) -> dict:
    """The fields of a topic that both the topic view (`TopicViewSerializer`) and its web hook
    (`WebHookTopicViewSerializer`) carry; counts are of live posts."""
    stats = forum.topic_stats(topic)
    posts = forum.topic_posts(topic, with_deleted=False)
    return {
        "id": topic.id,
        "title": topic.title,
        "fancy_title": topic.title,
        "posts_count": stats["posts_count"],
        "created_at": iso(topic.created_at),
        "views": topic.views,
        "reply_count": stats["reply_count"],
        "like_count": stats["like_count"],
        "last_posted_at": iso(stats["last_posted_at"]),
        "visible": topic.visible,
        "closed": topic.closed,
        "archived": topic.archived,
        "archetype": topic.archetype,
        "slug": topic.slug,
        "category_id": topic.category_id,
        "word_count": sum(len(post.raw.split()) for post in posts),
        "deleted_at": iso(topic.deleted_at),
        "user_id": topic.user_id,
        "featured_link": None,
        "pinned_globally": topic.pinned,
        "pinned_at": iso(topic.created_at) if topic.pinned else None,
        "pinned_until": None,
        "unpinned": None,
        "pinned": topic.pinned,
        "highest_post_number": stats["highest_post_number"],
        "deleted_by": None,
        "bookmarked": False,
        "participant_count": len(stats["participant_ids"]),
        "thumbnails": None,
    }
