"""The local mirror of the forum (DESIGN §5). Alembic migrations in `sync/migrations` create it.

Ids are Discourse's own ids. Timestamps are stored as naive UTC datetimes. No post text is kept:
Campus only uses timestamps, structure and self-reported answers (DESIGN §7).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    """A forum account. `cooperative` and `role` are derived from group memberships."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    username: Mapped[str] = mapped_column(String(60), index=True)
    name: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime)
    trust_level: Mapped[int] = mapped_column(Integer, default=0)
    admin: Mapped[bool] = mapped_column(Boolean, default=False)
    moderator: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    staged: Mapped[bool] = mapped_column(Boolean, default=False)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    cooperative: Mapped[str | None] = mapped_column(String(20), index=True)
    role: Mapped[str | None] = mapped_column(String(20))


class Group(Base):
    __tablename__ = "groups"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    full_name: Mapped[str | None] = mapped_column(String(255))
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    user_count: Mapped[int] = mapped_column(Integer, default=0)


class Membership(Base):
    __tablename__ = "group_memberships"
    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)


class Category(Base):
    __tablename__ = "categories"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(255))
    slug: Mapped[str] = mapped_column(String(255))
    parent_id: Mapped[int | None] = mapped_column(Integer)
    color: Mapped[str | None] = mapped_column(String(6))
    read_restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    accepted_answers: Mapped[bool] = mapped_column(Boolean, default=False)


class Topic(Base):
    __tablename__ = "topics"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(Text)
    category_id: Mapped[int | None] = mapped_column(Integer, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    archetype: Mapped[str] = mapped_column(String(20), default="regular")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_posted_at: Mapped[datetime | None] = mapped_column(DateTime)
    bumped_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    posts_count: Mapped[int] = mapped_column(Integer, default=0)
    highest_post_number: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    visible: Mapped[bool] = mapped_column(Boolean, default=True)
    accepted_post_id: Mapped[int | None] = mapped_column(BigInteger)
    checked_at: Mapped[datetime | None] = mapped_column(DateTime)  # last full re-read by sync
    # listing fields kept to notice changes (migration 0002), and the re-read marker
    like_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    has_accepted_answer: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=sa_false()
    )
    pinned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    # set when the listing showed a change; cleared by the topic's re-read (same transaction)
    needs_check: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=sa_false(), index=True
    )


class Post(Base):
    __tablename__ = "posts"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    topic_id: Mapped[int] = mapped_column(Integer, index=True)
    post_number: Mapped[int] = mapped_column(Integer)
    reply_to_post_number: Mapped[int | None] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    post_type: Mapped[int] = mapped_column(Integer, default=1)
    version: Mapped[int] = mapped_column(Integer, default=1)
    like_count: Mapped[int] = mapped_column(Integer, default=0)
    flag_count: Mapped[int] = mapped_column(Integer, default=0)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    accepted_answer: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_posts_topic_number", "topic_id", "post_number", unique=True),)


class Like(Base):
    """Who liked which post, when known (only fetched behind a setting: see sync docs)."""

    __tablename__ = "likes"
    post_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime | None] = mapped_column(DateTime)


class Solution(Base):
    """A topic's accepted answer."""

    __tablename__ = "solutions"
    topic_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    post_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int | None] = mapped_column(Integer)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime)


class Poll(Base):
    """A Discourse poll and its aggregate results (never who voted what)."""

    __tablename__ = "polls"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    post_id: Mapped[int] = mapped_column(BigInteger, index=True)
    topic_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10), default="open")
    close_at: Mapped[datetime | None] = mapped_column(DateTime)
    voters: Mapped[int] = mapped_column(Integer, default=0)
    # pulse polls only: which month and cooperative the poll asked about
    pulse_month: Mapped[str | None] = mapped_column(String(7))
    cooperative: Mapped[str | None] = mapped_column(String(20))

    __table_args__ = (Index("ix_polls_post_name", "post_id", "name", unique=True),)


class PollOption(Base):
    __tablename__ = "poll_options"
    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    option_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(Text)
    votes: Mapped[int] = mapped_column(Integer, default=0)


class SyncState(Base):
    """Cursors and markers of the sync, committed in the same transaction as the data they cover."""

    __tablename__ = "sync_state"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SyncRun(Base):
    """One `campus sync` run: when, how many requests, and how it ended."""

    __tablename__ = "sync_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    full: Mapped[bool] = mapped_column(Boolean, default=False)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(String(20), default="running")


# --- topic tags (issue 12) ----------------------------------------------------------------------


class TopicTag(Base):
    """A tag of a topic, by name (Discourse sends objects `{id, name, slug}` or, before, names)."""

    __tablename__ = "topic_tags"
    topic_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    tag: Mapped[str] = mapped_column(String(100), primary_key=True)
