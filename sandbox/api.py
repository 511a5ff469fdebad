"""The Discourse endpoints the sandbox serves: same paths, parameters, paging and JSON shapes.

Every handler runs under the forum lock and returns `(status, body)`; errors are raised as
`ApiError` with Discourse's error bodies. Facts behind each rule: /work/shared/discourse-api.md.
"""

from __future__ import annotations

import hashlib
import re
import time
from bisect import bisect_right
from collections import Counter
from datetime import timedelta
from urllib.parse import urlsplit

from sandbox import views
from sandbox.routing import (
    ApiError,
    Request,
    Router,
    invalid_access,
    invalid_parameters,
    missing_parameter,
    not_found,
)
from sandbox.settings import plugins_json, site_settings_json
from sandbox.state import (
    FLAG_TYPES,
    LIKE,
    POST_TYPES,
    UNCATEGORIZED_ID,
    Badge,
    Category,
    Forum,
    Group,
    Invite,
    Post,
    Topic,
    User,
    UserBadge,
    iso,
    parse_time,
    slugify,
)

LATEST_PER_PAGE = 30
LATEST_MAX_PER_PAGE = 100
LATEST_POSTS_PAGE = 50
CHUNK_SIZE = 20
USERS_PAGE = 100
MEMBERS_DEFAULT = 50
MEMBERS_MAX = 1000
GROUPS_PAGE = 36
USER_ACTIONS_PAGE = 30
DIRECTORY_PAGE = 50
DIRECTORY_MAX_PAGE = 10
POST_ACTION_USERS_LIMIT = 200
MIN_TITLE = 15
MIN_BODY = 20
CREATE_MEMO_SECONDS = 120
SOLVED_BY_USER_LIMIT = 30
INVITES_PER_PAGE = 40  # SiteSetting.invites_per_page
INVITE_EXPIRY = timedelta(days=90)  # SiteSetting.invite_expiry_days
# a badge `reason` must route to PostsController or TopicsController (Discourse.route_for)
BADGE_REASON_PATH = re.compile(r"^/(t/[^/]+/\d+(/\d+)?|t/\d+(/\d+)?|p/\d+|posts/\d+)/?$")
EXPLORER_QUERIES = (
    (-1, "Most Common Likers", "Which users like particular other users the most?"),
    (
        -2,
        "Who has been sending the most messages in the last week?",
        "tracking private message activity",
    ),
    (
        -4,
        "Poll results report",
        "Details of a poll result, including details about each vote and voter.",
    ),
)
USER_ACTION = {"LIKE": 1, "WAS_LIKED": 2, "NEW_TOPIC": 4, "REPLY": 5, "SOLVED": 15}
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


def validation_error(*errors: str) -> ApiError:
    """422 with Discourse's plain validation body."""
    return ApiError(422, list(errors))


def split_list(value) -> list[str]:
    """`"a,b"` or `["a", "b"]` -> `["a", "b"]` (blank items dropped)."""
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    return [str(item).strip() for item in items if str(item).strip()]


#: `order` values of /admin/users/list (AdminUserIndexQuery::SORTABLE_MAPPING) the sandbox knows
USER_ORDERS = {
    "created": lambda user: user.created_at,
    "seen": lambda user: user.last_seen_at.timestamp() if user.last_seen_at else 0.0,
    "username": lambda user: user.username.lower(),
    "trust_level": lambda user: user.trust_level,
}


