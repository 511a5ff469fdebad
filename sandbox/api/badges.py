"""Admin::BadgesController and UserBadgesController: list and create badges, grant them."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sandbox import views
from sandbox.api.common import Controller, validation_error
from sandbox.routing import ApiError, Request, Router, missing_parameter, not_found
from sandbox.state import Badge, UserBadge

# a badge `reason` must route to PostsController or TopicsController (Discourse.route_for)
BADGE_REASON_PATH = re.compile(r"^/(t/[^/]+/\d+(/\d+)?|t/\d+(/\d+)?|p/\d+|posts/\d+)/?$")


class BadgesController(Controller):
    """Badges: the admin list, create, grant to a user (with a reason link), a user's badges."""

    def register(self, router: Router) -> None:
        """Add this controller's routes to `router`."""
        add = router.add
        add("GET", "/admin/badges.json", self.badges)
        add("POST", "/admin/badges.json", self.badge_create)
        add("POST", "/user_badges.json", self.user_badge_grant)
        add("GET", "/user-badges/{username}.json", self.user_badges_of)

    def badges(self, request: Request) -> tuple[int, object]:
        badges = sorted(self.forum.badges.values(), key=lambda badge: badge.id)
        return 200, {
            "badges": [views.badge_json(badge) for badge in badges],
            "badge_types": views.BADGE_TYPES,
            "badge_groupings": [
                {"id": 5, "name": "Other", "description": None, "position": 14, "system": True}
            ],
            "admin_badges": {
                "protected_system_fields": ["name", "badge_type_id", "multiple_grant"],
                "triggers": {
                    "none": 0,
                    "post_action": 1,
                    "post_revision": 2,
                    "trust_level_change": 4,
                    "user_change": 8,
                },
                "badge_ids": [badge.id for badge in badges],
                "badge_grouping_ids": [5],
                "badge_type_ids": [1, 2, 3],
            },
        }

    def badge_create(self, request: Request) -> tuple[int, object]:
        name = str(request.get("name") or "").strip()
        if not name:
            raise missing_parameter("name")
        if any(badge.name.lower() == name.lower() for badge in self.forum.badges.values()):
            raise validation_error("Name has already been taken")
        badge_type = request.int_param("badge_type_id", 3, minimum=1, maximum=3)
        with self.forum.lock:
            badge = Badge(
                self.forum.next_id("badge"), name, str(request.get("description") or ""), badge_type
            )
            if request.get("icon"):
                badge.icon = str(request.get("icon"))
            badge.multiple_grant = request.flag("multiple_grant")
            badge.enabled = request.flag("enabled", default=True)
            self.forum.badges[badge.id] = badge
        return 200, {"badge": views.badge_json(badge)}

    def _enabled_badge(self, request: Request) -> Badge:
        """The badge named by `badge_name`, else by `badge_id`; absent or disabled -> 404."""
        name = request.get("badge_name")
        if name is not None:
            wanted = str(name).lower()
            found = (badge for badge in self.forum.badges.values() if badge.name.lower() == wanted)
        else:
            badge_id = str(request.get("badge_id") or "")
            if not badge_id:
                raise missing_parameter("badge_id")
            found = (badge for badge in self.forum.badges.values() if str(badge.id) == badge_id)
        badge = next((badge for badge in found if badge.enabled), None)
        if badge is None:
            raise not_found()
        return badge

    def _valid_badge_reason(self, request: Request, reason: str) -> bool:
        """Discourse.route_for: a path (or a URL of this forum) to a post or a topic."""
        parts = urlsplit(reason)
        if parts.netloc and parts.netloc != request.host:
            return False
        return bool(BADGE_REASON_PATH.match(parts.path))

    def user_badge_grant(self, request: Request) -> tuple[int, object]:
        username = str(request.get("username") or "")
        if not username:
            raise missing_parameter("username")
        user = self._user_named(username)
        badge = self._enabled_badge(request)
        if badge.system:
            raise ApiError(
                403, ["You are not permitted to view the requested resource."], "invalid_access"
            )
        reason = str(request.get("reason") or "")
        if reason and not self._valid_badge_reason(request, reason):
            return 400, {
                "failed": "FAILED",
                "message": "Reason must be a link to a post or topic on this forum.",
            }
        grant = None
        if not badge.multiple_grant:
            grant = next(
                (
                    g
                    for g in self.forum.user_badges.values()
                    if g.user_id == user.id and g.badge_id == badge.id
                ),
                None,
            )
        if grant is None:
            grant = UserBadge(
                self.forum.next_id("user_badge"),
                badge.id,
                user.id,
                self.forum.clock(),
                request.user.id,
                reason=reason or None,
            )
            self.forum.user_badges[grant.id] = grant
        return 200, {
            "badges": [views.badge_json(badge)],
            "users": [views.basic_user(user)],
            "user_badge": views.user_badge_json(grant),
        }

    def user_badges_of(self, request: Request) -> tuple[int, object]:
        user = self._user_named(request.path_params["username"])
        grants = [grant for grant in self.forum.user_badges.values() if grant.user_id == user.id]
        badges = {grant.badge_id: self.forum.badges[grant.badge_id] for grant in grants}
        return 200, {
            "badges": [views.badge_json(badge) for badge in badges.values()],
            "badge_types": views.BADGE_TYPES,
            "users": [views.basic_user(user)],
            "user_badges": [views.user_badge_json(grant) for grant in grants],
        }
