"""Synthetic CAE network: cooperatives, roster and months of forum activity, from a seed.

`generate(seed, size)` always builds the same network for the same arguments. Activity has the
patterns Campus must see: a few heavy helpers, late-night and weekend posters, unanswered
questions, accepted answers, likes (some on one's own posts), newcomers, deleted and hidden
posts, flags, private messages (not counted), suspended and staged users, posts by `system`.
Events are created in time order, so post ids grow with `created_at` as on a real forum.

Sizes (`SIZES`): `small` (6 cooperatives, a busy year), `network` (74 cooperatives, 8,000
members, a busy year) and `sparse`, the shape of the real network (DESIGN §7): 74 cooperatives,
8,000 members, about 1 % of them writing in a month (one or two people in a cooperative's month,
a few very active members) over 30 months, so the lab has periods before and after a start.
"""

from __future__ import annotations

import csv
import io
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sandbox.network_words import (
    ACTIVITIES,
    CHAT_TITLES,
    COLORS,
    DIRECTION_TITLES,
    FIRST_NAMES,
    LABO_TITLES,
    LAST_NAMES,
    MONTHS,
    OPENINGS,
    PULSE_OPTIONS,
    QUESTION_TITLES,
    REGIONS,
    REPLY_TEXTS,
    STEMS,
)
from sandbox.state import FLAG_TYPES, LIKE, Category, Forum, Topic, User, slugify

