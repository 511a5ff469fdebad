"""The in-memory forum behind the sandbox: users, groups, categories, topics, posts, actions.

One `Forum` holds everything under a single re-entrant lock; the HTTP layer takes the lock for
each request, so every answer sees a consistent forum. Derived numbers (posts_count, like_count,
last_posted_at…) are computed from the posts themselves, so they can never drift.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sandbox.polls import Poll, merge_votes, parse_polls
from sandbox.settings import default_values

LIKE = 2
FLAG_TYPES = (3, 4, 6, 7, 8)
POST_ACTION_TYPES = {
    2: ("like", "Like"),
    3: ("off_topic", "Off-Topic"),
    4: ("inappropriate", "Inappropriate"),
    6: ("notify_user", "Send @user a message"),
    7: ("notify_moderators", "Something Else"),
    8: ("spam", "Spam"),
}
POST_TYPES = {"regular": 1, "moderator_action": 2, "small_action": 3, "whisper": 4}
AUTOMATIC_GROUPS = {
    "everyone": 0,
    "admins": 1,
    "moderators": 2,
    "staff": 3,
    "trust_level_0": 10,
    "trust_level_1": 11,
    "trust_level_2": 12,
    "trust_level_3": 13,
    "trust_level_4": 14,
}
FIRST_CUSTOM_GROUP_ID = 41
UNCATEGORIZED_ID = 1


def utcnow() -> datetime:
    """The wall clock, in UTC (the default clock of a forum)."""
    return datetime.now(UTC)


def iso(moment: datetime | None) -> str | None:
    """Discourse's timestamp format: UTC, milliseconds, `Z` suffix."""
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_time(text: str) -> datetime:
    """An ISO-8601 timestamp (with `Z` or an offset; naive means UTC) as an aware datetime."""
    moment = datetime.fromisoformat(text.strip().replace(" ", "T"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def slugify(text: str, fallback: str = "topic") -> str:
    """Discourse-like ASCII slug: accents dropped, lowercase, runs of other characters -> `-`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug or fallback


@dataclass
class User:
    """A Discourse account; ids <= 0 are Discourse's own system and bot accounts."""

    id: int
    username: str
    name: str
    email: str
    created_at: datetime
    admin: bool = False
    moderator: bool = False
    trust_level: int = 1
    active: bool = True
    suspended_till: datetime | None = None
    staged: bool = False
    last_seen_at: datetime | None = None
    title: str | None = None

    @property
    def staff(self) -> bool:
        return self.admin or self.moderator


@dataclass
class Group:
    """A group; automatic ones compute their members from users' flags and trust levels."""

    id: int
    name: str
    full_name: str | None = None
    automatic: bool = False
    members: dict[int, datetime] = field(default_factory=dict)
    owners: set[int] = field(default_factory=set)
    visibility_level: int = 0
    mentionable_level: int = 0
    messageable_level: int = 0
    title: str | None = None
    bio_raw: str = ""
    primary_group: bool = False
    grant_trust_level: int | None = None
    public_admission: bool = False
    public_exit: bool = False
    flair_icon: str | None = None
    flair_bg_color: str | None = None
    flair_color: str | None = None
    default_notification_level: int = 3


@dataclass
class Category:
    """A category; `permissions` maps group names to 1 full, 2 create post, 3 read only."""

    id: int
    name: str
    slug: str
    color: str = "0088CC"
    text_color: str = "FFFFFF"
    description: str | None = None
    parent_category_id: int | None = None
    permissions: dict[str, int] = field(default_factory=lambda: {"everyone": 1})
    custom_fields: dict[str, object] = field(default_factory=dict)
    position: int = 0

    @property
    def read_restricted(self) -> bool:
        return "everyone" not in self.permissions

    @property
    def accepts_answers(self) -> bool:
        return str(self.custom_fields.get("enable_accepted_answers", "")).lower() == "true"


@dataclass
class Topic:
    """A topic or private message; `post_ids` are its posts in post_number order."""

    id: int
    title: str
    slug: str
    category_id: int | None
    user_id: int
    created_at: datetime
    bumped_at: datetime
    archetype: str = "regular"
    deleted_at: datetime | None = None
    closed: bool = False
    archived: bool = False
    visible: bool = True
    pinned: bool = False
    views: int = 0
    accepted_answer_post_id: int | None = None
    accepted_by: int | None = None
    accepted_at: datetime | None = None
    #: whether Solved logged a SOLVED user action for the accepted answer (it logs none when an
    #: answer replaces another one: `DiscourseSolved.accept_answer!`)
    solved_action_logged: bool = False
    allowed_user_ids: list[int] = field(default_factory=list)
    post_ids: list[int] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    @property
    def is_private_message(self) -> bool:
        return self.archetype == "private_message"


@dataclass
class Post:
    """A post; `post_number` is its rank in its topic, ids increase across the forum."""

    id: int
    topic_id: int
    post_number: int
    user_id: int
    raw: str
    cooked: str
    created_at: datetime
    updated_at: datetime
    reply_to_post_number: int | None = None
    deleted_at: datetime | None = None
    hidden: bool = False
    post_type: int = 1
    version: int = 1
    edit_reason: str | None = None
    polls: list[Poll] = field(default_factory=list)
    wiki: bool = False


@dataclass
class PostAction:
    """A like (type 2) or a flag (3/4/6/7/8) by a user on a post."""

    id: int
    post_id: int
    user_id: int
    post_action_type_id: int
    created_at: datetime


@dataclass
class Badge:
    """A badge definition (badge_type_id 1 gold, 2 silver, 3 bronze)."""

    id: int
    name: str
    description: str
    badge_type_id: int = 3
    enabled: bool = True
    icon: str = "certificate"
    system: bool = False
    multiple_grant: bool = False


@dataclass
class UserBadge:
    """A badge granted to a user."""

    id: int
    badge_id: int
    user_id: int
    granted_at: datetime
    granted_by_id: int
    reason: str | None = None


@dataclass
class Invite:
    """An invitation sent to an email address, optionally into groups.

    Inviting a pending address again reuses the invite: `created_at` moves to that moment and
    the send is recorded in `sent_at` (Discourse's `Invite.generate`).
    """

    id: int
    email: str
    invite_key: str
    group_ids: list[int]
    created_at: datetime
    invited_by_id: int
    redeemed: bool = False
    custom_message: str | None = None
    sent_at: list[datetime] = field(default_factory=list)


def cook(raw: str) -> str:
    """A small stand-in for Discourse's Markdown cooking: escaped paragraphs, polls as divs."""
    from html import escape

    parts = []
    for paragraph in re.split(r"\n\s*\n", raw.strip()):
        if paragraph.lstrip().startswith("[poll"):
            parts.append('<div class="poll">' + escape(paragraph) + "</div>")
        elif paragraph:
            parts.append("<p>" + escape(paragraph).replace("\n", "<br>\n") + "</p>")
    return "\n".join(parts)


class Forum:
    """The whole forum, guarded by `lock` (re-entrant: helpers may nest)."""

    def __init__(self, clock: Callable[[], datetime] = utcnow):
        self.lock = threading.RLock()
        self.clock = clock
        self.users: dict[int, User] = {}
        self.groups: dict[int, Group] = {}
        self.categories: dict[int, Category] = {}
        self.topics: dict[int, Topic] = {}
        self.posts: dict[int, Post] = {}
        self.post_actions: dict[int, PostAction] = {}
        self.actions_by_post: dict[int, list[PostAction]] = {}
        self.badges: dict[int, Badge] = {}
        self.user_badges: dict[int, UserBadge] = {}
        self.invites: dict[int, Invite] = {}
        self._username_index: dict[str, int] = {}
        self.site_settings: dict[str, str] = {**default_values(), "title": "Campus (sandbox)"}
        self._next = {"user": 1, "group": FIRST_CUSTOM_GROUP_ID, "category": 2, "topic": 1}
        self._next.update(post=1, action=1, badge=101, user_badge=1, invite=1)
        #: called as listener(event, subject) after each change a Discourse webhook reports
        self.listeners: list[Callable[[str, object], None]] = []
        # topic tags as current Discourse serializes them ("objects": {id, name, slug}) or as
        # older versions did ("names": a list of names); tag ids by name
        self.tag_shape = "objects"
        self.tag_ids: dict[str, int] = {}
        self._seed_defaults()

    # ------------------------------------------------------------------ change events
    def emit(self, event: str, subject: object) -> None:
        """Tell the listeners (webhook deliveries) that `event` happened to `subject`.

        Called under `lock`, right after the change, so a listener sees the forum as it is.
        Subjects: a Post (post_*, *_solution), a Topic (topic_*), a PostAction (post_liked), a
        User (user_created, user_updated), a (Group, user id) pair (user_*_group).
        """
        for listener in self.listeners:
            listener(event, subject)

    # ------------------------------------------------------------------ ids and defaults
    def next_id(self, kind: str) -> int:
        """Allocate the next id of `kind` (users, topics, posts… each have their own sequence)."""
        value = self._next[kind]
        self._next[kind] = value + 1
        return value

    def _seed_defaults(self) -> None:
        epoch = datetime(2025, 1, 1, tzinfo=UTC)
        self.register_user(
            User(
                -1, "system", "system", "no_email", epoch, admin=True, moderator=True, trust_level=4
            )
        )
        self.register_user(User(-2, "discobot", "discobot", "discobot_email", epoch, trust_level=4))
        for name, group_id in AUTOMATIC_GROUPS.items():
            self.groups[group_id] = Group(
                group_id, name, automatic=True, visibility_level=1 if group_id else 0
            )
        self.categories[UNCATEGORIZED_ID] = Category(
            UNCATEGORIZED_ID, "Uncategorized", "uncategorized", color="0088CC", text_color="FFFFFF"
        )
        for badge_id, name, badge_type in (
            (1, "Basic User", 3),
            (2, "Member", 2),
            (3, "Regular", 1),
        ):
            self.badges[badge_id] = Badge(
                badge_id, name, f"Granted {name}", badge_type, system=True
            )
        self.badges[21] = Badge(21, "Solved", "Answer accepted as a solution", 3, system=True)

    # ------------------------------------------------------------------ lookups
    def user_by_username(self, username: str | None) -> User | None:
        """Case-insensitive username lookup."""
        if not username:
            return None
        user_id = self._username_index.get(username.lower())
        return None if user_id is None else self.users.get(user_id)

    def user_by_email(self, email: str) -> User | None:
        """Case-insensitive email lookup."""
        wanted = email.strip().lower()
        return next((user for user in self.users.values() if user.email.lower() == wanted), None)

    def group_by_name(self, name: str) -> Group | None:
        """Case-insensitive group-name lookup."""
        wanted = name.lower()
        return next((group for group in self.groups.values() if group.name.lower() == wanted), None)

    def group_member_ids(self, group: Group) -> list[int]:
        """Members of `group`; automatic groups follow users' flags and trust levels."""
        if not group.automatic:
            return list(group.members)
        real = [user for user in self.users.values() if user.id > 0 and not user.staged]
        rule = {
            "everyone": lambda user: True,
            "admins": lambda user: user.admin,
            "moderators": lambda user: user.moderator,
            "staff": lambda user: user.staff,
        }.get(group.name, lambda user: user.trust_level >= int(group.name[-1]))
        return [user.id for user in real if rule(user)]

    def groups_of(self, user: User) -> list[Group]:
        """Every group `user` belongs to, automatic ones included."""
        return [group for group in self.groups.values() if user.id in self.group_member_ids(group)]

    # ------------------------------------------------------------------ users and groups
    def add_user(self, username: str, email: str, *, name: str | None = None, **fields) -> User:
        """Create an account with the next positive id."""
        with self.lock:
            created_at = fields.pop("created_at", None) or self.clock()
            user = User(
                self.next_id("user"), username, name or username, email, created_at, **fields
            )
            self.register_user(user)
            self.emit("user_created", user)
            return user

    def update_user(self, user: User, **fields) -> User:
        """Change an account's fields (name, trust level, suspension…)."""
        with self.lock:
            for name, value in fields.items():
                setattr(user, name, value)
            self.emit("user_updated", user)
            return user

    def register_user(self, user: User) -> None:
        """Store `user` and index its username."""
        with self.lock:
            self.users[user.id] = user
            self._username_index[user.username.lower()] = user.id

    def add_group(self, name: str, **fields) -> Group:
        """Create a custom group."""
        with self.lock:
            group = Group(self.next_id("group"), name, **fields)
            self.groups[group.id] = group
            return group

    def add_members(
        self, group: Group, user_ids: Iterable[int], *, at: datetime | None = None
    ) -> list[int]:
        """Add users to a custom group; returns those who were not already members."""
        with self.lock:
            added = []
            for user_id in user_ids:
                if user_id not in group.members:
                    group.members[user_id] = at or self.clock()
                    added.append(user_id)
                    self.emit("user_added_to_group", (group, user_id))
            return added

    def remove_members(self, group: Group, user_ids: Iterable[int]) -> list[int]:
        """Remove users from a custom group; returns those who were members."""
        with self.lock:
            removed = []
            for user_id in user_ids:
                if user_id in group.members:
                    del group.members[user_id]
                    group.owners.discard(user_id)
                    removed.append(user_id)
                    self.emit("user_removed_from_group", (group, user_id))
            return removed

    # ------------------------------------------------------------------ categories
    def add_category(self, name: str, *, slug: str | None = None, **fields) -> Category:
        """Create a category (slug derived from the name when not given)."""
        with self.lock:
            category_id = self.next_id("category")
            category = Category(
                category_id,
                name,
                slug or slugify(name, fallback=f"{category_id}-category"),
                **fields,
            )
            category.position = len(self.categories)
            self.categories[category.id] = category
            return category

    def category_by_slug(self, slug: str, parent_id: int | None = None) -> Category | None:
        """The category with `slug` under `parent_id` (None = top level)."""
        return next(
            (
                category
                for category in self.categories.values()
                if category.slug == slug and category.parent_category_id == parent_id
            ),
            None,
        )

    # ------------------------------------------------------------------ topics and posts
    def tag_id(self, name: str) -> int:
        """The id of tag `name` (tags are created on first use, as Discourse does)."""
        with self.lock:
            return self.tag_ids.setdefault(name, len(self.tag_ids) + 1)

    def create_topic(
        self,
        user: User,
        title: str,
        raw: str,
        *,
        category_id: int | None = UNCATEGORIZED_ID,
        created_at: datetime | None = None,
        archetype: str = "regular",
        allowed_user_ids: Iterable[int] = (),
        pinned: bool = False,
        tags: Iterable[str] = (),
    ) -> Post:
        """Create a topic with its first post; returns that post."""
        with self.lock:
            created_at = created_at or self.clock()
            topic_id = self.next_id("topic")
            topic = Topic(
                topic_id,
                title,
                slugify(title),
                None if archetype == "private_message" else category_id,
                user.id,
                created_at,
                created_at,
                archetype=archetype,
                pinned=pinned,
                allowed_user_ids=list(allowed_user_ids),
                tags=list(dict.fromkeys(tags)),
            )
            for name in topic.tags:
                self.tag_id(name)
            self.topics[topic.id] = topic
            first = self.create_post(user, topic, raw, created_at=created_at)
            self.emit("topic_created", topic)
            return first

    def update_topic(
        self, topic: Topic, *, title: str | None = None, category_id: int | None = None
    ) -> Topic:
        """Retitle or move a topic."""
        with self.lock:
            if title is not None:
                topic.title, topic.slug = title, slugify(title)
            if category_id is not None:
                topic.category_id = category_id
            self.emit("topic_edited", topic)
            return topic

    def create_post(
        self,
        user: User,
        topic: Topic,
        raw: str,
        *,
        reply_to_post_number: int | None = None,
        created_at: datetime | None = None,
        post_type: int = 1,
        hidden: bool = False,
    ) -> Post:
        """Append a post to `topic` (bumping it when it is a regular post)."""
        with self.lock:
            created_at = created_at or self.clock()
            post = Post(
                self.next_id("post"),
                topic.id,
                len(topic.post_ids) + 1,
                user.id,
                raw,
                cook(raw),
                created_at,
                created_at,
                reply_to_post_number=reply_to_post_number,
                post_type=post_type,
                hidden=hidden,
                polls=parse_polls(raw),
            )
            self.posts[post.id] = post
            topic.post_ids.append(post.id)
            if post_type == POST_TYPES["regular"] and created_at > topic.bumped_at:
                topic.bumped_at = created_at
            self.emit("post_created", post)
            return post

    def edit_post(
        self, post: Post, raw: str, *, edit_reason: str | None = None, at: datetime | None = None
    ) -> Post:
        """Replace a post's raw: new version, new updated_at, polls re-parsed keeping votes."""
        with self.lock:
            post.raw = raw
            post.cooked = cook(raw)
            post.version += 1
            post.edit_reason = edit_reason
            post.updated_at = at or self.clock()
            post.polls = merge_votes(post.polls, parse_polls(raw))
            self.emit("post_edited", post)
            return post

    def delete_post(self, post: Post, *, at: datetime | None = None) -> None:
        """Soft-delete a post; deleting the first post deletes the whole topic, like Discourse."""
        with self.lock:
            moment = at or self.clock()
            post.deleted_at = moment
            post.updated_at = moment
            topic = self.topics[post.topic_id]
            if post.post_number == 1:
                topic.deleted_at = moment
            if topic.accepted_answer_post_id == post.id:
                topic.accepted_answer_post_id = None
            self.emit("post_destroyed", post)
            if post.post_number == 1:
                self.emit("topic_destroyed", topic)

    def recover_post(self, post: Post) -> None:
        """Undo a soft deletion (recovering the first post recovers its topic)."""
        with self.lock:
            post.deleted_at = None
            post.updated_at = self.clock()
            topic = self.topics[post.topic_id]
            if post.post_number == 1:
                topic.deleted_at = None
            self.emit("post_recovered", post)
            if post.post_number == 1:
                self.emit("topic_recovered", topic)

    def add_action(
        self, post: Post, user: User, action_type: int, *, at: datetime | None = None
    ) -> PostAction:
        """Record a like or a flag."""
        with self.lock:
            action = PostAction(
                self.next_id("action"), post.id, user.id, action_type, at or self.clock()
            )
            self.post_actions[action.id] = action
            self.actions_by_post.setdefault(post.id, []).append(action)
            if action_type == LIKE:
                self.emit("post_liked", action)
            return action

    def accept_answer(self, post: Post, accepter: User, at: datetime | None = None) -> None:
        """Mark `post` as its topic's solution (accepted now, or `at` for a built history)."""
        with self.lock:
            topic = self.topics[post.topic_id]
            topic.solved_action_logged = topic.accepted_answer_post_id is None
            topic.accepted_answer_post_id = post.id
            topic.accepted_by = accepter.id
            topic.accepted_at = at or self.clock()
            self.emit("accepted_solution", post)

    def unaccept_answer(self, topic: Topic) -> None:
        """Clear a topic's solution."""
        with self.lock:
            post_id = topic.accepted_answer_post_id
            if post_id is None:
                return
            topic.accepted_answer_post_id = None
            topic.accepted_by = None
            topic.accepted_at = None
            topic.solved_action_logged = False
            self.emit("unaccepted_solution", self.posts[post_id])

    # ------------------------------------------------------------------ derived values
    def topic_posts(self, topic: Topic, *, with_deleted: bool = True) -> list[Post]:
        """Posts of `topic` in order, deleted ones included unless asked otherwise."""
        posts = [self.posts[post_id] for post_id in topic.post_ids]
        return posts if with_deleted else [post for post in posts if post.deleted_at is None]

    def likes_of(self, post: Post) -> list[PostAction]:
        """Likes on `post`, oldest first."""
        return [
            action
            for action in self.actions_by_post.get(post.id, [])
            if action.post_action_type_id == LIKE
        ]

    def action_count(self, post: Post, action_type: int) -> int:
        """How many actions of `action_type` `post` received."""
        return sum(
            1
            for action in self.actions_by_post.get(post.id, [])
            if action.post_action_type_id == action_type
        )

    def topic_stats(self, topic: Topic) -> dict[str, object]:
        """posts_count, reply_count, highest_post_number, like_count, last_posted_at, last poster."""
        live = self.topic_posts(topic, with_deleted=False)
        regular = [post for post in live if post.post_type == POST_TYPES["regular"]]
        last = max(regular, key=lambda post: post.created_at, default=None)
        return {
            "posts_count": len(live),
            "reply_count": max(0, len(live) - 1),
            "highest_post_number": len(topic.post_ids),
            "like_count": sum(len(self.likes_of(post)) for post in live),
            "last_posted_at": last.created_at if last else None,
            "last_poster_id": last.user_id if last else topic.user_id,
            "participant_ids": list(dict.fromkeys(post.user_id for post in live)),
        }

    def reply_count_of(self, post: Post) -> int:
        """Number of live posts answering `post` in its topic."""
        topic = self.topics[post.topic_id]
        return sum(
            1
            for other in self.topic_posts(topic, with_deleted=False)
            if other.reply_to_post_number == post.post_number and other.id != post.id
        )

    def is_counted_topic(self, topic: Topic) -> bool:
        """A non-deleted regular topic (what `campus stats` counts)."""
        return topic.deleted_at is None and not topic.is_private_message

    def truth(self) -> dict[str, int]:
        """Ground-truth counts with exactly the definitions of DESIGN §3 `stats --json`."""
        with self.lock:
            topics = [topic for topic in self.topics.values() if self.is_counted_topic(topic)]
            posts = [
                post for topic in topics for post in self.topic_posts(topic, with_deleted=False)
            ]
            deleted = [
                post
                for topic in topics
                for post in self.topic_posts(topic)
                if post.deleted_at is not None
            ]
            return {
                "users": sum(1 for user in self.users.values() if user.id > 0 and not user.staged),
                "topics": len(topics),
                "posts": len(posts),
                "deleted_posts": len(deleted),
                "likes": sum(len(self.likes_of(post)) for post in posts),
                "solutions": sum(
                    1 for topic in topics if topic.accepted_answer_post_id is not None
                ),
                "categories": len(self.categories),
                "groups": sum(1 for group in self.groups.values() if not group.automatic),
            }
