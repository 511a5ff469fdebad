"""GroupsController and Admin::GroupsController: list, show, create, update, members."""

from __future__ import annotations

import re

from sandbox import views
from sandbox.api.common import Controller, split_list, validation_error
from sandbox.routing import (
    Request,
    Router,
    invalid_access,
    invalid_parameters,
    missing_parameter,
    not_found,
)
from sandbox.state import Group, User, iso

MEMBERS_DEFAULT = 50
MEMBERS_MAX = 1000
GROUPS_PAGE = 36


class GroupsController(Controller):
    """Groups: the paged list, search, one group (by name or id), create, update, members."""

    def register(self, router: Router) -> None:
        """Add this controller's routes to `router`."""
        add = router.add
        add("GET", "/groups.json", self.groups)
        add("GET", "/groups/search.json", self.groups_search)
        add("GET", "/groups/by-id/{id}.json", self.group_by_id)
        add("GET", "/groups/{name}/members.json", self.group_members)
        add("PUT", "/groups/{id}/members.json", self.group_add_members)
        add("DELETE", "/groups/{id}/members.json", self.group_remove_members)
        add("GET", "/groups/{name}.json", self.group_show)
        add("PUT", "/groups/{id}.json", self.group_update)
        add("POST", "/admin/groups.json", self.group_create)

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
