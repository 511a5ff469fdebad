"""The Solved plugin: accept or unaccept an answer, and a user's accepted answers."""

from __future__ import annotations

from sandbox import views
from sandbox.api.common import Controller
from sandbox.routing import ApiError, Request, Router

SOLVED_BY_USER_LIMIT = 30


class SolvedController(Controller):
    """Solved's AnswerController (accept, unaccept) and SolvedTopicsController#by_user."""

    def register(self, router: Router) -> None:
        """Add this controller's routes to `router`."""
        add = router.add
        add("GET", "/solution/by_user.json", self.solved_by_user)
        add("POST", "/solution/accept.json", lambda request: self.solution(request, accept=True))
        add("POST", "/solution/unaccept.json", lambda request: self.solution(request, accept=False))

    def solution(self, request: Request, accept: bool) -> tuple[int, object]:
        post = self._post(request.get("id"))
        topic = self.forum.topics[post.topic_id]
        category = self.forum.categories.get(topic.category_id) if topic.category_id else None
        if (
            post.deleted_at is not None
            or topic.is_private_message
            or not (category and category.accepts_answers)
        ):
            raise ApiError(
                403, ["You are not permitted to view the requested resource."], "invalid_access"
            )
        with self.forum.lock:
            if accept:
                self.forum.accept_answer(post, request.user)
            elif topic.accepted_answer_post_id == post.id:
                self.forum.unaccept_answer(topic)
        return 200, {"success": "OK"}

    def solved_by_user(self, request: Request) -> tuple[int, object]:
        """SolvedTopicsController#by_user: the user's accepted answers, newest accept first."""
        user = self._user_named(str(request.get("username") or ""))
        offset = max(0, request.int_param("offset", 0, minimum=-(2**31)))
        limit = request.int_param("limit", SOLVED_BY_USER_LIMIT)
        solved = sorted(
            (
                topic
                for topic in self.forum.topics.values()
                if topic.accepted_answer_post_id is not None
                and topic.deleted_at is None
                and not topic.is_private_message
            ),
            key=lambda topic: (topic.accepted_at, topic.id),
            reverse=True,
        )
        answers = [
            (topic, self.forum.posts[topic.accepted_answer_post_id])
            for topic in solved
            if self.forum.posts[topic.accepted_answer_post_id].user_id == user.id
            and self.forum.posts[topic.accepted_answer_post_id].deleted_at is None
        ]
        return 200, {
            "user_solved_posts": [
                views.solved_post_json(self.forum, topic, post)
                for topic, post in answers[offset : offset + limit]
            ]
        }
