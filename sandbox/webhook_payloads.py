"""Webhook bodies shaped as Discourse serializes them (`{"<type>": payload}`).

Read from discourse/discourse's web hook serializers and discourse-solved:
- `post` (post_created/edited/destroyed/recovered): `WebHookPostSerializer`, a PostSerializer
  without `actions_summary` and the `can_*` flags (so no like counts), with `raw`,
  `topic_title`, `category_id`, `topic_posts_count`, `topic_filtered_posts_count`,
  `topic_archetype` and `category_slug`;
- `topic` (topic_created/edited/destroyed/recovered): `WebHookTopicViewSerializer`, the topic
  view's own fields without its post stream;
- `like` (post_liked): `WebHookLikeSerializer`, `{"post": <web hook post>, "user": <basic user>}`;
- `solved` (accepted_solution, unaccepted_solution): the answer, serialized as a `post` hook;
- `user` (user_created, user_updated): the user as an admin sees it;
- `group_user` (user_added_to_group, user_removed_from_group): `WebHookGroupUserSerializer`.
"""

from __future__ import annotations

from sandbox import views
from sandbox.state import LIKE, Forum, Group, Post, PostAction, Topic, User, iso

#: event name -> event type (the `X-Discourse-Event-Type` header and the body's key)
EVENT_TYPES = {
    "post_created": "post",
    "post_edited": "post",
    "post_destroyed": "post",
    "post_recovered": "post",
    "topic_created": "topic",
    "topic_edited": "topic",
    "topic_destroyed": "topic",
    "topic_recovered": "topic",
    "post_liked": "like",
    "accepted_solution": "solved",
    "unaccepted_solution": "solved",
    "user_created": "user",
    "user_updated": "user",
    "user_added_to_group": "group_user",
    "user_removed_from_group": "group_user",
}

#: PostSerializer keys the web hook serializer leaves out
_POST_EXCLUDED = (
    "actions_summary",
    "can_edit",
    "can_delete",
    "can_recover",
    "can_wiki",
    "can_view_edit_history",
    "yours",
    "flair_url",
    "flair_bg_color",
    "flair_color",
    "can_accept_answer",
    "can_unaccept_answer",
)


def post_payload(forum: Forum, post: Post) -> dict:
    """`WebHookPostSerializer`: what a post hook carries (no like counts)."""
    system = forum.users[-1]
    data = views.post_json(forum, post, system, include_raw=True)
    for key in _POST_EXCLUDED:
        data.pop(key, None)
    topic = forum.topics[post.topic_id]
    category = forum.categories.get(topic.category_id) if topic.category_id else None
    live = forum.topic_posts(topic, with_deleted=False)
    data.update(
        {
            "topic_title": topic.title,
            "category_id": topic.category_id,
            "topic_posts_count": len(live),
            "topic_filtered_posts_count": len(live),
            "topic_archetype": topic.archetype,
            "category_slug": category.slug if category else None,
        }
    )
    return data


def topic_payload(forum: Forum, topic: Topic) -> dict:
    """`WebHookTopicViewSerializer`: the topic's fields, without posts."""
    stats = forum.topic_stats(topic)
    return views.topic_fields(forum, topic) | {
        "created_by": views.basic_user(forum.users[topic.user_id]),
        "last_poster": views.basic_user(forum.users[stats["last_poster_id"]]),
        "tags": [],
    }


def user_payload(forum: Forum, user: User) -> dict:
    """`WebHookUserSerializer`: the account as an admin sees it."""
    return views.user_detail(forum, user)


def group_user_payload(forum: Forum, group: Group, user_id: int) -> dict:
    """`WebHookGroupUserSerializer`: which user joined or left which group."""
    added_at = group.members.get(user_id)
    return {
        "id": group.id * 1_000_000 + user_id,  # GroupUser row id: stable per (group, user)
        "group_id": group.id,
        "user_id": user_id,
        "owner": user_id in group.owners,
        "notification_level": group.default_notification_level,
        "created_at": iso(added_at),
    }


def body_for(forum: Forum, event: str, subject: object) -> dict | None:
    """The `{"<type>": payload}` body of `event` about `subject`; None for unknown events."""
    kind = EVENT_TYPES.get(event)
    if kind in ("post", "solved"):
        payload: object = post_payload(forum, subject)
    elif kind == "topic":
        payload = topic_payload(forum, subject)
    elif kind == "like":
        action: PostAction = subject
        if action.post_action_type_id != LIKE:
            return None
        payload = {
            "post": post_payload(forum, forum.posts[action.post_id]),
            "user": views.basic_user(forum.users[action.user_id]),
        }
    elif kind == "user":
        payload = user_payload(forum, subject)
    elif kind == "group_user":
        group, user_id = subject
        payload = group_user_payload(forum, group, user_id)
    else:
        return None
    return {kind: payload}