class ForumApi:
    """Handlers for every emulated endpoint, bound to one forum."""

    def __init__(self, forum: Forum):
        self.forum = forum
        self._memo: dict[str, tuple[float, int]] = {}
        self.router = Router()
        self._register()

    # ------------------------------------------------------------------ helpers
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

    def _post_counts(self) -> Counter:
        return Counter(
            post.user_id for post in self.forum.posts.values() if post.deleted_at is None
        )

    # ------------------------------------------------------------------ site, session, plugins
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

    # ------------------------------------------------------------------ categories
    def categories(self, request: Request) -> tuple[int, object]:
        forum = self.forum
        counts = views.category_counts(forum)
        nested = request.flag("include_subcategories")
        parent = request.get("parent_category_id")
        parent_id = None
        if parent not in (None, ""):
            found = (
                forum.categories.get(int(parent))
                if str(parent).isdigit()
                else forum.category_by_slug(parent)
            )
            if found is None:
                raise not_found()
            parent_id = found.id
        listed = sorted(
            (
                category
                for category in forum.categories.values()
                if category.parent_category_id == parent_id
            ),
            key=lambda category: (category.position, category.id),
        )
        return 200, {
            "category_list": {
                "can_create_category": True,
                "can_create_topic": True,
                "categories": [
                    views.category_json(
                        forum, category, counts=counts, with_subcategory_list=nested
                    )
                    for category in listed
                ],
            }
        }

    def category_show(self, request: Request) -> tuple[int, object]:
        category = self._category(request.path_params["id"])
        return 200, {"category": views.category_json(self.forum, category)}

    def _category(self, category_id: str) -> Category:
        category = (
            self.forum.categories.get(int(category_id)) if str(category_id).isdigit() else None
        )
        if category is None:
            raise not_found()
        return category

    def _permissions(self, value) -> dict[str, int]:
        if not isinstance(value, dict):
            raise invalid_parameters("permissions")
        permissions = {}
        for group_name, permission in value.items():
            if self.forum.group_by_name(group_name) is None:
                raise validation_error(f"Group '{group_name}' does not exist")
            if str(permission) not in ("1", "2", "3"):
                raise invalid_parameters("permissions")
            permissions[self.forum.group_by_name(group_name).name] = int(permission)
        return permissions

    def _apply_category_fields(self, category: Category, params: dict) -> None:
        for key in ("color", "text_color"):
            if params.get(key) not in (None, ""):
                setattr(category, key, str(params[key]).lstrip("#"))
        if params.get("description") is not None:
            category.description = str(params["description"]) or None
        if isinstance(params.get("custom_fields"), dict):
            for key, value in params["custom_fields"].items():
                category.custom_fields[key] = (
                    value if not isinstance(value, bool) else str(value).lower()
                )
        if "permissions" in params and params["permissions"] not in (None, ""):
            category.permissions = self._permissions(params["permissions"])

    def _check_category_names(
        self, name: str, slug: str, parent_id: int | None, exclude: int | None
    ) -> None:
        for other in self.forum.categories.values():
            if other.id == exclude or other.parent_category_id != parent_id:
                continue
            if other.name.lower() == name.lower():
                raise validation_error("Category Name has already been taken")
            if other.slug == slug:
                raise validation_error("Slug is already in use")

    def _parent_id(self, params: dict) -> int | None:
        parent = params.get("parent_category_id")
        if parent in (None, ""):
            return None
        if not str(parent).isdigit() or int(parent) not in self.forum.categories:
            raise validation_error("Parent category does not exist")
        return int(parent)

    def category_create(self, request: Request) -> tuple[int, object]:
        params = request.params
        name = str(params.get("name") or "").strip()
        if not name:
            raise missing_parameter("name")
        parent_id = self._parent_id(params)
        slug = str(params.get("slug") or "").strip() or slugify(name, fallback="")
        with self.forum.lock:
            category = Category(0, name, slug, parent_category_id=parent_id)
            self._apply_category_fields(category, params)
            self._check_category_names(name, slug, parent_id, exclude=None)
            created = self.forum.add_category(
                name,
                slug=slug or None,
                color=category.color,
                text_color=category.text_color,
                description=category.description,
                parent_category_id=parent_id,
                permissions=category.permissions,
                custom_fields=category.custom_fields,
            )
        return 200, {"category": views.category_json(self.forum, created)}

    def category_update(self, request: Request) -> tuple[int, object]:
        category = self._category(request.path_params["id"])
        params = request.params
        name = str(params.get("name") or category.name).strip()
        slug = str(params.get("slug") or category.slug).strip()
        parent_id = (
            self._parent_id(params)
            if "parent_category_id" in params
            else category.parent_category_id
        )
        self._check_category_names(name, slug, parent_id, exclude=category.id)
        self._apply_category_fields(category, params)
        category.name, category.slug, category.parent_category_id = name, slug, parent_id
        return 200, {"success": "OK", "category": views.category_json(self.forum, category)}

    # ------------------------------------------------------------------ groups
    def groups(self, request: Request) -> tuple[int, object]:
        page = request.int_param("page", 0)
        ordered = sorted(self.forum.groups.values(), key=lambda group: group.name)
        chunk = ordered[page * GROUPS_PAGE : (page + 1) * GROUPS_PAGE]
        return 200, {
            "groups": [views.group_json(self.forum, group) for group in chunk],
            "extras": {
                "type_filters": ["my", "owner", "public", "close", "automatic", "non_automatic"]
            },
            "total_rows_groups": len(ordered),
            "load_more_groups": f"/groups?page={page + 1}",
        }

    def groups_search(self, request: Request) -> tuple[int, object]:
        term = str(request.get("term") or "").lower()
        found = [group for group in self.forum.groups.values() if term in group.name.lower()]
        return 200, [
            views.group_json(self.forum, group)
            for group in sorted(found, key=lambda group: group.name)
        ]

    def group_show(self, request: Request) -> tuple[int, object]:
        group = self.forum.group_by_name(request.path_params["name"])
        if group is None:
            raise not_found()
        return 200, self._group_detail(group)

    def group_by_id(self, request: Request) -> tuple[int, object]:
        return 200, self._group_detail(self._group_by_id(request.path_params["id"]))

    def _group_detail(self, group: Group) -> dict:
        data = views.group_json(self.forum, group)
        data.update(
            {
                "is_group_user": False,
                "is_group_owner": False,
                "automatic_membership_email_domains": None,
                "messageable": False,
                "mentionable": False,
            }
        )
        return {"group": data, "extras": {"visible_group_names": [group.name]}}

    def group_create(self, request: Request) -> tuple[int, object]:
        params = request.get("group")
        if not isinstance(params, dict):
            raise missing_parameter("group")
        name = str(params.get("name") or "").strip()
        if not name:
            raise missing_parameter("name")
        if not re.fullmatch(r"[\w.\-]{1,60}", name):
            raise validation_error(
                "Name must only include numbers, letters, dashes, dots, and underscores"
            )
        if len(name) < 3 or len(name) > 20:
            raise validation_error("Name must be between 3 and 20 characters long")
        if (
            self.forum.group_by_name(name) is not None
            or self.forum.user_by_username(name) is not None
        ):
            raise validation_error("Name has already been taken")
        with self.forum.lock:
            group = self.forum.add_group(name)
            self._apply_group_fields(group, params)
            members = [self.forum.user_by_username(u) for u in split_list(params.get("usernames"))]
            owners = [
                self.forum.user_by_username(u) for u in split_list(params.get("owner_usernames"))
            ]
            self.forum.add_members(group, [user.id for user in members + owners if user])
            group.owners.update(user.id for user in owners if user)
        return 200, {"basic_group": views.group_json(self.forum, group)}

    def _apply_group_fields(self, group: Group, params: dict) -> None:
        for key in ("full_name", "title", "bio_raw", "flair_bg_color", "flair_color", "flair_icon"):
            if key in params:
                setattr(group, key, params[key] if params[key] not in ("",) else None)
        for key in (
            "visibility_level",
            "mentionable_level",
            "messageable_level",
            "default_notification_level",
        ):
            if str(params.get(key, "")).isdigit():
                setattr(group, key, int(params[key]))
        for key in ("primary_group", "public_admission", "public_exit"):
            if key in params:
                setattr(group, key, str(params[key]).lower() == "true")

    def group_update(self, request: Request) -> tuple[int, object]:
        group = self._group_by_id(request.path_params["id"])
        params = request.get("group")
        if not isinstance(params, dict):
            raise missing_parameter("group")
        if group.automatic and "name" in params:
            raise invalid_access()
        self._apply_group_fields(group, params)
        return 200, {"success": "OK"}

    def group_members(self, request: Request) -> tuple[int, object]:
        group = self.forum.group_by_name(request.path_params["name"])
        if group is None:
            raise not_found()
        limit = request.int_param("limit", MEMBERS_DEFAULT, minimum=1, maximum=MEMBERS_MAX)
        offset = request.int_param("offset", 0)
        users = [self.forum.users[user_id] for user_id in self.forum.group_member_ids(group)]
        users.sort(key=lambda user: (user.id not in group.owners, user.username.lower()))
        members_json = [self._member_json(group, user) for user in users[offset : offset + limit]]
        owners = [self._member_json(group, user) for user in users if user.id in group.owners]
        return 200, {
            "members": members_json,
            "owners": owners,
            "meta": {"total": len(users), "limit": limit, "offset": offset},
        }

    def _member_json(self, group: Group, user: User) -> dict:
        data = views.basic_user(user)
        data.update(
            {
                "last_posted_at": None,
                "last_seen_at": iso(user.last_seen_at),
                "added_at": iso(group.members.get(user.id, user.created_at)),
                "timezone": "Europe/Paris",
            }
        )
        return data

    def _users_from(self, params: dict) -> list[User]:
        users = []
        for username in split_list(params.get("usernames")) + split_list(params.get("username")):
            user = self.forum.user_by_username(username)
            if user is not None:
                users.append(user)
        for email in split_list(params.get("user_emails")) + split_list(params.get("user_email")):
            user = self.forum.user_by_email(email)
            if user is not None:
                users.append(user)
        for user_id in split_list(params.get("user_ids")) + split_list(params.get("user_id")):
            if user_id.lstrip("-").isdigit() and int(user_id) in self.forum.users:
                users.append(self.forum.users[int(user_id)])
        return list({user.id: user for user in users}.values())

    def group_add_members(self, request: Request) -> tuple[int, object]:
        group = self._group_by_id(request.path_params["id"])
        if group.automatic:
            raise invalid_access()
        users = self._users_from(request.params)
        if not users:
            raise invalid_parameters("usernames or emails")
        newcomers = [user for user in users if user.id not in group.members]
        if not newcomers:
            names = ", ".join(f"'{user.username}'" for user in users)
            verb = "is already a member" if len(users) == 1 else "are already members"
            raise validation_error(f"{names} {verb} of this group.")
        self.forum.add_members(group, [user.id for user in newcomers])
        return 200, {
            "success": "OK",
            "usernames": [user.username for user in newcomers],
            "emails": [user.email for user in newcomers if split_list(request.get("user_emails"))],
        }

    def group_remove_members(self, request: Request) -> tuple[int, object]:
        group = self._group_by_id(request.path_params["id"])
        if group.automatic:
            raise invalid_access()
        users = self._users_from(request.params)
        if not users:
            raise invalid_parameters("usernames")
        with self.forum.lock:
            gone = set(self.forum.remove_members(group, [user.id for user in users]))
        removed = [user.username for user in users if user.id in gone]
        skipped = [user.username for user in users if user.id not in gone]
        return 200, {"success": "OK", "usernames": removed, "skipped_usernames": skipped}

    # ------------------------------------------------------------------ users
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

    # ------------------------------------------------------------------ topics
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

    def topic_show(self, request: Request) -> tuple[int, object]:
        forum = self.forum
        topic = self._topic(request.path_params["id"])
        posts = forum.topic_posts(topic)
        stats = forum.topic_stats(topic)
        acting = request.user
        creator = forum.users[topic.user_id]
        last_poster = forum.users[stats["last_poster_id"]]
        participants = Counter(post.user_id for post in posts if post.deleted_at is None)
        data = {
            "post_stream": {
                "posts": [views.post_json(forum, post, acting) for post in posts[:CHUNK_SIZE]],
                "stream": [post.id for post in posts],
            },
            "timeline_lookup": [[1, 0]],
            "suggested_topics": [],
            "tags": views.topic_tags(forum, topic),
            "tags_descriptions": {},
            **views.topic_fields(forum, topic),
            "has_summary": False,
            "image_url": None,
            "slow_mode_seconds": 0,
            "draft": None,
            "draft_key": f"topic_{topic.id}",
            "draft_sequence": 0,
            "current_post_number": 1,
            "has_deleted": any(post.deleted_at is not None for post in posts),
            "actions_summary": [],
            "chunk_size": CHUNK_SIZE,
            "bookmarks": [],
            "topic_timer": None,
            "message_bus_last_id": 0,
            "show_read_indicator": False,
            "slow_mode_enabled_until": None,
            "has_accepted_answer": topic.accepted_answer_post_id is not None,
            "details": {
                "can_edit": True,
                "notification_level": 1,
                "can_delete": True,
                "can_recover": topic.deleted_at is not None,
                "can_create_post": True,
                "can_reply_as_new_topic": True,
                "created_by": {**views.basic_user(creator)},
                "last_poster": {**views.basic_user(last_poster)},
                "participants": [
                    {**views.basic_user(forum.users[user_id]), "post_count": count}
                    for user_id, count in participants.most_common()
                ],
            },
        }
        if topic.is_private_message:
            data["details"]["allowed_users"] = [
                views.basic_user(forum.users[i]) for i in topic.allowed_user_ids
            ]
            data["details"]["allowed_groups"] = []
        accepted = views.accepted_answer_json(forum, topic)
        if accepted is not None:
            data["accepted_answer"] = accepted
        return 200, data

    def topic_posts(self, request: Request) -> tuple[int, object]:
        forum = self.forum
        topic = self._topic(request.path_params["id"])
        wanted = request.get("post_ids")
        include_raw = request.get("include_raw") not in (None, "", "false")
        posts = forum.topic_posts(topic)
        if wanted is not None:
            ids = {int(value) for value in split_list(wanted) if value.isdigit()}
            posts = [post for post in posts if post.id in ids]
        else:
            number = request.int_param("post_number", 0)
            ascending = request.flag("asc", default=True)
            if ascending:
                posts = [post for post in posts if post.post_number > number][:CHUNK_SIZE]
            else:
                posts = [post for post in posts if post.post_number < number][-CHUNK_SIZE:]
        return 200, {
            "post_stream": {
                "posts": [
                    views.post_json(forum, post, request.user, include_raw=include_raw)
                    for post in posts
                ]
            },
            "id": topic.id,
        }

    def topic_update(self, request: Request) -> tuple[int, object]:
        topic = self._topic(request.path_params["id"])
        params = request.get("topic") if isinstance(request.get("topic"), dict) else request.params
        if params.get("title"):
            title = str(params["title"]).strip()
            if len(title) < MIN_TITLE:
                raise validation_error(f"Title is too short (minimum is {MIN_TITLE} characters)")
            self.forum.update_topic(topic, title=title)
        if params.get("category_id") not in (None, ""):
            self._category(str(params["category_id"]))
            self.forum.update_topic(topic, category_id=int(params["category_id"]))
        stats = self.forum.topic_stats(topic)
        return 200, {
            "basic_topic": {
                "id": topic.id,
                "title": topic.title,
                "fancy_title": topic.title,
                "slug": topic.slug,
                "posts_count": stats["posts_count"],
            }
        }

    # ------------------------------------------------------------------ posts
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
                if user is None:
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
                if topic.accepted_answer_post_id == post.id and post.user_id == user.id:
                    accepter = forum.users.get(topic.accepted_by or -1, user)
                    rows.append((USER_ACTION["SOLVED"], post.updated_at, post, accepter, user))
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

    # ------------------------------------------------------------------ solved
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

    # ------------------------------------------------------------------ polls
    def _poll(self, request: Request):
        post = self._post(request.get("post_id"))
        name = str(request.get("poll_name") or "")
        poll = next((poll for poll in post.polls if poll.name == name), None)
        if poll is None:
            raise validation_error(f"No poll named '{name}' associated with this post.")
        return post, poll

    def poll_vote(self, request: Request) -> tuple[int, object]:
        post, poll = self._poll(request)
        options = split_list(request.get("options"))
        if poll.status == "closed":
            raise validation_error("This poll is closed, you cannot vote in it.")
        if not options or any(option not in poll.option_ids() for option in options):
            raise validation_error("You must select at least 1 option.")
        if poll.type == "regular" and len(options) > 1:
            raise validation_error("You can only vote for one option.")
        poll.votes[request.user.id] = options
        return 200, {"poll": views.poll_json(self.forum, poll, post, request.user), "vote": options}

    def poll_toggle(self, request: Request) -> tuple[int, object]:
        post, poll = self._poll(request)
        status = str(request.get("status") or "")
        if status not in ("open", "closed"):
            raise invalid_parameters("status")
        poll.status = status
        return 200, {"poll": views.poll_json(self.forum, poll, post, request.user)}

    def poll_voters(self, request: Request) -> tuple[int, object]:
        post, poll = self._poll(request)
        if not poll.public or not views.results_visible(self.forum, poll, post, request.user):
            raise invalid_parameters("poll_name")
        limit = min(max(request.int_param("limit", 25, minimum=-(10**9)), 1), 50)
        page = max(request.int_param("page", 1, minimum=-(10**9)), 1)
        option_filter = request.get("option_id")
        voters = {}
        for option in poll.options:
            if option_filter and option.id != option_filter:
                continue
            users = [
                self.forum.users[uid] for uid, choice in poll.votes.items() if option.id in choice
            ]
            chunk = users[(page - 1) * limit : page * limit]
            voters[option.id] = [views.basic_user(user) for user in chunk]
        return 200, {"voters": voters}

    # ------------------------------------------------------------------ directory
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

    # ------------------------------------------------------------------ badges
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

    # ------------------------------------------------------------------ invites and data explorer
    def invite_create(self, request: Request) -> tuple[int, object]:
        """Invite.generate: an existing account -> 422; a pending invite by the same user is
        refreshed and re-sent. Its "3 a day per address" limiter exempts staff, and the sandbox
        only acts as admins, so no 429 comes from here."""
        forum = self.forum
        email = str(request.get("email") or "").strip().lower()
        if not email or "@" not in email:
            raise validation_error("Email is invalid")
        if forum.user_by_email(email) is not None:
            raise validation_error(
                f"There's no need to invite {email}, they already have an account!"
            )
        groups = []
        for group_id in split_list(request.get("group_ids")):
            groups.append(self._group_by_id(group_id))
        for name in split_list(request.get("group_names")):
            group = forum.group_by_name(name)
            if group is None:
                raise not_found()
            groups.append(group)
        now = forum.clock()
        invite = next(
            (
                invite
                for invite in forum.invites.values()
                if invite.email == email
                and invite.invited_by_id == request.user.id
                and not invite.redeemed
                and invite.created_at + INVITE_EXPIRY > now
            ),
            None,
        )
        if invite is None:
            invite_id = forum.next_id("invite")
            key = hashlib.md5(f"{invite_id}:{email}".encode()).hexdigest()[:32]
            invite = Invite(invite_id, email, key, [], now, request.user.id)
            forum.invites[invite.id] = invite
        invite.created_at = now
        invite.group_ids = list(dict.fromkeys([*invite.group_ids, *(group.id for group in groups)]))
        if request.get("custom_message") is not None:
            invite.custom_message = str(request.get("custom_message"))
        if not request.flag("skip_email"):
            invite.sent_at.append(now)
        return 200, self._invite_json(invite)

    def _invite_json(self, invite: Invite) -> dict:
        """InviteSerializer as the inviter (an admin) sees it."""
        return {
            "id": invite.id,
            "invite_key": invite.invite_key,
            "link": f"/invites/{invite.invite_key}",
            "description": None,
            "email": invite.email,
            "domain": None,
            "emailed": bool(invite.sent_at),
            "can_delete_invite": True,
            "custom_message": invite.custom_message,
            "created_at": iso(invite.created_at),
            "updated_at": iso(invite.created_at),
            "expires_at": iso(invite.created_at + INVITE_EXPIRY),
            "expired": invite.created_at + INVITE_EXPIRY <= self.forum.clock(),
            "topics": [],
            "groups": [
                views.group_json(self.forum, self.forum.groups[group_id])
                for group_id in invite.group_ids
            ],
        }

    def invited(self, request: Request) -> tuple[int, object]:
        """UsersController#invited: `filter` pending|expired|redeemed (default redeemed),
        `offset`, 40 a page, newest first; `counts` of the inviter's invites."""
        inviter = self._user_named(request.path_params["username"])
        now = self.forum.clock()
        mine = sorted(
            (
                invite
                for invite in self.forum.invites.values()
                if invite.invited_by_id == inviter.id
            ),
            key=lambda invite: (invite.created_at, invite.id),
            reverse=True,
        )
        pending = [i for i in mine if not i.redeemed and i.created_at + INVITE_EXPIRY > now]
        expired = [i for i in mine if not i.redeemed and i.created_at + INVITE_EXPIRY <= now]
        redeemed = [i for i in mine if i.redeemed]
        offset = request.int_param("offset", 0)
        wanted = str(request.get("filter") or "redeemed")
        if wanted == "redeemed":
            # redeemed invites list who joined (InvitedUserSerializer)
            invites = [
                {"id": invite.id, "redeemed_at": iso(invite.created_at), "invite_source": "email"}
                for invite in redeemed
            ]
        else:
            chosen = {"pending": pending, "expired": expired}.get(wanted, [])
            invites = [self._invite_json(invite) for invite in chosen]
        return 200, {
            "invites": invites[offset : offset + INVITES_PER_PAGE],
            "can_see_invite_details": request.user.staff or request.user.id == inviter.id,
            "counts": {
                "pending": len(pending),
                "expired": len(expired),
                "redeemed": len(redeemed),
                "total": len(pending) + len(expired),
            },
        }

    def explorer_queries(self, request: Request) -> tuple[int, object]:
        return 200, {
            "queries": [
                {
                    "id": query_id,
                    "name": name,
                    "description": description,
                    "username": "system",
                    "group_ids": [],
                    "last_run_at": None,
                    "hidden": False,
                    "user_id": -1,
                }
                for query_id, name, description in EXPLORER_QUERIES
            ]
        }

    # ------------------------------------------------------------------ routes
    def _register(self) -> None:
        add = self.router.add
        add("GET", "/site.json", self.site)
        add("GET", "/session/current.json", self.session_current)
        add("GET", "/admin/plugins.json", self.plugins)
        add("GET", "/admin/site_settings.json", self.site_settings)
        add("GET", "/categories.json", self.categories)
        add("POST", "/categories.json", self.category_create)
        add("GET", "/c/{id}/show.json", self.category_show)
        add("GET", "/c/{slug}/{id}.json", self.category_topics)
        add("PUT", "/categories/{id}.json", self.category_update)
        add("GET", "/groups.json", self.groups)
        add("GET", "/groups/search.json", self.groups_search)
        add("GET", "/groups/by-id/{id}.json", self.group_by_id)
        add("GET", "/groups/{name}/members.json", self.group_members)
        add("PUT", "/groups/{id}/members.json", self.group_add_members)
        add("DELETE", "/groups/{id}/members.json", self.group_remove_members)
        add("GET", "/groups/{name}.json", self.group_show)
        add("PUT", "/groups/{id}.json", self.group_update)
        add("POST", "/admin/groups.json", self.group_create)
        add("GET", "/admin/users/list/{flag}.json", self.admin_users_list)
        add("GET", "/admin/users/{id}.json", self.admin_user_show)
        add("GET", "/u/{username}.json", self.user_show)
        add("GET", "/users/{username}.json", self.user_show)
        add("POST", "/users.json", self.user_create)
        add("GET", "/latest.json", self.latest)
        add("GET", "/t/{id}/posts.json", self.topic_posts)
        add("PUT", "/t/-/{id}.json", self.topic_update)
        add("GET", "/t/{slug}/{id}.json", self.topic_show)
        add("GET", "/t/{id}.json", self.topic_show)
        add("GET", "/posts.json", self.latest_posts)
        add("POST", "/posts.json", self.post_create)
        add("GET", "/posts/{id}.json", self.post_show)
        add("PUT", "/posts/{id}.json", self.post_update)
        add("DELETE", "/posts/{id}.json", self.post_delete)
        add("PUT", "/posts/{id}/wiki.json", self.post_wiki)
        add("POST", "/post_actions.json", self.post_action)
        add("GET", "/post_action_users.json", self.post_action_users)
        add("GET", "/user_actions.json", self.user_actions)
        add("GET", "/solution/by_user.json", self.solved_by_user)
        add("POST", "/solution/accept.json", lambda request: self.solution(request, accept=True))
        add("POST", "/solution/unaccept.json", lambda request: self.solution(request, accept=False))
        add("PUT", "/polls/vote.json", self.poll_vote)
        add("PUT", "/polls/toggle_status.json", self.poll_toggle)
        add("GET", "/polls/voters.json", self.poll_voters)
        add("GET", "/directory_items.json", self.directory)
        add("GET", "/admin/badges.json", self.badges)
        add("POST", "/admin/badges.json", self.badge_create)
        add("POST", "/user_badges.json", self.user_badge_grant)
        add("GET", "/user-badges/{username}.json", self.user_badges_of)
        add("POST", "/invites.json", self.invite_create)
        add("GET", "/u/{username}/invited.json", self.invited)
        add("GET", "/admin/plugins/explorer/queries.json", self.explorer_queries)
