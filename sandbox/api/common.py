"""What the sandbox's controllers share: their base class, lookups that 404, validation errors.

A controller holds the handlers of one Discourse controller family and registers their routes;
each handler runs under the forum lock and returns `(status, body)`, raising `ApiError` with
Discourse's error bodies.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from sandbox.routing import ApiError, Router, not_found
from sandbox.state import Category, Forum, Group, Post, Topic, User

MIN_TITLE = 15  # SiteSetting.min_topic_title_length: topic creation and renaming


def validation_error(*errors: str) -> ApiError:
    """422 with Discourse's plain validation body."""
    return ApiError(422, list(errors))


def split_list(value) -> list[str]:
    """`"a,b"` or `["a", "b"]` -> `["a", "b"]` (blank items dropped)."""
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    return [str(item).strip() for item in items if str(item).strip()]


class Controller(ABC):
    """Handlers of one Discourse controller, bound to one forum, with the lookups they share."""

    def __init__(self, forum: Forum) -> None:
        self.forum = forum

    @abstractmethod
    def register(self, router: Router) -> None:
        """Add this controller's routes to `router` (their templates are the counter keys)."""

    # ------------------------------------------------------------------ lookups (absent -> 404)
    def _topic(self, topic_id: str) -> Topic:
        topic = self.forum.topics.get(int(topic_id)) if str(topic_id).isdigit() else None
        if topic is None:
            raise not_found()
        return topic

    def _post(self, post_id) -> Post:
        post = self.forum.posts.get(int(post_id)) if str(post_id).isdigit() else None
        if post is None:
            raise not_found()
        return post

    def _group_by_id(self, group_id: str) -> Group:
        group = (
            self.forum.groups.get(int(group_id)) if str(group_id).lstrip("-").isdigit() else None
        )
        if group is None:
            raise not_found()
        return group

    def _user_named(self, username: str) -> User:
        user = self.forum.user_by_username(username)
        if user is None:
            raise not_found()
        return user

    def _category(self, category_id: str) -> Category:
        category = (
            self.forum.categories.get(int(category_id)) if str(category_id).isdigit() else None
        )
        if category is None:
            raise not_found()
        return category
