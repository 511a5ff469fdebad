"""A hand-built sandbox forum for the relay and digest tests: every account, post and like is
written here, so each test knows who knows which theme and who can read what.

Categories: `campus` (everyone, accepted answers), `coop-a` (group coop-a + staff) with
`entraide` (accepted answers), `coop-b` likewise. Groups: coop-a, coop-b, campus-relais,
campus-optout. History (February 2026): helpful replies that give each volunteer their themes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from analytics.settings import RelaySettings
from app.relay import run_relay
from reports.relay_messages import RelayOutcome
from sandbox.state import LIKE, Forum, Topic, User
from sync.mirror.pull import SyncOptions, sync_mirror
from tests.support.mirror import make_api

PARIS = ZoneInfo("Europe/Paris")
BODY = "Une question assez longue pour Discourse, avec du contexte."
ACCEPTED = {"enable_accepted_answers": "true"}
ANSWER = "Une réponse utile et assez longue pour passer la validation."


def paris(text: str) -> datetime:
    """A Paris wall-clock time ("2026-03-06 09:00") as a tz-aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=PARIS).astimezone(UTC)


@dataclass
class RelayForum:
    """The forum and handles on its people and places."""

    forum: Forum = field(default_factory=Forum)
    users: dict[str, User] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        forum = self.forum
        self.groups = {name: forum.add_group(name) for name in ("coop-a", "coop-b")}
        self.groups["campus-relais"] = forum.add_group(
            "campus-relais", public_admission=True, public_exit=True
        )
        self.groups["campus-optout"] = forum.add_group(
            "campus-optout", public_admission=True, public_exit=True
        )
        campus = forum.add_category("Campus", slug="campus", custom_fields=dict(ACCEPTED))
        self.categories["campus"] = campus.id
        for coop in ("coop-a", "coop-b"):
            self.cooperative(coop)

    def cooperative(self, coop: str) -> None:
        """A cooperative's group, its category and its `Entraide` subcategory (added at any
        time: a cooperative that joins the network later)."""
        if coop not in self.groups:
            self.groups[coop] = self.forum.add_group(coop)
        permissions = {coop: 1, "staff": 1}
        parent = self.forum.add_category(coop.title(), slug=coop, permissions=dict(permissions))
        entraide = self.forum.add_category(
            "Entraide",
            slug="entraide",
            parent_category_id=parent.id,
            permissions=dict(permissions),
            custom_fields=dict(ACCEPTED),
        )
        self.categories[coop] = parent.id
        self.categories[f"{coop}/entraide"] = entraide.id

    def person(self, username: str, *groups: str, volunteer: bool = False) -> User:
        user = self.forum.add_user(
            username, f"{username}@example.org", created_at=paris("2025-06-01 10:00")
        )
        self.users[username] = user
        for name in (*groups, *(["campus-relais"] if volunteer else [])):
            self.forum.add_members(self.groups[name], [user.id], at=paris("2025-06-01 10:00"))
        return user

    def question(
        self, author: str, where: str, at: str, title: str, tags: tuple[str, ...] = ()
    ) -> Topic:
        post = self.forum.create_topic(
            self.users[author],
            title,
            BODY,
            category_id=self.categories[where],
            created_at=paris(at),
            tags=tags,
        )
        return self.forum.topics[post.topic_id]

    def helped(
        self,
        helper: str,
        where: str,
        at: str,
        tags: tuple[str, ...] = (),
        asker: str = "asker",
        how: str = "liked",
        accepted: str | None = None,
    ) -> Topic:
        """A past question by `asker` that `helper` answered helpfully (liked or accepted): the
        answer comes half an hour after the question, accepted a quarter of an hour later
        unless `accepted` (a Paris wall-clock time) says when."""
        topic = self.question(asker, where, at, f"Ancienne question {len(self.forum.topics)}", tags)
        reply = self.forum.create_post(
            self.users[helper], topic, ANSWER, created_at=paris(at).replace(minute=30)
        )
        if how == "accepted" or accepted:
            when = paris(accepted) if accepted else paris(at).replace(minute=45)
            self.forum.accept_answer(reply, self.users[asker], at=when)
        else:
            self.forum.add_action(reply, self.users[asker], LIKE, at=paris(at))
        return topic

    def private_messages_to(self, username: str) -> list[Topic]:
        user_id = self.users[username].id
        return [
            topic
            for topic in self.forum.topics.values()
            if topic.is_private_message and user_id in topic.allowed_user_ids
        ]


def sync_and_relay(
    server, engine, now: datetime, dry_run: bool = False, **settings: int
) -> RelayOutcome:
    """Sync the mirror from the sandbox, then run relay at `now` (Europe/Paris network)."""
    api = make_api(server.url, server.api_key)
    sync_mirror(engine, api, SyncOptions(reconcile_days=3650))
    return run_relay(
        engine,
        api,
        RelaySettings(**settings),
        tz="Europe/Paris",
        relay_group="campus-relais",
        optout_group="campus-optout",
        forum_url=server.url,
        now=now,
        dry_run=dry_run,
    )
