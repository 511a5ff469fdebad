"""PostActionsController and PostActionUsersController: likes and flags, and who did them."""

from __future__ import annotations

from sandbox import views
from sandbox.api.common import Controller
from sandbox.routing import ApiError, Request, Router, invalid_parameters
from sandbox.state import FLAG_TYPES, LIKE

POST_ACTION_USERS_LIMIT = 200


class PostActionsController(Controller):
    """Post actions: like or flag a post once, and list the users behind one action type."""

    def register(self, router: Router) -> None:
        """Add this controller's routes to `router`."""
        add = router.add
        add("POST", "/post_actions.json", self.post_action)
        add("GET", "/post_action_users.json", self.post_action_users)

    def post_action(self, request: Request) -> tuple[int, object]:
        post = self._post(request.get("id"))
        action_type = request.int_param("post_action_type_id", 0)
        if action_type not in (LIKE, *FLAG_TYPES):
            raise invalid_parameters("post_action_type_id")
        already = any(
            action.user_id == request.user.id and action.post_action_type_id == action_type
            for action in self.forum.actions_by_post.get(post.id, [])
        )
        if (
            already
            or post.deleted_at is not None
            or (action_type == LIKE and post.user_id == request.user.id)
        ):
            raise ApiError(
                403, ["You are not permitted to view the requested resource."], "invalid_access"
            )
        self.forum.add_action(post, request.user, action_type)
        return 200, views.post_json(self.forum, post, request.user)

    def post_action_users(self, request: Request) -> tuple[int, object]:
        post = self._post(request.get("id"))
        action_type = request.int_param("post_action_type_id", LIKE)
        page = request.int_param("page", 0)
        limit = request.int_param(
            "limit", POST_ACTION_USERS_LIMIT, minimum=1, maximum=POST_ACTION_USERS_LIMIT
        )
        actions = sorted(
            (
                action
                for action in self.forum.actions_by_post.get(post.id, [])
                if action.post_action_type_id == action_type
            ),
            key=lambda action: (action.created_at, action.id),
        )
        chunk = actions[page * limit : (page + 1) * limit]
        data: dict = {
            "post_action_users": [
                {
                    **views.basic_user(self.forum.users[action.user_id]),
                    "post_url": None,
                    "username_lower": self.forum.users[action.user_id].username.lower(),
                }
                for action in chunk
            ]
        }
        if len(actions) > limit:
            data["total_rows_post_action_users"] = len(actions)
        return 200, data
