"""DirectoryItemsController: the users directory, counted over a period and ordered."""

from __future__ import annotations

from datetime import timedelta

from sandbox import views
from sandbox.api.common import Controller
from sandbox.routing import Request, Router, invalid_parameters, missing_parameter
from sandbox.state import iso

DIRECTORY_PAGE = 50
DIRECTORY_MAX_PAGE = 10
DIRECTORY_PERIODS = {
    "daily": 1,
    "weekly": 7,
    "monthly": 30,
    "quarterly": 90,
    "yearly": 365,
    "all": None,
}
DIRECTORY_ORDERS = (
    "likes_received",
    "likes_given",
    "topic_count",
    "post_count",
    "topics_entered",
    "posts_read",
    "days_visited",
    "solutions",
)


class DirectoryItemsController(Controller):
    """`/directory_items.json`: per-user counts over `period`, sorted by `order`, 50 a page."""

    def register(self, router: Router) -> None:
        """Add this controller's routes to `router`."""
        add = router.add
        add("GET", "/directory_items.json", self.directory)

    def directory(self, request: Request) -> tuple[int, object]:
        forum = self.forum
        period = str(request.get("period") or "")
        if period not in DIRECTORY_PERIODS:
            raise missing_parameter("period")
        order = str(request.get("order") or "likes_received")
        if order not in (*DIRECTORY_ORDERS, "username"):
            raise invalid_parameters("order")
        page = request.int_param("page", 0, maximum=DIRECTORY_MAX_PAGE)
        days = DIRECTORY_PERIODS[period]
        since = forum.clock() - timedelta(days=days) if days else None
        rows = {
            user.id: dict.fromkeys(DIRECTORY_ORDERS, 0)
            for user in forum.users.values()
            if user.id > 0 and not user.staged and user.active
        }
        for topic in forum.topics.values():
            if not forum.is_counted_topic(topic):
                continue
            for post in forum.topic_posts(topic, with_deleted=False):
                recent = since is None or post.created_at >= since
                if recent and post.user_id in rows:
                    rows[post.user_id]["post_count"] += 1
                    rows[post.user_id][
                        "topic_count" if post.post_number == 1 else "topics_entered"
                    ] += 1
                for like in forum.likes_of(post):
                    if since is not None and like.created_at < since:
                        continue
                    if post.user_id in rows:
                        rows[post.user_id]["likes_received"] += 1
                    if like.user_id in rows:
                        rows[like.user_id]["likes_given"] += 1
                if topic.accepted_answer_post_id == post.id and recent and post.user_id in rows:
                    rows[post.user_id]["solutions"] += 1
        ascending = request.get("asc") not in (None, "")
        ordered = sorted(rows.items(), key=lambda item: forum.users[item[0]].username.lower())
        if order != "username":
            ordered.sort(key=lambda item: item[1][order], reverse=not ascending)
        elif not ascending:
            ordered.reverse()
        chunk = ordered[page * DIRECTORY_PAGE : (page + 1) * DIRECTORY_PAGE]
        query = "&".join(f"{key}={value}" for key, value in (("order", order), ("period", period)))
        return 200, {
            "directory_items": [
                {"id": user_id, **counts, "user": views.basic_user(forum.users[user_id])}
                for user_id, counts in chunk
            ],
            "meta": {
                "last_updated_at": iso(forum.clock()),
                "total_rows_directory_items": len(ordered),
                "load_more_directory_items": f"/directory_items.json?{query}&page={page + 1}",
            },
        }
