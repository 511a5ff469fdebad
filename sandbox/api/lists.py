"""ListController: the topic lists (`/latest`, a category's topics) and their paging."""

from __future__ import annotations

from sandbox import views
from sandbox.api.common import Controller
from sandbox.routing import Request, Router
from sandbox.state import Topic

LATEST_PER_PAGE = 30
LATEST_MAX_PER_PAGE = 100


class ListController(Controller):
    """Topic lists: bumped order, pinned first, Solved's `solved=yes|no` filter."""

    def register(self, router: Router) -> None:
        """Add this controller's routes to `router`."""
        add = router.add
        add("GET", "/c/{slug}/{id}.json", self.category_topics)
        add("GET", "/latest.json", self.latest)

    def latest(self, request: Request) -> tuple[int, object]:
        forum = self.forum
        listed = [topic for topic in forum.topics.values() if forum.is_counted_topic(topic)]
        return 200, self._topic_list(request, listed, "/latest.json")

    def category_topics(self, request: Request) -> tuple[int, object]:
        """`/c/{slug}/{id}.json`: the category's topics (subcategories included), like /latest."""
        forum = self.forum
        category = self._category(request.path_params["id"])
        wanted = {category.id} | {
            child.id
            for child in forum.categories.values()
            if child.parent_category_id == category.id and not request.flag("no_subcategories")
        }
        listed = [
            topic
            for topic in forum.topics.values()
            if forum.is_counted_topic(topic) and topic.category_id in wanted
        ]
        path = f"/c/{category.slug}/{category.id}.json"
        return 200, self._topic_list(request, listed, path)

    def _topic_list(self, request: Request, listed: list[Topic], path: str) -> dict:
        """A TopicList page: bumped order, pinned first, `more_topics_url` only if more remain."""
        forum = self.forum
        page = request.int_param("page", 0)
        per_page = request.int_param(
            "per_page", LATEST_PER_PAGE, minimum=1, maximum=LATEST_MAX_PER_PAGE
        )
        solved = request.get("solved")  # Solved's TopicQuery filter: "yes" / "no"
        if solved in ("yes", "no"):
            wanted = solved == "yes"
            listed = [t for t in listed if (t.accepted_answer_post_id is not None) == wanted]
        listed.sort(key=lambda topic: (topic.bumped_at, topic.id), reverse=True)
        ordered = [topic for topic in listed if topic.pinned] + [
            topic for topic in listed if not topic.pinned
        ]
        chunk = ordered[page * per_page : (page + 1) * per_page]
        items = [views.topic_list_item(forum, topic) for topic in chunk]
        poster_ids = dict.fromkeys(
            poster["user_id"] for item in items for poster in item["posters"]
        )
        topic_list: dict = {"can_create_topic": True, "per_page": per_page, "top_tags": []}
        if len(ordered) > (page + 1) * per_page:
            extra = f"&per_page={per_page}" if request.get("per_page") not in (None, "") else ""
            topic_list["more_topics_url"] = f"{path}?page={page + 1}{extra}"
        topic_list["topics"] = items
        return {
            "users": [views.basic_user(forum.users[user_id]) for user_id in poster_ids],
            "primary_groups": [],
            "flair_groups": [],
            "topic_list": topic_list,
        }
