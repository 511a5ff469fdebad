"""UsersController and Admin::UsersController: the admin user lists, profiles, sign-up."""

from __future__ import annotations

import re
from collections import Counter

from sandbox import views
from sandbox.api.common import Controller
from sandbox.routing import Request, Router, missing_parameter, not_found
from sandbox.state import LIKE

USERS_PAGE = 100

#: `order` values of /admin/users/list (AdminUserIndexQuery::SORTABLE_MAPPING) the sandbox knows
USER_ORDERS = {
    "created": lambda user: user.created_at,
    "seen": lambda user: user.last_seen_at.timestamp() if user.last_seen_at else 0.0,
    "username": lambda user: user.username.lower(),
    "trust_level": lambda user: user.trust_level,
}


class UsersController(Controller):
    """Users: the admin lists (flags, filters, orders), a public and an admin profile, create."""

    def register(self, router: Router) -> None:
        """Add this controller's routes to `router`."""
        add = router.add
        add("GET", "/admin/users/list/{flag}.json", self.admin_users_list)
        add("GET", "/admin/users/{id}.json", self.admin_user_show)
        add("GET", "/u/{username}.json", self.user_show)
        add("GET", "/users/{username}.json", self.user_show)
        add("POST", "/users.json", self.user_create)

    def _post_counts(self) -> Counter:
        return Counter(
            post.user_id for post in self.forum.posts.values() if post.deleted_at is None
        )

    def admin_users_list(self, request: Request) -> tuple[int, object]:
        flag = request.path_params["flag"]
        page = request.int_param("page", 1)
        offset = max(page - 1, 0) * USERS_PAGE
        now = self.forum.clock()
        users = [user for user in self.forum.users.values() if user.id > 0]
        # AdminUserIndexQuery: these names filter; any other (`active`, `all`…) filters nothing
        rules = {
            "new": lambda user: user.trust_level == 0 and not user.staged,
            "staff": lambda user: user.staff and not user.staged,
            "admins": lambda user: user.admin,
            "moderators": lambda user: user.moderator,
            "suspended": lambda user: user.suspended_till is not None and user.suspended_till > now,
            "staged": lambda user: user.staged,
            "pending": lambda user: not user.active and not user.staged,
        }
        rule = rules.get(flag, lambda user: True)
        users = [user for user in users if rule(user)]
        email = request.get("email")
        if email:
            users = [user for user in users if user.email.lower() == str(email).strip().lower()]
        search = str(request.get("filter") or "").lower()
        if search:
            users = [
                user
                for user in users
                if search in user.username.lower() or search in user.email.lower()
            ]
        order = str(request.get("order") or "")
        if order in USER_ORDERS:  # `order=created` etc.; descending unless `asc` is given
            users.sort(key=lambda user: user.username.lower())
            users.sort(key=USER_ORDERS[order], reverse=not request.flag("asc"))
        elif flag == "active":
            users.sort(key=lambda user: user.username.lower())
            users.sort(key=lambda user: user.last_seen_at is None)
            users.sort(
                key=lambda user: -(user.last_seen_at.timestamp() if user.last_seen_at else 0)
            )
        else:
            users.sort(key=lambda user: user.username.lower())
            users.sort(key=lambda user: user.created_at, reverse=True)
        counts = self._post_counts()
        show_emails = request.flag("show_emails")
        return 200, [
            views.user_list_item(user, post_count=counts[user.id], show_emails=show_emails)
            for user in users[offset : offset + USERS_PAGE]
        ]

    def user_show(self, request: Request) -> tuple[int, object]:
        user = self._user_named(request.path_params["username"])
        grants = [grant for grant in self.forum.user_badges.values() if grant.user_id == user.id]
        return 200, {
            "user_badges": [views.user_badge_json(grant) for grant in grants],
            "badges": [views.badge_json(self.forum.badges[grant.badge_id]) for grant in grants],
            "user": views.user_detail(self.forum, user),
        }

    def admin_user_show(self, request: Request) -> tuple[int, object]:
        user_id = request.path_params["id"]
        user = self.forum.users.get(int(user_id)) if user_id.lstrip("-").isdigit() else None
        if user is None:
            raise not_found()
        data = views.user_detail(self.forum, user)
        data.update(
            {
                "secondary_emails": [],
                "associated_accounts": [],
                "ip_address": "127.0.0.1",
                "registration_ip_address": "127.0.0.1",
                "can_grant_admin": not user.admin,
                "can_revoke_admin": user.admin,
                "can_grant_moderation": not user.moderator,
                "can_revoke_moderation": user.moderator,
                "can_impersonate": False,
                "like_count": sum(
                    1
                    for action in self.forum.post_actions.values()
                    if action.user_id == user.id and action.post_action_type_id == LIKE
                ),
                "like_given_count": 0,
                "flags_given_count": 0,
                "flags_received_count": 0,
                "api_key_count": 0,
                "single_sign_on_record": None,
                "approved_by": None,
                "suspended_by": None,
            }
        )
        return 200, data

    def user_create(self, request: Request) -> tuple[int, object]:
        params = request.params
        for key in ("name", "email", "username"):
            if not params.get(key):
                raise missing_parameter(key)
        username, email = str(params["username"]), str(params["email"])
        if not re.fullmatch(r"[\w.\-]{3,20}", username):
            return 200, {
                "success": False,
                "message": "Username must be between 3 and 20 characters",
                "errors": {},
            }
        if self.forum.user_by_username(username) or self.forum.group_by_name(username):
            return 200, {
                "success": False,
                "message": "Username must be unique",
                "errors": {"username": ["must be unique"]},
            }
        if self.forum.user_by_email(email):
            return 200, {
                "success": False,
                "message": "Primary email has already been taken",
                "errors": {},
            }
        active = request.flag("active")
        user = self.forum.add_user(username, email, name=str(params["name"]), active=active)
        message = (
            "Your account is activated and ready to use."
            if active
            else "Please confirm your email."
        )
        return 200, {"success": True, "active": active, "message": message, "user_id": user.id}
