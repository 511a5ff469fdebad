"""UserActionsController: a user's activity stream (topics, replies, likes, solutions)."""

from __future__ import annotations

from sandbox import views
from sandbox.api.common import Controller, split_list
from sandbox.routing import Request, Router, not_found
from sandbox.state import Post, User, iso

USER_ACTIONS_PAGE = 30
USER_ACTION = {"LIKE": 1, "WAS_LIKED": 2, "NEW_TOPIC": 4, "REPLY": 5, "SOLVED": 15}


class UserActionsController(Controller):
    """`/user_actions.json`: one user's actions, newest first, filtered by action type."""

    def register(self, router: Router) -> None:
        """Add this controller's routes to `router`."""
        add = router.add
        add("GET", "/user_actions.json", self.user_actions)

    def user_actions(self, request: Request) -> tuple[int, object]:
        forum = self.forum
        user = forum.user_by_username(str(request.get("username") or ""))
        if user is None:
            raise not_found()
        offset = request.int_param("offset", 0)
        wanted = {int(code) for code in split_list(request.get("filter")) if code.isdigit()}
        rows = []
        for topic in forum.topics.values():
            if not forum.is_counted_topic(topic):
                continue
            for post in forum.topic_posts(topic, with_deleted=False):
                if post.user_id == user.id:
                    kind = (
                        USER_ACTION["NEW_TOPIC"] if post.post_number == 1 else USER_ACTION["REPLY"]
                    )
                    rows.append((kind, post.created_at, post, user, user))
                for like in forum.likes_of(post):
                    liker = forum.users[like.user_id]
                    if like.user_id == user.id:
                        rows.append((USER_ACTION["LIKE"], like.created_at, post, liker, user))
                    if post.user_id == user.id:
                        rows.append((USER_ACTION["WAS_LIKED"], like.created_at, post, liker, user))
                if (
                    topic.accepted_answer_post_id == post.id
                    and topic.solved_action_logged
                    and post.user_id == user.id
                ):
                    accepter = forum.users.get(topic.accepted_by or -1, user)
                    # UserAction.log_action! at acceptance: created_at is the acceptance time
                    accepted_at = topic.accepted_at or post.updated_at
                    rows.append((USER_ACTION["SOLVED"], accepted_at, post, accepter, user))
        if wanted:
            rows = [row for row in rows if row[0] in wanted]
        rows.sort(key=lambda row: row[1], reverse=True)
        return 200, {
            "user_actions": [
                self._user_action_json(*row) for row in rows[offset : offset + USER_ACTIONS_PAGE]
            ]
        }

    def _user_action_json(self, kind: int, at, post: Post, acting: User, target: User) -> dict:
        topic = self.forum.topics[post.topic_id]
        author = self.forum.users[post.user_id]
        return {
            "excerpt": post.raw[:300],
            "action_type": kind,
            "created_at": iso(at),
            "avatar_template": views.avatar_template(author),
            "acting_avatar_template": views.avatar_template(acting),
            "slug": topic.slug,
            "topic_id": topic.id,
            "target_user_id": target.id,
            "target_name": target.name,
            "target_username": target.username,
            "post_number": post.post_number,
            "post_id": post.id,
            "reply_to_post_number": post.reply_to_post_number,
            "username": author.username,
            "name": author.name,
            "user_id": author.id,
            "acting_username": acting.username,
            "acting_name": acting.name,
            "acting_user_id": acting.id,
            "title": topic.title,
            "deleted": False,
            "hidden": post.hidden,
            "post_type": post.post_type,
            "action_code": None,
            "category_id": topic.category_id,
            "closed": topic.closed,
            "archived": topic.archived,
        }
