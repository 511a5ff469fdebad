"""The local mirror of the forum (DESIGN §5). Alembic migrations in `sync/mirror/migrations` create it.

Ids are Discourse's own ids. Timestamps are stored as naive UTC datetimes. No post text is kept:
Campus only uses timestamps, structure and self-reported answers (DESIGN §7).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
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
    name: Mapped[str | None] = mapped_column(Text)  # widened by migration 0003
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
    full_name: Mapped[str | None] = mapped_column(Text)  # widened by migration 0003
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
    name: Mapped[str] = mapped_column(Text)  # widened by migration 0003
    slug: Mapped[str] = mapped_column(Text)
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
    """A topic's accepted answer, and when it was accepted where the forum says so.

    `acceptance_source`: "webhook" (the `accepted_solution` delivery's arrival), "user_action"
    (the Solved plugin's SOLVED user action), "unknown" (looked up, not found: the digest dates
    the solution by its answer), NULL (not looked up yet)."""

    __tablename__ = "solutions"
    topic_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    post_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int | None] = mapped_column(Integer)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime)
    acceptance_source: Mapped[str | None] = mapped_column(String(16))


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


# --- relay and digest (issue 14, migration 0007) ----------------------------------------------


class TopicTag(Base):
    """A tag of a topic (Discourse's topic tags; the theme of a question, before its category)."""

    __tablename__ = "topic_tags"
    topic_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    tag: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


class CategoryPermission(Base):
    """Who may see a category: a group name (`everyone`, `staff`, `trust_level_N`, a group) and
    its permission type (1 full, 2 create post, 3 read only); from `group_permissions`."""

    __tablename__ = "category_permissions"
    category_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    group_name: Mapped[str] = mapped_column(String(60), primary_key=True)
    permission_type: Mapped[int] = mapped_column(Integer)


class RelaySuggestion(Base):
    """A question suggested to a volunteer by `campus relay` (kept for the report and the lab).

    `pm_topic_id` is the private message that carried it. A topic that has a row is never
    suggested again."""

    __tablename__ = "relay_suggestions"
    topic_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)
    suggested_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    pm_topic_id: Mapped[int | None] = mapped_column(Integer)


class DigestPublication(Base):
    """The topic Campus published for a month and a scope — a digest (`network` or a
    cooperative slug) or the network report (`report:network`) — so that publishing again
    updates it, found by this id and never by its title, instead of creating a second one."""

    __tablename__ = "digest_publications"
    scope: Mapped[str] = mapped_column(String(20), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    topic_id: Mapped[int] = mapped_column(Integer)
    post_id: Mapped[int] = mapped_column(BigInteger)


class DirectorNotice(Base):
    """The private message that told a director their reports of `month` were written (one per
    director and month: the worker never sends it twice). `pm_topic_id` is the message."""

    __tablename__ = "director_notices"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sent_at: Mapped[datetime] = mapped_column(DateTime)
    pm_topic_id: Mapped[int | None] = mapped_column(Integer)


# ---------------------------------------------------------------------- webhooks (live mirror)


class WebhookEvent(Base):
    """A webhook delivery already applied, by its `X-Discourse-Event-Id`: a re-delivery changes
    nothing.

    Only the id and when it came are kept, for a few days (`sync.mirror.live.RETENTION`): ids
    are pruned by age, never by value, so no id however large hides the later ones.
    """

    __tablename__ = "webhook_events"
    event_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    received_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class WebhookCheck(Base):
    """A check a webhook event left to do against the forum (`sync.mirror.live`): a post, a
    topic or an account to re-read. Written with the event, deleted once the check succeeded,
    so a check the background thread could not do (forum down, process killed) is done by the
    next one or by the next sync, even an incremental one (`sync.mirror.steps.checks`)."""

    __tablename__ = "webhook_checks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(8))  # post | topic | user | accepted
    topic_id: Mapped[int | None] = mapped_column(Integer)  # a post's topic
    target_id: Mapped[int] = mapped_column(BigInteger)  # the post, topic or account id
    queued_at: Mapped[datetime] = mapped_column(DateTime)


# --- web service (issue 10): DiscourseConnect login requests --------------------------------


class LoginNonce(Base):
    """A login request Campus sent to the forum: its nonce is single-use and expires.

    Kept in the database (not in memory) so that every server thread and process agrees, and a
    row is deleted when used, so a replayed answer from the forum finds nothing.
    """

    __tablename__ = "login_nonces"
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_path: Mapped[str] = mapped_column(Text, default="/")
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class RevokedSession(Base):
    """A session of the web service ended by logging out (migration 0008), kept until its cookie
    would have expired anyway: a copy of the cookie then opens nothing. Logging in writes no
    row, so the database keeps no trace of who was logged in when."""

    __tablename__ = "revoked_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class WorkerJob(Base):
    """A job of `campus worker` (migration 0012): the period it last completed (its day, week,
    month or hour), written only after it succeeded, and its failures: how many in a row, since
    when, when it is retried (backoff), and the alert the animators are owed ("failure" or
    "recovery", to send; "failure_sent" once told)."""

    __tablename__ = "worker_jobs"
    job: Mapped[str] = mapped_column(String(40), primary_key=True)
    done_period: Mapped[str | None] = mapped_column(String(20))
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_started_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_outcome: Mapped[str | None] = mapped_column(String(20))
    last_error: Mapped[str | None] = mapped_column(Text)
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failing_since: Mapped[datetime | None] = mapped_column(DateTime)
    retry_at: Mapped[datetime | None] = mapped_column(DateTime)
    alert: Mapped[str | None] = mapped_column(String(20))


# --- the anonymous barometer (DESIGN §8, migration 0006) ---------------------------------------
# Who answered and what was answered are kept in tables that share no key but the month and
# the group: no row per answer, and no time finer than the day.


class BarometerMonth(Base):
    """A month of the barometer: opened by `pulse post`, frozen by `pulse close` (days only)."""

    __tablename__ = "barometer_months"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    # people who answered (set at closing, when the list of who answered is deleted)
    answered: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # answers given but never counted (an unclean stop of the web service; a group too small)
    lost: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class BarometerRespondent(Base):
    """Who has answered in a still-open month, to refuse a second answer; no answer, no time.

    A member is kept only as an HMAC of their user id under the month's key (`BarometerKey`):
    rows and key are deleted when the month closes, and a copy of the HMACs left anywhere then
    names nobody."""

    __tablename__ = "barometer_respondents"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    member: Mapped[str] = mapped_column(String(64), primary_key=True)  # HMAC-SHA256, hex
    cooperative: Mapped[str] = mapped_column(String(20))  # "" for none or several
    role: Mapped[str] = mapped_column(String(20))  # "" for none


class BarometerKey(Base):
    """The random key of an open month's `BarometerRespondent` HMACs; destroyed at closing."""

    __tablename__ = "barometer_keys"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    key: Mapped[bytes] = mapped_column(LargeBinary(32))


class BarometerCell(Base):
    """How many answers of a (month, cooperative, role) group reached the counts.

    Role "" pools the rest of a cooperative at closing; cooperative "" pools the network's rest.
    Every change adds a batch of at least `min_group_size` answers."""

    __tablename__ = "barometer_cells"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    cooperative: Mapped[str] = mapped_column(String(20), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    respondents: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class BarometerCount(Base):
    """How many answers of a group gave `value` (1–5) on `axis`; abstentions are not rows."""

    __tablename__ = "barometer_counts"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    cooperative: Mapped[str] = mapped_column(String(20), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    axis: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class BarometerAnnouncement(Base):
    """The topic announcing a month's barometer in a cooperative's category (idempotent post),
    and the reply summing up its results and the actions since, posted at closing (None: not
    yet)."""

    __tablename__ = "barometer_announcements"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    cooperative: Mapped[str] = mapped_column(String(20), primary_key=True)
    topic_id: Mapped[int] = mapped_column(Integer)
    # the day the topic got its reminder a week before the month closes (once a month)
    reminded_on: Mapped[date | None] = mapped_column(Date)
    summary_post_id: Mapped[int | None] = mapped_column(Integer)


# --- the directors' action log (DESIGN §14, migration 0012) -----------------------------------


class Action(Base):
    """What a cooperative's direction decided for a Gollac axis or a vigilance point (§14).

    `month` is the report whose cards the action was recorded from; `indicator` optionally ties
    it to one figure of that axis. The title never names a member (checked before writing). Who
    recorded it is kept in `ActionChange`, shown to animators only."""

    __tablename__ = "actions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    cooperative: Mapped[str] = mapped_column(String(20), index=True)
    month: Mapped[str] = mapped_column(String(7))
    axis: Mapped[str] = mapped_column(String(40))
    indicator: Mapped[str | None] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(Text)
    started: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class ActionChange(Base):
    """One step of an action's history: its status and title after the change, when, and who
    made it (the author's Discourse id and username, for animators only)."""

    __tablename__ = "action_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    changed_at: Mapped[datetime] = mapped_column(DateTime)
    author_id: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text)
