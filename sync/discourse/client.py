"""The Discourse client Campus uses: the endpoint calls above the transport.

`DiscourseAPI` is pydiscourse's client on `sync.discourse.transport.Transport` (budget, 429
waits, retries, counters, errors without the key), plus the paging iterators and the endpoints
pydiscourse lacks (discourse-api.md §12).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sync.discourse.exceptions import DiscourseError
from sync.discourse.transport import Transport

TOPIC_CHUNK_SIZE = 20  # posts per /t/{id}/posts.json request, like Discourse's own web client
ADMIN_USERS_PAGE_SIZE = 100
LIKE = 2  # post_action_type_id of a like


class DiscourseAPI(Transport):
    """The Discourse endpoints Campus calls: pydiscourse's, paging iterators and the missing ones."""

    # ------------------------------------------------------------------ paging iterators

    def iter_latest_posts(
        self, stop_at_id: int = 0, before: int | None = None
    ) -> Iterator[list[dict]]:
        """Pages of `/posts.json`, newest first, from `before` (None: the newest post) down to
        (not including) `stop_at_id`.

        `before` is inclusive in Discourse (`id <= before`), so the next page asks for
        `before = smallest id seen - 1`; posts with `id <= stop_at_id` are not yielded. A walk
        interrupted after a page resumes with `before = smallest id of that page - 1`.
        """
        while True:
            params = {} if before is None else {"before": before}
            page = self._get("/posts.json", **params).get("latest_posts") or []
            if not page:
                return
            fresh = [post for post in page if post["id"] > stop_at_id]
            if fresh:
                yield fresh
            before = min(post["id"] for post in page) - 1
            if len(fresh) < len(page) or before <= stop_at_id:
                return

    def iter_latest_topics(self, per_page: int = 100, **filters: Any) -> Iterator[list[dict]]:
        """Pages of `/latest.json` (0-based `page`), followed while `more_topics_url` is present;
        `filters` (e.g. `category=<id>`) are passed as query parameters."""
        page = 0
        while True:
            topic_list = self._get("/latest.json", page=page, per_page=per_page, **filters)[
                "topic_list"
            ]
            topics = topic_list.get("topics") or []
            if topics:
                yield topics
            more = topic_list.get("more_topics_url")
            if not topics or not more:
                return
            next_pages = parse_qs(urlsplit(more).query).get("page")
            page = int(next_pages[0]) if next_pages else page + 1

    def count_solved_topics(self, category_id: int, slug: str) -> int:
        """Solved topics of one category, subcategories left out: Solved's `solved=yes` filter on
        `/c/{slug}/{id}.json`, 100 topics a request."""
        count = 0
        page = 0
        while True:
            topic_list = self._get(
                f"/c/{slug}/{category_id}.json",
                page=page,
                per_page=100,
                solved="yes",
                no_subcategories="true",
            )["topic_list"]
            topics = topic_list.get("topics") or []
            count += sum(1 for topic in topics if topic.get("has_accepted_answer", True))
            if not topics or not topic_list.get("more_topics_url"):
                return count
            page += 1

    def topic_with_posts(self, topic_id: int, include_raw: bool = False) -> dict:
        """`/t/{id}.json` with `post_stream.posts` completed, in stream order.

        The topic view carries the first 20 posts; the others are fetched 20 at a time through
        `/t/{id}/posts.json?post_ids[]=…` (not one request per post).
        """
        extra = {"include_raw": "true"} if include_raw else {}
        topic = self._get(f"/t/{topic_id}.json", **extra)
        stream = topic["post_stream"].get("stream") or []
        by_id = {post["id"]: post for post in topic["post_stream"].get("posts") or []}
        missing = [post_id for post_id in stream if post_id not in by_id]
        for start in range(0, len(missing), TOPIC_CHUNK_SIZE):
            chunk = missing[start : start + TOPIC_CHUNK_SIZE]
            data = self._get(f"/t/{topic_id}/posts.json", **{"post_ids[]": chunk}, **extra)
            by_id.update({post["id"]: post for post in data["post_stream"]["posts"]})
        topic["post_stream"]["posts"] = [by_id[i] for i in stream if i in by_id]
        return topic

    def iter_users(self, flag: str = "active", **filters: Any) -> Iterator[list[dict]]:
        """Pages of `/admin/users/list/{flag}.json`: 1-based pages of 100 (page 0 repeats page 1)."""
        page = 1
        while True:
            rows = self._get(f"/admin/users/list/{flag}.json", page=page, **filters) or []
            if rows:
                yield rows
            if len(rows) < ADMIN_USERS_PAGE_SIZE:
                return
            page += 1

    def iter_group_members(self, name: str, limit: int = 1000) -> Iterator[list[dict]]:
        """Pages of `/groups/{name}/members.json` by `limit`/`offset`, up to `meta.total`."""
        offset = 0
        while True:
            data = self._get(f"/groups/{name}/members.json", limit=limit, offset=offset)
            members = data.get("members") or []
            if members:
                yield members
            offset += len(members)
            if not members or offset >= data["meta"]["total"]:
                return

    def iter_groups(self) -> Iterator[list[dict]]:
        """Pages of `/groups.json` (0-based `page`, 36 groups a page, 15 for a mobile user agent)
        until `total_rows_groups` are seen; staff also get the automatic groups."""
        page, seen = 0, 0
        while True:
            data = self._get("/groups.json", page=page)
            groups = data.get("groups") or []
            if groups:
                yield groups
            seen += len(groups)
            if not groups or seen >= data.get("total_rows_groups", seen):
                return
            page += 1

    def iter_user_actions(self, username: str, filter: str | int) -> Iterator[list[dict]]:
        """Pages of `/user_actions.json` for one user and action types (e.g. "1" likes, "4,5")."""
        offset = 0
        while True:
            data = self._get(
                "/user_actions.json", username=username, filter=str(filter), offset=offset
            )
            actions = data.get("user_actions") or []
            if not actions:
                return
            yield actions
            offset += len(actions)

    def iter_post_action_users(
        self, post_id: int, action_type: int = LIKE, limit: int = 200
    ) -> Iterator[list[dict]]:
        """Pages of `/post_action_users.json` (0-based `page`, `limit` up to 200): who liked a post.

        `total_rows_post_action_users` only comes when the total exceeds `limit`, so a short
        page is what ends the walk.
        """
        page = 0
        while True:
            data = self._get(
                "/post_action_users.json",
                id=post_id,
                post_action_type_id=action_type,
                page=page,
                limit=limit,
            )
            users = data.get("post_action_users") or []
            if users:
                yield users
            if len(users) < limit:
                return
            page += 1

    def iter_pending_invites(self, username: str) -> Iterator[list[dict]]:
        """Pages of the pending invites `username` sent (`/u/{username}/invited.json`,
        `filter=pending`, `offset`; `invites_per_page` a page, 40 by default) until
        `counts.pending` are seen. Each invite has `id`, `email`, `groups`, `expires_at`…"""
        offset = 0
        while True:
            data = self._get(f"/u/{username}/invited.json", filter="pending", offset=offset)
            invites = data.get("invites") or []
            if invites:
                yield invites
            offset += len(invites)
            if not invites or offset >= (data.get("counts") or {}).get("pending", offset):
                return

    # ------------------------------------------------------------------ site & session

    def site(self) -> dict:
        """`/site.json`: categories (flat), groups, user field definitions, post types."""
        return self._get("/site.json")

    def all_categories(self) -> list[dict]:
        """Every category the API user can see, subcategories included, from `/site.json`."""
        return self.site().get("categories") or []

    def current_user(self) -> dict:
        """The API user as Discourse sees it (`admin`, `moderator`, `username`…).

        A wrong key or a username the key does not allow answers 403 (`error_type`
        "invalid_access"); a request with no user at all answers 404 with an empty body.
        """
        return self._get("/session/current.json")["current_user"]

    def plugins(self) -> list[dict]:
        """Installed plugins from `/admin/plugins.json` (`id` = directory, `name`, `enabled`…).

        Solved is listed as "discourse-solved" and Data Explorer as "discourse-data-explorer";
        Poll calls `hide_plugin`, so it is never listed: its state is the `poll_enabled` site
        setting.
        """
        data = self._get("/admin/plugins.json")
        return data.get("plugins", []) if isinstance(data, dict) else data or []

    # ------------------------------------------------------------------ groups

    def update_group(self, group_id: int, **fields: Any) -> dict:
        """`PUT /groups/{id}.json` with `{"group": fields}`."""
        return self._put(f"/groups/{group_id}.json", json=True, group=fields)

    def add_group_members_by_id(self, group_id: int, usernames: list[str]) -> dict:
        """Add members to a group by its numeric id; "already members" (422) is a no-op.

        Discourse answers 422 when *all* given users are already members, listing their
        usernames; that is recognised by the names (whatever the forum's language).
        """
        try:
            return self._put(
                f"/groups/{group_id}/members.json", json=True, usernames=",".join(usernames)
            )
        except DiscourseError as error:
            text = str(error).lower()
            if error.status == 422 and all(name.lower() in text for name in usernames):
                return {"success": "OK", "usernames": [], "already_members": list(usernames)}
            raise

    def remove_group_members_by_id(self, group_id: int, usernames: list[str]) -> dict:
        """`DELETE /groups/{id}/members.json`; Discourse lists non-members in `skipped_usernames`."""
        return self._request(
            "DELETE", f"/groups/{group_id}/members.json", json={"usernames": ",".join(usernames)}
        )

    # ------------------------------------------------------------------ polls & solved

    def vote_poll(self, post_id: int, poll_name: str, options: list[str]) -> dict:
        """Vote as the API user: `PUT /polls/vote` with option ids (md5 digests)."""
        return self._put(
            "/polls/vote", json=True, post_id=post_id, poll_name=poll_name, options=options
        )

    def toggle_poll_status(self, post_id: int, poll_name: str, status: str) -> dict:
        """Open or close a poll (`status` is "open" or "closed")."""
        return self._put(
            "/polls/toggle_status", json=True, post_id=post_id, poll_name=poll_name, status=status
        )

    def poll_voters(self, post_id: int, poll_name: str, limit: int = 50) -> dict[str, list[dict]]:
        """All voters of a public poll, by option id, over the 1-based pages of `/polls/voters.json`."""
        voters: dict[str, list[dict]] = {}
        page = 1
        while True:
            data = self._get(
                "/polls/voters.json", post_id=post_id, poll_name=poll_name, page=page, limit=limit
            )
            batch = data.get("voters") or {}
            for option_id, users in batch.items():
                voters.setdefault(option_id, []).extend(users)
            if not batch or all(len(users) < limit for users in batch.values()):
                return voters
            page += 1

    def accept_solution(self, post_id: int) -> dict:
        """Mark a post as the accepted answer of its topic (Solved)."""
        return self._post("/solution/accept", id=post_id)

    def unaccept_solution(self, post_id: int) -> dict:
        """Remove the accepted-answer mark from a post (Solved)."""
        return self._post("/solution/unaccept", id=post_id)

    def solved_by_user(self, username: str, offset: int = 0, limit: int = 30) -> list[dict]:
        """Posts of `username` accepted as solutions (`/solution/by_user.json`), newest first."""
        data = self._get("/solution/by_user.json", username=username, offset=offset, limit=limit)
        return data.get("user_solved_posts") or []

    def explorer_queries(self) -> list[dict]:
        """Saved Data Explorer queries (`/admin/plugins/explorer/queries.json`)."""
        return self._get("/admin/plugins/explorer/queries.json").get("queries") or []

    # ------------------------------------------------------------------ directory & badges

    def directory_items(
        self, period: str = "all", order: str = "likes_received", page: int = 0, **filters: Any
    ) -> dict:
        """One page (50 rows, 0-based) of `/directory_items.json`, with its `meta`."""
        return self._get("/directory_items.json", period=period, order=order, page=page, **filters)

    def list_badges(self) -> list[dict]:
        """Every badge of the forum (`/admin/badges.json`)."""
        return self._get("/admin/badges.json").get("badges") or []

    def create_badge(self, name: str, description: str, badge_type_id: int = 3) -> dict:
        """Create an enabled, manually granted badge (type 3 = bronze); return it."""
        data = self._post(
            "/admin/badges.json",
            name=name,
            description=description,
            badge_type_id=badge_type_id,
            enabled="true",
        )
        return data["badge"]

    def grant_badge(self, username: str, badge_id: int, reason: str = "") -> dict:
        """Grant a badge; return `{"user_badge": …, "badges": […], "users": […]}`.

        Discourse only accepts a `reason` that is a link to a post or topic (else 400); granting
        a single-grant badge again returns the existing grant.
        """
        fields: dict[str, Any] = {"username": username, "badge_id": badge_id}
        if reason:
            fields["reason"] = reason
        return self._post("/user_badges.json", **fields)

    # ------------------------------------------------------------------ writing content

    def invite(
        self, email: str, group_names: list[str] | str, custom_message: str = "", **kwargs: Any
    ) -> dict:
        """Invite someone by e-mail into the given groups (`POST /invites.json`).

        Returns the invite itself (`id`, `invite_key`, `link`, `email`, `groups`…). An address
        that already has an account is refused (422 `errors`); inviting a pending address again
        refreshes and re-sends that invite (at most 3 times a day per address).
        """
        names = group_names if isinstance(group_names, str) else ",".join(group_names)
        fields = {"email": email, "group_names": names, **kwargs}
        if custom_message:
            fields["custom_message"] = custom_message
        return self._post("/invites.json", **fields)

    def like(self, post_id: int) -> dict:
        """Like a post as the API user (`POST /post_actions.json`)."""
        return self._post("/post_actions.json", id=post_id, post_action_type_id=LIKE)

    def create_topic(
        self, title: str, raw: str, category_id: int, created_at: datetime | None = None
    ) -> dict:
        """Create a topic; return its first post (`id`, `topic_id`, `post_number`…)."""
        fields: dict[str, Any] = {"title": title, "raw": raw, "category": category_id}
        if created_at is not None:
            fields["created_at"] = created_at.isoformat()
        return self._post("/posts.json", json=True, **fields)

    def reply(
        self,
        topic_id: int,
        raw: str,
        reply_to_post_number: int | None = None,
        created_at: datetime | None = None,
    ) -> dict:
        """Reply in a topic (optionally to one of its posts); return the new post."""
        fields: dict[str, Any] = {"topic_id": topic_id, "raw": raw}
        if reply_to_post_number is not None:
            fields["reply_to_post_number"] = reply_to_post_number
        if created_at is not None:
            fields["created_at"] = created_at.isoformat()
        return self._post("/posts.json", json=True, **fields)

    def update_post(self, post_id: int, raw: str, edit_reason: str = "", **kwargs: Any) -> dict:
        """Replace a post's text (`PUT /posts/{id}.json`); return `{"post": …}`."""
        post = {"raw": raw, "edit_reason": edit_reason, **kwargs}
        return self._put(f"/posts/{post_id}.json", json=True, post=post)

    def send_private_message(self, title: str, raw: str, usernames: list[str]) -> dict:
        """Start a private message to `usernames` (`POST /posts.json`, `archetype=private_message`,
        `target_recipients`); return its first post (`id`, `topic_id`…)."""
        return self._post(
            "/posts.json",
            json=True,
            title=title,
            raw=raw,
            archetype="private_message",
            target_recipients=",".join(usernames),
        )

    def set_wiki(self, post_id: int, wiki: bool = True) -> None:
        """Make a post a wiki (or not): `PUT /posts/{id}/wiki` with `wiki=true|false`."""
        self._put(f"/posts/{post_id}/wiki.json", json=True, wiki=wiki)
