"""PostsController: latest posts, create (topics, replies, messages), show, edit, delete."""

from __future__ import annotations

import hashlib
import time
from bisect import bisect_right

from sandbox import views
from sandbox.api.common import MIN_TITLE, Controller, split_list, validation_error
from sandbox.routing import (
    ApiError,
    Request,
    Router,
    invalid_parameters,
    missing_parameter,
    not_found,
)
from sandbox.state import POST_TYPES, UNCATEGORIZED_ID, Forum, Post, parse_time

LATEST_POSTS_PAGE = 50
MIN_BODY = 20
CREATE_MEMO_SECONDS = 120


class PostsController(Controller):
    """Posts; a create repeated within two minutes answers the first post (Discourse's memo)."""

    def __init__(self, forum: Forum) -> None:
        super().__init__(forum)
        self._memo: dict[str, tuple[float, int]] = {}

    def register(self, router: Router) -> None:
        """Add this controller's routes to `router`."""
        add = router.add
        add("GET", "/posts.json", self.latest_posts)
        add("POST", "/posts.json", self.post_create)
        add("GET", "/posts/{id}.json", self.post_show)
        add("PUT", "/posts/{id}.json", self.post_update)
        add("DELETE", "/posts/{id}.json", self.post_delete)
        add("PUT", "/posts/{id}/wiki.json", self.post_wiki)

    def latest_posts(self, request: Request) -> tuple[int, object]:
        forum = self.forum
        before = request.get("before")
        ids = sorted(forum.posts)
        end = len(ids)
        if before not in (None, ""):
            if not str(before).isdigit():
                raise invalid_parameters("before")
            end = bisect_right(ids, int(before))
        found = []
        for index in range(end - 1, -1, -1):
            post = forum.posts[ids[index]]
            topic = forum.topics[post.topic_id]
            if (
                post.deleted_at is None
                and not post.hidden
                and post.post_type == POST_TYPES["regular"]
                and forum.is_counted_topic(topic)
                and topic.visible
            ):
                found.append(post)
                if len(found) == LATEST_POSTS_PAGE:
                    break
        return 200, {
            "latest_posts": [
                views.post_json(forum, post, request.user, include_raw=True, for_list=True)
                for post in found
            ]
        }

    def _memo_key(self, request: Request) -> str:
        keys = (
            "raw",
            "title",
            "topic_id",
            "category",
            "archetype",
            "target_recipients",
            "reply_to_post_number",
            "created_at",
        )
        signature = (
            "|".join(f"{key}={request.get(key)}" for key in keys) + f"|user={request.user.id}"
        )
        return hashlib.sha1(signature.encode("utf-8")).hexdigest()

    def post_create(self, request: Request) -> tuple[int, object]:
        forum = self.forum
        raw = str(request.get("raw") or "")
        if not raw.strip():
            raise missing_parameter("raw")
        key = self._memo_key(request)
        now = time.monotonic()
        with forum.lock:
            memo = self._memo.get(key)
            if memo and now - memo[0] < CREATE_MEMO_SECONDS and memo[1] in forum.posts:
                return 200, views.post_json(
                    forum, forum.posts[memo[1]], request.user, include_raw=True
                )
            post = self._create_post(request, raw)
            self._memo[key] = (now, post.id)
            return 200, views.post_json(forum, post, request.user, include_raw=True)

    def _create_post(self, request: Request, raw: str) -> Post:
        forum = self.forum
        created_at = None
        if request.get("created_at"):
            try:
                created_at = parse_time(str(request.get("created_at")))
            except ValueError as error:
                raise invalid_parameters("created_at") from error
        errors = []
        if len(raw.strip()) < MIN_BODY:
            errors.append(f"Body is too short (minimum is {MIN_BODY} characters)")
        topic_id = request.get("topic_id")
        if topic_id not in (None, ""):
            topic = forum.topics.get(int(topic_id)) if str(topic_id).isdigit() else None
            if topic is None or topic.deleted_at is not None:
                raise not_found()
            if errors:
                raise ApiError(422, errors, action="create_post")
            reply_to = request.get("reply_to_post_number")
            reply_number = int(reply_to) if str(reply_to or "").isdigit() else None
            return forum.create_post(
                request.user, topic, raw, reply_to_post_number=reply_number, created_at=created_at
            )
        title = str(request.get("title") or "").strip()
        archetype = str(request.get("archetype") or "regular")
        if len(title) < MIN_TITLE:
            errors.insert(0, f"Title is too short (minimum is {MIN_TITLE} characters)")
        elif archetype == "regular" and any(
            existing.title.lower() == title.lower() and forum.is_counted_topic(existing)
            for existing in forum.topics.values()
        ):
            errors.insert(0, "Title has already been used")
        category_id = UNCATEGORIZED_ID
        category = request.get("category")
        if category not in (None, "") and archetype == "regular":
            if not str(category).isdigit() or int(category) not in forum.categories:
                errors.append("Category can't be blank")
            else:
                category_id = int(category)
        recipients = []
        if archetype == "private_message":
            for name in split_list(
                request.get("target_recipients") or request.get("target_usernames")
            ):
                user = forum.user_by_username(name)
                group = None if user is not None else forum.group_by_name(name)
                if (
                    group is not None
                ):  # a group name (Discourse: target_group_names, if messageable)
                    recipients.extend(forum.group_member_ids(group))
                elif user is None:
                    errors.append(f"Sorry, there is no user named {name}")
                else:
                    recipients.append(user.id)
        if errors:
            raise ApiError(422, errors, action="create_post")
        return forum.create_topic(
            request.user,
            title,
            raw,
            category_id=category_id,
            created_at=created_at,
            archetype=archetype,
            allowed_user_ids=[request.user.id, *recipients],
            tags=[] if archetype == "private_message" else split_list(request.get("tags")),
        )

    def post_show(self, request: Request) -> tuple[int, object]:
        post = self._post(request.path_params["id"])
        return 200, views.post_json(self.forum, post, request.user, include_raw=True)

    def post_update(self, request: Request) -> tuple[int, object]:
        post = self._post(request.path_params["id"])
        fields = request.get("post") if isinstance(request.get("post"), dict) else request.params
        raw = str(fields.get("raw") or "")
        if not raw.strip():
            raise missing_parameter("post[raw]")
        if len(raw.strip()) < MIN_BODY:
            raise validation_error(f"Body is too short (minimum is {MIN_BODY} characters)")
        self.forum.edit_post(post, raw, edit_reason=fields.get("edit_reason"))
        return 200, {"post": views.post_json(self.forum, post, request.user, include_raw=True)}

    def post_wiki(self, request: Request) -> tuple[int, object]:
        """PostsController#wiki: `wiki=true|false` turns a post into a wiki (empty 200)."""
        post = self._post(request.path_params["id"])
        post.wiki = request.flag("wiki")
        return 200, None

    def post_delete(self, request: Request) -> tuple[int, object]:
        post = self._post(request.path_params["id"])
        if post.deleted_at is None:
            self.forum.delete_post(post)
        return 200, None
