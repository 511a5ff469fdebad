"""SiteController, SessionController#current and the admin plugin and site-setting lists."""

from __future__ import annotations

from sandbox import views
from sandbox.api.common import Controller
from sandbox.routing import Request, Router
from sandbox.settings import plugins_json, site_settings_json
from sandbox.state import POST_TYPES


class SiteController(Controller):
    """`/site.json`, the acting user's session, the plugins and the site settings."""

    def register(self, router: Router) -> None:
        """Add this controller's routes to `router`."""
        add = router.add
        add("GET", "/site.json", self.site)
        add("GET", "/session/current.json", self.session_current)
        add("GET", "/admin/plugins.json", self.plugins)
        add("GET", "/admin/site_settings.json", self.site_settings)

    def site(self, request: Request) -> tuple[int, object]:
        forum = self.forum
        counts = views.category_counts(forum)
        categories = sorted(
            forum.categories.values(), key=lambda category: (category.position, category.id)
        )
        return 200, {
            "default_archetype": "regular",
            "notification_types": {
                "mentioned": 1,
                "replied": 2,
                "quoted": 3,
                "edited": 4,
                "liked": 5,
            },
            "post_types": dict(POST_TYPES),
            "trust_levels": {"newuser": 0, "basic": 1, "member": 2, "regular": 3, "leader": 4},
            "groups": [
                {
                    "id": group.id,
                    "name": group.name,
                    "flair_url": None,
                    "flair_bg_color": None,
                    "flair_color": None,
                }
                for group in sorted(forum.groups.values(), key=lambda group: group.name)
            ],
            "post_action_types": views.post_action_types(),
            "topic_flag_types": [],
            "can_create_tag": True,
            "can_tag_topics": True,
            "can_tag_pms": False,
            "tags_filter_regexp": "[/\\?#\\[\\]@!\\$&'\\(\\)\\*\\+,;=\\.%\\\\`^\\s|\\{\\}\"<>]+",
            "top_tags": [],
            "topic_featured_link_allowed_category_ids": [],
            "user_themes": [],
            "censored_regexp": None,
            "custom_emoji_translation": {},
            "watched_words_replace": None,
            "watched_words_link": None,
            "categories": [
                views.category_json(forum, category, counts=counts) for category in categories
            ],
            "archetypes": [{"id": "regular", "name": "Regular Topic", "options": []}],
            "user_fields": [],
            "auth_providers": [],
        }

    def session_current(self, request: Request) -> tuple[int, object]:
        user = request.user
        return 200, {
            "current_user": {
                "id": user.id,
                "username": user.username,
                "name": user.name,
                "avatar_template": views.avatar_template(user),
                "admin": user.admin,
                "moderator": user.moderator,
                "staff": user.staff,
                "trust_level": user.trust_level,
                "can_create_topic": True,
                "groups": [
                    {"id": group.id, "name": group.name} for group in self.forum.groups_of(user)
                ],
            }
        }

    def plugins(self, request: Request) -> tuple[int, object]:
        return 200, plugins_json(self.forum.site_settings)

    def site_settings(self, request: Request) -> tuple[int, object]:
        return 200, site_settings_json(self.forum.site_settings)
