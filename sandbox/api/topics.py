"""TopicsController: show a topic, page through its posts, rename or move it."""

from __future__ import annotations

from collections import Counter

from sandbox import views
from sandbox.api.common import MIN_TITLE, Controller, split_list, validation_error
from sandbox.routing import Request, Router

CHUNK_SIZE = 20


class TopicsController(Controller):
    """One topic: its first chunk of posts and details, posts by id or number, its update."""

    def register(self, router: Router) -> None:
        """Add this controller's routes to `router`."""
        add = router.add
        add("GET", "/t/{id}/posts.json", self.topic_posts)
        add("PUT", "/t/-/{id}.json", self.topic_update)
        add("GET", "/t/{slug}/{id}.json", self.topic_show)
        add("GET", "/t/{id}.json", self.topic_show)

    def topic_show(self, request: Request) -> tuple[int, object]:
        forum = self.forum
        topic = self._topic(request.path_params["id"])
        posts = forum.topic_posts(topic)
        stats = forum.topic_stats(topic)
        acting = request.user
        creator = forum.users[topic.user_id]
        last_poster = forum.users[stats["last_poster_id"]]
        participants = Counter(post.user_id for post in posts if post.deleted_at is None)
        data = {
            "post_stream": {
                "posts": [views.post_json(forum, post, acting) for post in posts[:CHUNK_SIZE]],
                "stream": [post.id for post in posts],
            },
            "timeline_lookup": [[1, 0]],
            "suggested_topics": [],
            "tags": views.topic_tags(forum, topic),
            "tags_descriptions": {},
            **views.topic_fields(forum, topic),
            "has_summary": False,
            "image_url": None,
            "slow_mode_seconds": 0,
            "draft": None,
            "draft_key": f"topic_{topic.id}",
            "draft_sequence": 0,
            "current_post_number": 1,
            "has_deleted": any(post.deleted_at is not None for post in posts),
            "actions_summary": [],
            "chunk_size": CHUNK_SIZE,
            "bookmarks": [],
            "topic_timer": None,
            "message_bus_last_id": 0,
            "show_read_indicator": False,
            "slow_mode_enabled_until": None,
            "has_accepted_answer": topic.accepted_answer_post_id is not None,
            "details": {
                "can_edit": True,
                "notification_level": 1,
                "can_delete": True,
                "can_recover": topic.deleted_at is not None,
                "can_create_post": True,
                "can_reply_as_new_topic": True,
                "created_by": {**views.basic_user(creator)},
                "last_poster": {**views.basic_user(last_poster)},
                "participants": [
                    {**views.basic_user(forum.users[user_id]), "post_count": count}
                    for user_id, count in participants.most_common()
                ],
            },
        }
        if topic.is_private_message:
            data["details"]["allowed_users"] = [
                views.basic_user(forum.users[i]) for i in topic.allowed_user_ids
            ]
            data["details"]["allowed_groups"] = []
        accepted = views.accepted_answer_json(forum, topic)
        if accepted is not None:
            data["accepted_answer"] = accepted
        return 200, data

    def topic_posts(self, request: Request) -> tuple[int, object]:
        forum = self.forum
        topic = self._topic(request.path_params["id"])
        wanted = request.get("post_ids")
        include_raw = request.get("include_raw") not in (None, "", "false")
        posts = forum.topic_posts(topic)
        if wanted is not None:
            ids = {int(value) for value in split_list(wanted) if value.isdigit()}
            posts = [post for post in posts if post.id in ids]
        else:
            number = request.int_param("post_number", 0)
            ascending = request.flag("asc", default=True)
            if ascending:
                posts = [post for post in posts if post.post_number > number][:CHUNK_SIZE]
            else:
                posts = [post for post in posts if post.post_number < number][-CHUNK_SIZE:]
        return 200, {
            "post_stream": {
                "posts": [
                    views.post_json(forum, post, request.user, include_raw=include_raw)
                    for post in posts
                ]
            },
            "id": topic.id,
        }

    def topic_update(self, request: Request) -> tuple[int, object]:
        topic = self._topic(request.path_params["id"])
        params = request.get("topic") if isinstance(request.get("topic"), dict) else request.params
        if params.get("title"):
            title = str(params["title"]).strip()
            if len(title) < MIN_TITLE:
                raise validation_error(f"Title is too short (minimum is {MIN_TITLE} characters)")
            self.forum.update_topic(topic, title=title)
        if params.get("category_id") not in (None, ""):
            self._category(str(params["category_id"]))
            self.forum.update_topic(topic, category_id=int(params["category_id"]))
        stats = self.forum.topic_stats(topic)
        return 200, {
            "basic_topic": {
                "id": topic.id,
                "title": topic.title,
                "fancy_title": topic.title,
                "slug": topic.slug,
                "posts_count": stats["posts_count"],
            }
        }