REFERENCE = datetime(2026, 10, 31, 23, 0, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")


class Size(NamedTuple):
    """The shape of a generated network: its cooperatives, members and activity."""

    cooperatives: int
    members: int
    topics: int
    mean_replies: float  # per topic
    days: int = 365  # of history before the reference moment


SIZES = {
    "small": Size(6, 150, 200, 6.2),
    "network": Size(74, 8000, 2500, 6.8),
    "sparse": Size(74, 8000, 1500, 1.2, days=913),  # 30 months
}
TAG_KEYWORDS = (
    ("facturation", ("factur", "paiement", "devis", "tva")),
    ("frais", ("frais", "kilométriques")),
    ("assurance", ("assurance",)),
    ("prospection", ("clients", "nouveau client")),
    ("juridique", ("contrat", "sous-traitance")),
    ("outils", ("outil", "planning")),
    ("qvt", ("qvt", "déconnexion", "isolement", "quatre jours")),
)
"""Topic tags of the synthetic network, from words of the title (no randomness, so tagging
leaves every other generated figure unchanged)."""


def title_tags(title: str) -> list[str]:
    """The tags a synthetic topic carries: every theme whose keyword its title contains."""
    lowered = title.lower()
    return [tag for tag, words in TAG_KEYWORDS if any(word in lowered for word in words)]


ROLE_GROUPS = {"entrepreneur": "entrepreneurs", "appui": "equipes-appui", "direction": "directions"}


@dataclass
class Cooperative:
    """One row of cooperatives.csv."""

    slug: str
    name: str
    region: str
    color: str


@dataclass
class Member:
    """One row of roster.csv."""

    username: str
    email: str
    cooperative: str
    role: str


@dataclass
class Network:
    """A generated network: the forum plus the two CSV inputs of Campus."""

    forum: Forum
    cooperatives: list[Cooperative]
    roster: list[Member]
    reference: datetime
    seed: int
    size: str
    summary: dict = field(default_factory=dict)
    builder: _Builder | None = field(default=None, repr=False, compare=False)

    def add_activity(self) -> dict:
        """The size's months of activity in a forum Campus provisioned itself (from `activity=False`).

        The cooperative and network categories are found by slug, as `campus provision` made
        them; returns the new summary. This is how the demo starts from an unprovisioned forum.
        """
        forum, builder = self.forum, self.builder
        shape = SIZES[self.size]
        topic_count, mean_replies = shape.topics, shape.mean_replies
        with forum.lock:
            for slug in ("campus", "labo-qvt", "direction"):
                builder.categories[slug] = forum.category_by_slug(slug)
            for cooperative in self.cooperatives:
                parent = forum.category_by_slug(cooperative.slug)
                builder.categories[cooperative.slug] = parent
                for child in ("entraide", "vie"):
                    builder.categories[f"{cooperative.slug}/{child}"] = forum.category_by_slug(
                        child, parent.id
                    )
            missing = sorted(key for key, value in builder.categories.items() if value is None)
            if missing:
                raise ValueError(f"categories missing, provision first: {', '.join(missing)}")
            builder.add_activity(topic_count, mean_replies)
        self.summary = forum.truth()
        return self.summary

    @property
    def cooperatives_csv(self) -> str:
        """`slug,name,region,color` CSV text."""
        return _csv(
            ["slug", "name", "region", "color"],
            [(c.slug, c.name, c.region, c.color) for c in self.cooperatives],
        )

    @property
    def roster_csv(self) -> str:
        """`username,email,cooperative,role` CSV text."""
        return _csv(
            ["username", "email", "cooperative", "role"],
            [(m.username, m.email, m.cooperative, m.role) for m in self.roster],
        )


def _csv(header: list[str], rows: list[tuple]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def make_cooperatives(rng: random.Random, count: int) -> list[Cooperative]:
    """`count` cooperatives with unique French names and 3-20 character slugs over the 13 regions."""
    places = [(region, city) for region, cities in REGIONS.items() for city in cities]
    rng.shuffle(places)
    stems = list(STEMS)
    cooperatives, slugs = [], set()
    index = 0
    while len(cooperatives) < count:
        region, city = places[index % len(places)]
        stem = stems[(index * 7 + index // len(places)) % len(stems)]
        index += 1
        name = f"{stem}{'' if stem.endswith(chr(39)) else ' '}{city}"
        slug = slugify(name)[:20].strip("-")
        if slug in slugs or len(slug) < 3:
            continue
        slugs.add(slug)
        cooperatives.append(Cooperative(slug, name, region, rng.choice(COLORS)))
    return cooperatives


def make_roster(rng: random.Random, cooperatives: list[Cooperative], members: int) -> list[Member]:
    """Members spread unevenly over cooperatives, ≈90 % entrepreneurs, 8 % appui, 2 % direction."""
    weights = [rng.uniform(0.4, 2.2) for _ in cooperatives]
    total = sum(weights)
    sizes = [max(8, round(members * weight / total)) for weight in weights]
    roster, usernames = [], set()
    for cooperative, size in zip(cooperatives, sizes, strict=True):
        directors = max(1, round(size * 0.02))
        support = max(1, round(size * 0.08))
        for index in range(size):
            role = (
                "direction"
                if index < directors
                else "appui"
                if index < directors + support
                else "entrepreneur"
            )
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            base = f"{_ascii(first)}.{_ascii(last)}".replace(" ", "")[:17]
            username, suffix = base, 1
            while username in usernames:
                suffix += 1
                username = f"{base}{suffix}"
            usernames.add(username)
            roster.append(
                Member(
                    username, f"{username}@{cooperative.slug}.example.org", cooperative.slug, role
                )
            )
    return roster


def generate(
    seed: int = 1,
    size: str = "small",
    *,
    activity: bool = True,
    reference: datetime = REFERENCE,
    topics: int | None = None,
) -> Network:
    """Build the network for `seed` and `size` ("small", "network" or "sparse").

    With `activity=False` only the user accounts exist (no groups, categories or posts beyond
    Discourse's defaults), for from-scratch provisioning tests. `topics` overrides the number
    of topics (e.g. a small network with thousands of topics).
    """
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}")
    coop_count, member_count, topic_count, mean_replies, days = SIZES[size]
    rng = random.Random(seed)
    cooperatives = make_cooperatives(rng, coop_count)
    roster = make_roster(rng, cooperatives, member_count)
    forum = Forum()
    builder = _Builder(forum, rng, cooperatives, roster, reference, days)
    builder.add_accounts()
    network = Network(forum, cooperatives, roster, reference, seed, size, builder=builder)
    if activity:
        builder.provision()
        builder.add_activity(topics if topics is not None else topic_count, mean_replies)
    network.summary = forum.truth()
    return network


class _Builder:
    """Fills a forum step by step; holds the per-user behaviour profiles."""

    def __init__(self, forum, rng, cooperatives, roster, reference, days=365):
        self.forum: Forum = forum
        self.rng: random.Random = rng
        self.cooperatives: list[Cooperative] = cooperatives
        self.roster: list[Member] = roster
        self.reference: datetime = reference
        self.days = days
        self.start = reference - timedelta(days=days)
        self.members: dict[str, User] = {}
        self.by_coop: dict[str, list[User]] = {}
        self.role: dict[int, str] = {}
        self.weight: dict[int, float] = {}
        self.helper_weight: dict[int, float] = {}
        self.night_owls: set[int] = set()
        self.categories: dict[str, Category] = {}
        self.titles: set[str] = set()
        self._pools: dict[tuple[int, int], tuple[list[User], list[float]]] = {}
        self.everyone: list[User] = []
        self.directors: list[User] = []

    # ------------------------------------------------------------------ accounts
    def add_accounts(self) -> None:
        rng, forum = self.rng, self.forum
        forum.add_user(
            "animation",
            "animation@campus.example.org",
            name="Animation Campus",
            admin=True,
            moderator=True,
            trust_level=4,
            created_at=self.start - timedelta(days=400),
        )
        for member in self.roster:
            newcomer = rng.random() < 0.12
            created = (
                self.reference - timedelta(days=rng.uniform(5, 120))
                if newcomer
                else self.start - timedelta(days=rng.uniform(30, 1500))
            )
            first, _, last = member.username.partition(".")
            user = forum.add_user(
                member.username,
                member.email,
                name=f"{first.capitalize()} {last.rstrip('0123456789').capitalize()}",
                created_at=created,
                trust_level=rng.choice((1, 1, 2, 2, 3)) if not newcomer else 0,
                moderator=member.role == "appui" and rng.random() < 0.1,
            )
            self.members[member.username] = user
            self.by_coop.setdefault(member.cooperative, []).append(user)
            self.role[user.id] = member.role
            activity_weight = rng.paretovariate(1.6) if rng.random() < 0.45 else 0.0
            self.weight[user.id] = activity_weight
            self.helper_weight[user.id] = activity_weight * (1.5 if member.role == "appui" else 1.0)
            if rng.random() < 0.08:
                self.night_owls.add(user.id)
        helpers = rng.sample(sorted(self.role), k=max(3, len(self.role) // 150))
        for user_id in helpers:
            self.helper_weight[user_id] = 40.0 + rng.random() * 20
            self.weight[user_id] = max(self.weight[user_id], 2.0)
        users = list(self.members.values())
        self.everyone = users
        self.directors = [user for user in users if self.role[user.id] == "direction"]
        for user in rng.sample(users, k=max(2, len(users) // 300)):
            user.suspended_till = self.reference + timedelta(days=rng.randint(30, 365))
        for index in range(max(2, len(users) // 400)):
            staged = forum.add_user(
                f"contact{index + 1}",
                f"contact{index + 1}@client.example.com",
                name="Contact externe",
                staged=True,
                active=False,
                trust_level=0,
                created_at=self.start + timedelta(days=rng.uniform(0, 300)),
            )
            self.weight[staged.id] = 0.0

    # ------------------------------------------------------------------ groups and categories
    def provision(self) -> None:
        forum = self.forum
        for cooperative in self.cooperatives:
            group = forum.add_group(
                cooperative.slug, full_name=cooperative.name, visibility_level=0
            )
            forum.add_members(
                group, [user.id for user in self.by_coop[cooperative.slug]], at=self.start
            )
        role_groups = {role: forum.add_group(name) for role, name in ROLE_GROUPS.items()}
        for user_id, role in self.role.items():
            forum.add_members(role_groups[role], [user_id], at=self.start)
        forum.add_group("transformers", full_name="Transformers du réseau")
        optout = forum.add_group(
            "campus-optout",
            full_name="Ne pas me compter dans Campus",
            public_admission=True,
            public_exit=True,
        )
        members = sorted(self.role)
        forum.add_members(
            optout, self.rng.sample(members, k=max(2, len(members) // 200)), at=self.start
        )
        # relay volunteers: one member in 40, picked without drawing from `rng` so that the
        # rest of the generated network stays the same as before the group existed
        relay = forum.add_group(
            "campus-relais",
            full_name="Volontaires pour les questions sans réponse",
            public_admission=True,
            public_exit=True,
        )
        forum.add_members(relay, members[::40], at=self.start)
        for cooperative in self.cooperatives:
            permissions = {cooperative.slug: 1, "staff": 1}
            parent = forum.add_category(
                cooperative.name,
                slug=cooperative.slug,
                color=cooperative.color,
                permissions=dict(permissions),
            )
            self.categories[cooperative.slug] = parent
            self.categories[f"{cooperative.slug}/entraide"] = forum.add_category(
                "Entraide",
                slug="entraide",
                color=cooperative.color,
                parent_category_id=parent.id,
                permissions=dict(permissions),
                custom_fields={"enable_accepted_answers": "true"},
            )
            self.categories[f"{cooperative.slug}/vie"] = forum.add_category(
                "Vie de la coopérative",
                slug="vie",
                color=cooperative.color,
                parent_category_id=parent.id,
                permissions=dict(permissions),
            )
        self.categories["campus"] = forum.add_category(
            "Campus",
            slug="campus",
            color="25AAE2",
            custom_fields={"enable_accepted_answers": "true"},
        )
        self.categories["labo-qvt"] = forum.add_category(
            "Labo QVT", slug="labo-qvt", color="8C6238"
        )
        self.categories["direction"] = forum.add_category(
            "Direction", slug="direction", color="BF1E2E", permissions={"directions": 1, "staff": 1}
        )

    # ------------------------------------------------------------------ activity
    def _pick(
        self, users: list[User], weights: dict[int, float], exclude: int | None = None
    ) -> User | None:
        """A weighted random user of `users` other than `exclude` (None when nobody qualifies)."""
        key = (id(users), id(weights))
        if key not in self._pools:
            pool = [user for user in users if weights.get(user.id, 0) > 0]
            self._pools[key] = (pool, list(accumulate(weights[user.id] for user in pool)))
        pool, cumulative = self._pools[key]
        if not pool or (len(pool) == 1 and pool[0].id == exclude):
            return None
        for _ in range(20):
            user = self.rng.choices(pool, cum_weights=cumulative)[0]
            if user.id != exclude:
                return user
        return None

    def _author_at(self, population: list[User], day: datetime) -> tuple[User | None, datetime]:
        """A topic author whose account already exists when they post, and that moment."""
        for _ in range(10):
            author = self._pick(population, self.weight)
            if author is None:
                break
            created = self._moment(author, day, 2)
            if created >= self.reference:
                created = self.reference - timedelta(hours=self.rng.uniform(1, 48))
            if author.created_at <= created:
                return author, created
        return None, day

    def _moment(self, user: User, after: datetime, spread_hours: float) -> datetime:
        """A posting time after `after`, shaped by the user's habits (Paris local time)."""
        rng = self.rng
        base = after + timedelta(hours=rng.expovariate(1 / spread_hours))
        local = base.astimezone(PARIS)
        if user.id in self.night_owls and rng.random() < 0.7:
            hour = rng.choice((20, 21, 22, 23, 0, 5, 6))
            if rng.random() < 0.3:
                local += timedelta(days=(5 - local.weekday()) % 7)
        else:
            hour = rng.choice((8, 9, 9, 10, 10, 11, 11, 12, 14, 14, 15, 15, 16, 16, 17, 18))
        local = local.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60))
        moment = local.astimezone(UTC)
        return moment if moment > after else after + timedelta(minutes=rng.uniform(5, 90))

    def _title(self, templates: tuple[str, ...]) -> str:
        rng = self.rng
        for attempt in range(50):
            template = rng.choice(templates)
            place = rng.choice([city for cities in REGIONS.values() for city in cities])
            title = template.format(
                place=place, activity=rng.choice(ACTIVITIES), month=rng.choice(MONTHS)
            )
            if attempt > 5:
                title = f"{title} ({attempt})"
            if title.lower() not in self.titles:
                self.titles.add(title.lower())
                return title
        raise RuntimeError("could not find a unique topic title")

    def _topic_plan(self) -> tuple[str, list[User], Category, tuple[str, ...]]:
        rng = self.rng
        roll = rng.random()
        cooperative = rng.choice(self.cooperatives)
        local = self.by_coop[cooperative.slug]
        if roll < 0.40:
            return (
                "question",
                local,
                self.categories[f"{cooperative.slug}/entraide"],
                QUESTION_TITLES,
            )
        if roll < 0.62:
            return "chat", local, self.categories[f"{cooperative.slug}/vie"], CHAT_TITLES
        if roll < 0.67:
            return "chat", local, self.categories[cooperative.slug], CHAT_TITLES
        if roll < 0.87:
            return "question", self.everyone, self.categories["campus"], QUESTION_TITLES
        if roll < 0.97:
            return "labo", self.everyone, self.categories["labo-qvt"], LABO_TITLES
        return "direction", self.directors, self.categories["direction"], DIRECTION_TITLES

    def add_activity(self, topic_count: int, mean_replies: float) -> None:
        rng, forum = self.rng, self.forum
        events: list[tuple[datetime, int, dict]] = []
        system = forum.users[-1]
        welcome = forum.create_topic(
            system,
            "Bienvenue sur le campus numérique du réseau",
            "Bienvenue ! Ce forum est l'espace d'entraide du réseau des coopératives. Présentez-vous ici.",
            category_id=self.categories["campus"].id,
            created_at=self.start,
            pinned=True,
        )
        forum.topics[welcome.topic_id].pinned = True
        sequence = 0
        for _ in range(topic_count):
            kind, population, category, titles = self._topic_plan()
            day = self.start + timedelta(days=rng.uniform(0, self.days - 3))
            author, created = self._author_at(population, day)
            if author is None:
                continue
            plan = {
                "kind": kind,
                "author": author,
                "category": category,
                "title": self._title(titles),
            }
            plan["population"] = population
            events.append((created, sequence, {"type": "topic", "plan": plan}))
            sequence += 1
            replies = self._reply_count(kind, mean_replies)
            moment = created
            for index in range(replies):
                helper_pool = self.helper_weight if kind == "question" else self.weight
                if index % 3 == 1 and rng.random() < 0.5:
                    replier = author
                else:
                    replier = self._pick(population, helper_pool, exclude=author.id) or author
                when = self._moment(replier, moment, 10 if index == 0 else 6)
                if when >= self.reference:
                    break
                if replier.created_at > when:
                    continue
                moment = when
                events.append(
                    (moment, sequence, {"type": "reply", "plan": plan, "author": replier})
                )
                sequence += 1
        events.extend(self._private_message_events(max(3, topic_count // 30), sequence))
        events.sort(key=lambda event: (event[0], event[1]))
        for moment, _, event in events:
            plan = event["plan"]
            if event["type"] == "topic" and plan["kind"] == "pm":
                first = forum.create_topic(
                    plan["author"],
                    plan["title"],
                    "Bonjour, je préfère t'écrire en privé pour en parler tranquillement.",
                    archetype="private_message",
                    allowed_user_ids=[plan["author"].id, plan["recipient"].id],
                    created_at=moment,
                )
                plan["topic"] = forum.topics[first.topic_id]
            elif event["type"] == "topic":
                raw = f"{rng.choice(OPENINGS)} {plan['title']} Merci d'avance pour vos retours."
                if plan["kind"] == "labo" and rng.random() < 0.3:
                    raw += _pulse_poll(rng)
                first = forum.create_topic(
                    plan["author"],
                    plan["title"],
                    raw,
                    category_id=plan["category"].id,
                    created_at=moment,
                    tags=title_tags(plan["title"]),
                )
                plan["topic"] = forum.topics[first.topic_id]
            else:
                topic: Topic = plan["topic"]
                reply_to = (
                    rng.choice((None, 1, len(topic.post_ids))) if len(topic.post_ids) > 1 else None
                )
                forum.create_post(
                    event["author"],
                    topic,
                    rng.choice(REPLY_TEXTS),
                    reply_to_post_number=reply_to,
                    created_at=moment,
                )
            event["author"] = event.get("author", plan["author"])
            self._touch(event["author"], moment)
        self._answers_likes_moderation()

    def _reply_count(self, kind: str, mean: float) -> int:
        rng = self.rng
        if kind == "question" and rng.random() < 0.15:
            return 0
        if rng.random() < 0.02:
            return rng.randint(22, 40)
        return min(19, int(rng.expovariate(1 / mean)))

    def _touch(self, user: User, moment: datetime) -> None:
        if user.last_seen_at is None or moment > user.last_seen_at:
            user.last_seen_at = moment

    def _private_message_events(
        self, count: int, sequence: int
    ) -> list[tuple[datetime, int, dict]]:
        """Events of `count` two-post private conversations (never counted by Campus)."""
        rng = self.rng
        people = [user for user in self.members.values() if self.weight[user.id] > 0]
        events = []
        for index in range(count):
            sender, recipient = rng.sample(people, 2)
            joined = max(sender.created_at, recipient.created_at, self.start)
            moment = joined + (self.reference - timedelta(hours=4) - joined) * rng.random()
            plan = {
                "kind": "pm",
                "author": sender,
                "recipient": recipient,
                "title": f"Message privé n°{index + 1} : on s'appelle ?",
            }
            events.append((moment, sequence + 2 * index, {"type": "topic", "plan": plan}))
            reply = {"type": "reply", "plan": plan, "author": recipient}
            events.append((moment + timedelta(hours=3), sequence + 2 * index + 1, reply))
        return events

    def _answers_likes_moderation(self) -> None:
        rng, forum = self.rng, self.forum
        likers = [user for user in self.members.values() if self.weight[user.id] > 0]
        moderator = forum.user_by_username("animation")
        for topic in sorted(forum.topics.values(), key=lambda topic: topic.id):
            if topic.is_private_message:
                continue
            posts = forum.topic_posts(topic)
            category = forum.categories.get(topic.category_id)
            if category is not None and category.accepts_answers and rng.random() < 0.45:
                answers = [post for post in posts[1:] if post.user_id != topic.user_id]
                if answers:
                    weights = [self.helper_weight.get(post.user_id, 0.1) + 0.1 for post in answers]
                    answer = rng.choices(answers, weights=weights)[0]
                    # accepted some hours to two days after the answer (no draw: the stream of
                    # random numbers, hence the rest of the network, stays the same)
                    delay = timedelta(hours=2 + answer.id % 47)
                    forum.accept_answer(
                        answer,
                        forum.users[topic.user_id],
                        at=min(self.reference, answer.created_at + delay),
                    )
            for post in posts:
                for _ in range(min(len(likers), int(rng.expovariate(1 / 1.3)))):
                    liker = post_author = forum.users[post.user_id]
                    if rng.random() > 0.01 or post_author.id <= 0:
                        liker = rng.choice(likers)
                    if any(
                        a.user_id == liker.id and a.post_action_type_id == LIKE
                        for a in forum.actions_by_post.get(post.id, [])
                    ):
                        continue
                    at = min(
                        self.reference, post.created_at + timedelta(hours=rng.expovariate(1 / 20))
                    )
                    forum.add_action(post, liker, LIKE, at=at)
                if post.post_number > 1 and rng.random() < 0.012:
                    forum.delete_post(
                        post, at=min(self.reference, post.created_at + timedelta(days=1))
                    )
                elif post.post_number > 1 and rng.random() < 0.004:
                    post.hidden = True
                    for flagger in rng.sample(likers, 2):
                        forum.add_action(
                            post,
                            flagger,
                            rng.choice(FLAG_TYPES),
                            at=post.created_at + timedelta(hours=2),
                        )
                elif rng.random() < 0.002:
                    forum.add_action(
                        post, rng.choice(likers), 8, at=post.created_at + timedelta(hours=5)
                    )
        live = [
            topic
            for topic in sorted(forum.topics.values(), key=lambda t: t.id)
            if forum.is_counted_topic(topic)
        ]
        for topic in rng.sample(live[1:], k=max(1, len(live) // 400)):
            forum.delete_post(
                forum.posts[topic.post_ids[0]],
                at=min(self.reference, topic.bumped_at + timedelta(days=2)),
            )
        for topic in rng.sample(live[1:], k=max(1, len(live) // 200)):
            forum.create_post(
                moderator,
                topic,
                "Sujet clos par l'animation : merci à toutes et à tous pour vos réponses.",
                created_at=min(self.reference, topic.bumped_at + timedelta(days=3)),
            )
            topic.closed = True
        self._cast_pulse_votes(likers)

    def _cast_pulse_votes(self, voters: list[User]) -> None:
        for post in self.forum.posts.values():
            for poll in post.polls:
                for user in self.rng.sample(voters, k=min(len(voters), self.rng.randint(5, 25))):
                    poll.votes[user.id] = [self.rng.choice(poll.options).id]
                poll.status = "closed"


def _pulse_poll(rng: random.Random) -> str:
    options = "\n".join(f"* {option}" for option in PULSE_OPTIONS)
    name = rng.choice(("charge", "autonomie", "entraide"))
    return (
        f"\n\n[poll name={name} type=regular results=on_close public=false chartType=bar]\n"
        f"{options}\n[/poll]"
    )
