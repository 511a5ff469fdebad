"""Storage of the anonymous QVT barometer (DESIGN §8): who answered, and counts, never linked.

The database holds two things that share no key but the month and the group:

- `barometer_respondents`: who has answered this month (to refuse a second answer), with the
  cooperative and role their login's groups gave; no answer, no time. A member is kept only as
  an HMAC of their user id under the month's random key (`barometer_keys`). At closing the rows
  and the key are deleted (on SQLite with `secure_delete`, then the WAL is checkpointed and
  truncated), so no file of the database — nor a copy of its folder taken afterwards — tells who
  answered, and an HMAC left anywhere names nobody once its key is gone.
- `barometer_cells` / `barometer_counts`: per (month, cooperative, role), how many answers were
  counted, and per axis how many gave each value 1–5.

An answer is never written as such. It waits in the memory of the web process (`AnswerBuffer`),
in the bucket of its (month, cooperative, role) group, and reaches the counts only in a batch of
at least `min_group_size` answers of that group, written in one transaction with the values summed
(the order of the answers is lost). So a reader of the database — even one who copies it before and
after every answer — sees the counts of a group move only by `min_group_size` answers at once, and
cannot tell whose is which. At closing (and when the service stops cleanly), what is left in the
buckets is pooled: the rest of each cooperative under role "" if it reaches `min_group_size`, else
into the network's pool (cooperative ""), and what still does not reach `min_group_size` is
dropped, never written; the month's `lost` counter says how many.

Because the respondent row is committed before the answer joins the buffer and the buffer is
emptied only by the transaction that counts it, nothing can be counted twice; what an unclean stop
(crash, kill -9, power loss) can lose is the answers still in memory: at most `min_group_size − 1`
per group. Those are not hidden: `pulse close` waits a little for the web services to count what
they hold, then adds what is still neither counted nor dropped to the month's `lost`
(`declare_lost`) and says it; a web service that flushes later finds them declared lost and does
not count them, so `answered = counted + lost` always holds for a closed month.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import random
import secrets
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from core.i18n import _, format_month, ngettext
from core.vocabulary import AXES
from sync.mirror import db
from sync.mirror.schema import (
    BarometerAnnouncement,
    BarometerCell,
    BarometerCount,
    BarometerKey,
    BarometerMonth,
    BarometerRespondent,
)

log = logging.getLogger("campus.barometer")

VALUES = (1, 2, 3, 4, 5)
# a role decides the group an answer is counted in; the first held in this order wins
ROLE_PRECEDENCE = ("direction", "appui", "entrepreneur")
POOLED = ""  # cooperative or role of a pooled group

Answers = Mapping[str, int | None]


@dataclass(frozen=True)
class Respondent:
    """Who answers, as the login says: the Discourse user id and the group they are counted in."""

    user_id: int
    cooperative: str  # a cooperative's slug, or "" for a member of several
    role: str  # entrepreneur | appui | direction, or "" for none


def respondent_from_groups(
    user_id: int,
    groups: Iterable[str],
    cooperatives: Iterable[str],
    role_groups: Mapping[str, str],
) -> Respondent | None:
    """The group a member's answer is counted in, from their Discourse groups.

    None when they belong to no cooperative (they cannot answer). A member of several
    cooperatives is counted in the network's pool only, never in one of them."""
    held = set(groups)
    mine = sorted(held & set(cooperatives))
    if not mine:
        return None
    role = next((r for r in ROLE_PRECEDENCE if role_groups.get(r) in held), POOLED)
    return Respondent(user_id, mine[0] if len(mine) == 1 else POOLED, role)


class UnansweredStatements(ValueError):
    """Statements left without a choice (`axes`, in the form's order): nothing is recorded."""

    def __init__(self, axes: list[str]) -> None:
        super().__init__(", ".join(axes))
        self.axes = axes


def clean_answers(form: Mapping[str, str]) -> dict[str, int | None]:
    """The six answers from a submitted form: 1–5, or None for « je préfère ne pas répondre »
    (sent as an empty value).

    Each statement needs a choice: a field missing from the form (a statement left without a
    choice) raises `UnansweredStatements` naming them all, so an untouched form spends nothing.
    Raises ValueError naming the field when a value is neither empty nor 1–5."""
    missing = [axis for axis in AXES if axis not in form]
    if missing:
        raise UnansweredStatements(missing)
    answers: dict[str, int | None] = {}
    for axis in AXES:
        raw = (form.get(axis) or "").strip()
        if raw == "":
            answers[axis] = None
        elif raw in {"1", "2", "3", "4", "5"}:
            answers[axis] = int(raw)
        else:
            raise ValueError(axis)
    return answers


# --- months -----------------------------------------------------------------------------------


def month_state(engine: Engine, month: str) -> str:
    """`unopened`, `open` or `closed`."""
    with Session(db.reader(engine)) as session:
        row = session.get(BarometerMonth, month)
    if row is None:
        return "unopened"
    return "closed" if row.closed_on is not None else "open"


def open_month(engine: Engine, month: str, today: date) -> bool:
    """Open `month` for answers, with a new random key; False when it was already opened."""
    with Session(engine) as session, session.begin():
        if session.get(BarometerMonth, month) is not None:
            return False
        session.add(BarometerMonth(month=month, opened_on=today, answered=0, lost=0))
        session.add(BarometerKey(month=month, key=secrets.token_bytes(32)))
    return True


def member_tag(key: bytes, user_id: int) -> str:
    """How a member is kept in the list of who answered: HMAC-SHA256 of their id (hex)."""
    return hmac.new(key, str(int(user_id)).encode(), hashlib.sha256).hexdigest()


def _month_key(conn, month: str) -> bytes | None:
    """The key of an open month (None once closed, or never opened)."""
    keys = BarometerKey.__table__
    return conn.execute(select(keys.c.key).where(keys.c.month == month)).scalar_one_or_none()


def close_month(engine: Engine, month: str, today: date) -> bool:
    """Freeze `month`: no more answers; the list of who answered and its key are destroyed.

    Returns False when the month was already closed. The web service notices the closing and
    counts (or drops) what it still holds for that month (`AnswerBuffer.sweep`). The first
    statement writes, so concurrent answers wait for the closing (or it for them), never fail."""
    months = BarometerMonth.__table__
    with engine.begin() as conn:
        closing = conn.execute(
            update(months)
            .where(months.c.month == month, months.c.closed_on.is_(None))
            .values(closed_on=today)
        )
        if closing.rowcount == 0:
            if conn.execute(select(months.c.month).where(months.c.month == month)).first():
                return False
            conn.execute(
                insert(months).values(
                    month=month, opened_on=today, closed_on=today, answered=0, lost=0
                )
            )
        who = BarometerRespondent.__table__
        answered = conn.execute(
            select(func.count()).select_from(who).where(who.c.month == month)
        ).scalar_one()
        conn.execute(update(months).where(months.c.month == month).values(answered=answered))
        _forget(conn, who.c.month == month, BarometerKey.__table__.c.month == month)
    _truncate_wal(engine)
    return True


def _forget(conn, respondents, keys) -> None:
    """Delete rows of who answered and their keys; on SQLite, overwrite them with zeros."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA secure_delete = ON")
    conn.execute(delete(BarometerRespondent.__table__).where(respondents))
    conn.execute(delete(BarometerKey.__table__).where(keys))


def _truncate_wal(engine: Engine) -> None:
    """On SQLite, copy the WAL into the main file and empty it: the WAL otherwise keeps the
    pages as they were before the deletion until its frames are overwritten.

    Waits for the readers of other connections (the busy timeout); says so if one stays."""
    if engine.dialect.name != "sqlite":
        return
    connection = engine.raw_connection()
    try:
        busy = connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        connection.close()
    if busy and busy[0]:
        log.warning(
            _(
                "Baromètre : le journal de la base (WAL) n'a pas pu être vidé, un autre processus"
                " la lit ; il le sera à la prochaine clôture ou à l'arrêt de ce processus."
            )
        )


def uncounted(engine: Engine, month: str) -> int:
    """Of a closed month, answers neither counted nor dropped yet (still in a web service)."""
    with Session(db.reader(engine)) as session:
        row = session.get(BarometerMonth, month)
        counted = session.scalar(
            select(func.coalesce(func.sum(BarometerCell.respondents), 0)).where(
                BarometerCell.month == month
            )
        )
    if row is None or row.closed_on is None:
        return 0
    return max(0, int(row.answered or 0) - int(counted or 0) - int(row.lost or 0))


def closed_months(engine: Engine) -> set[str]:
    with Session(db.reader(engine)) as session:
        return set(
            session.scalars(
                select(BarometerMonth.month).where(BarometerMonth.closed_on.is_not(None))
            )
        )


def purge_before(engine: Engine, month: str) -> int:
    """Delete the barometer's counts of every month before `month` (retention); how many months."""
    with Session(engine) as session, session.begin():
        months = list(
            session.scalars(select(BarometerMonth.month).where(BarometerMonth.month < month))
        )
        for table in (BarometerCount, BarometerCell, BarometerAnnouncement):
            session.execute(delete(table).where(table.month < month))
        _forget(session.connection(), BarometerRespondent.month < month, BarometerKey.month < month)
        session.execute(delete(BarometerMonth).where(BarometerMonth.month < month))
    return len(months)


def announced(engine: Engine, month: str) -> set[str]:
    """The cooperatives whose announcement topic of `month` is recorded."""
    with Session(db.reader(engine)) as session:
        return set(
            session.scalars(
                select(BarometerAnnouncement.cooperative).where(
                    BarometerAnnouncement.month == month
                )
            )
        )


def record_announcement(engine: Engine, month: str, cooperative: str, topic_id: int) -> None:
    """Remember the topic announcing `month`'s barometer in `cooperative`'s category."""
    with Session(engine) as session, session.begin():
        session.add(BarometerAnnouncement(month=month, cooperative=cooperative, topic_id=topic_id))


def unreminded(engine: Engine, month: str) -> dict[str, int]:
    """The announcement topics of `month` not reminded yet: cooperative slug -> topic id."""
    with Session(engine) as session:
        rows = session.execute(
            select(BarometerAnnouncement.cooperative, BarometerAnnouncement.topic_id).where(
                BarometerAnnouncement.month == month,
                BarometerAnnouncement.reminded_on.is_(None),
            )
        )
        return {cooperative: int(topic_id) for cooperative, topic_id in rows}


def record_reminder(engine: Engine, month: str, cooperative: str, today: date) -> None:
    """Remember that `cooperative`'s topic of `month` got its reminder (`today`)."""
    with Session(engine) as session, session.begin():
        session.execute(
            update(BarometerAnnouncement)
            .where(
                BarometerAnnouncement.month == month,
                BarometerAnnouncement.cooperative == cooperative,
            )
            .values(reminded_on=today)
        )


def unsummarised(engine: Engine, month: str) -> dict[str, int]:
    """The announcement topics of `month` (cooperative → topic id) still without their summary."""
    with Session(engine) as session:
        rows = session.execute(
            select(BarometerAnnouncement.cooperative, BarometerAnnouncement.topic_id).where(
                BarometerAnnouncement.month == month,
                BarometerAnnouncement.summary_post_id.is_(None),
            )
        ).all()
    return {cooperative: int(topic_id) for cooperative, topic_id in rows}


def record_summary(engine: Engine, month: str, cooperative: str, post_id: int) -> None:
    """Remember the reply that summed up `month`'s results in `cooperative`'s topic."""
    with Session(engine) as session, session.begin():
        session.execute(
            update(BarometerAnnouncement)
            .where(
                BarometerAnnouncement.month == month,
                BarometerAnnouncement.cooperative == cooperative,
            )
            .values(summary_post_id=post_id)
        )


# --- answers ----------------------------------------------------------------------------------


def has_answered(engine: Engine, month: str, user_id: int) -> bool:
    """Whether the member answered `month` (always False once it is closed)."""
    who = BarometerRespondent.__table__
    with db.reader(engine).connect() as conn:
        key = _month_key(conn, month)
        if key is None:
            return False
        tag = member_tag(key, user_id)
        found = conn.execute(select(who.c.month).where(who.c.month == month, who.c.member == tag))
        return found.first() is not None


class _MonthClosed(Exception):
    """The month closed while an answer was being recorded (its transaction is rolled back)."""


class AnswerBuffer:
    """The answers not yet counted, in memory only, one bucket per (month, cooperative, role).

    One buffer per web process (threads share it under a lock). `submit` is the page's door."""

    def __init__(self, engine: Engine, min_group_size: int) -> None:
        self.engine = engine
        self.batch = max(1, int(min_group_size))
        self._buckets: dict[tuple[str, str, str], list[dict[str, int | None]]] = defaultdict(list)
        self._lock = threading.Lock()
        self._random = random.SystemRandom()

    def pending(self) -> int:
        """How many answers wait in memory (a number only: never what or whose)."""
        with self._lock:
            return sum(len(bucket) for bucket in self._buckets.values())

    def submit(self, month: str, respondent: Respondent, answers: Answers) -> str:
        """Record that `respondent` answered `month` and hold their answers for counting.

        Returns `recorded`, `already` (a second answer: refused, not counted), `unopened` or
        `closed` (nothing recorded)."""
        state = month_state(self.engine, month)
        if state != "open":
            return state
        with db.reader(self.engine).connect() as conn:
            key = _month_key(conn, month)
        if key is None:  # closed since
            return "closed"
        months = BarometerMonth.__table__
        try:
            with self.engine.begin() as conn:
                # write first: on SQLite the transaction then waits for the lock instead of
                # failing to upgrade a read; the month is re-read under that lock (a share lock
                # on PostgreSQL), so an answer never lands in a month closed meanwhile
                conn.execute(
                    insert(BarometerRespondent.__table__).values(
                        month=month,
                        member=member_tag(key, respondent.user_id),
                        cooperative=respondent.cooperative,
                        role=respondent.role,
                    )
                )
                closed_on = conn.execute(
                    select(months.c.closed_on)
                    .where(months.c.month == month)
                    .with_for_update(read=True)
                ).scalar_one()
                if closed_on is not None:
                    raise _MonthClosed
        except IntegrityError:  # this member has answered already (or twice at once)
            return "already"
        except _MonthClosed:
            return "closed"
        key = (month, respondent.cooperative, respondent.role)
        with self._lock:
            bucket = self._buckets[key]
            bucket.append({axis: answers.get(axis) for axis in AXES})
            if len(bucket) >= self.batch:
                self._count(key, bucket)
        return "recorded"

    def _count(self, key: tuple[str, str, str], answers: list[dict[str, int | None]]) -> None:
        """Write a batch into the counts (caller holds the lock); on success the bucket empties.

        A database error leaves the batch held: it is written with the next answer of its group
        (or at closing), never twice, since the bucket empties only once the write committed."""
        self._random.shuffle(answers)
        try:
            add_batch(self.engine, *key, answers)
        except SQLAlchemyError as error:
            log.warning(
                _(
                    "Baromètre : un lot de réponses n'a pas encore pu être compté ({kind}) ; il le sera avec la prochaine réponse.",
                    kind=type(error).__name__,
                )
            )
            return
        answers.clear()

    def sweep(self) -> int:
        """Count or drop what is held for months that have closed; how many answers were held."""
        with self._lock:
            months = {key[0] for key, bucket in self._buckets.items() if bucket}
        if not months:
            return 0
        done = closed_months(self.engine) & months
        return sum(self.flush_month(month) for month in sorted(done))

    def flush_all(self) -> int:
        """Pool and count (or drop) everything held: for a clean stop of the service."""
        with self._lock:
            months = {key[0] for key, bucket in self._buckets.items() if bucket}
        return sum(self.flush_month(month) for month in sorted(months))

    def flush_month(self, month: str) -> int:
        """Pool the rest of `month`: by cooperative, then the network; drop what stays too small."""
        with self._lock:
            keys = [key for key in self._buckets if key[0] == month and self._buckets[key]]
            rests = {key: self._buckets.pop(key) for key in keys}
        held = sum(len(rest) for rest in rests.values())
        if not held:
            return 0
        by_coop: dict[str, list[dict[str, int | None]]] = defaultdict(list)
        for (_month, cooperative, _role), rest in rests.items():
            by_coop[cooperative].extend(rest)
        network = by_coop.pop(POOLED, [])
        late = 0
        for cooperative, rest in sorted(by_coop.items()):
            if len(rest) >= self.batch:
                self._random.shuffle(rest)
                if not add_batch(self.engine, month, cooperative, POOLED, rest):
                    late += len(rest)
            else:
                network.extend(rest)
        if len(network) >= self.batch:
            self._random.shuffle(network)
            if not add_batch(self.engine, month, POOLED, POOLED, network):
                late += len(network)
        elif network:
            add_lost(self.engine, month, len(network))
            log.warning(
                ngettext(
                    "Baromètre {month} : {n} réponse, trop peu pour être comptée anonymement,"
                    " est écartée.",
                    "Baromètre {month} : {n} réponses, trop peu pour être comptées anonymement,"
                    " sont écartées.",
                    len(network),
                    month=format_month(month),
                )
            )
        if late:
            log.warning(
                ngettext(
                    "Baromètre {month} : {n} réponse arrivée après la clôture, déjà comptée"
                    " comme perdue, n'est pas comptée.",
                    "Baromètre {month} : {n} réponses arrivées après la clôture, déjà comptées"
                    " comme perdues, ne sont pas comptées.",
                    late,
                    month=month,
                )
            )
        return held


def add_batch(
    engine: Engine,
    month: str,
    cooperative: str,
    role: str,
    answers: list[dict[str, int | None]],
) -> bool:
    """Add a batch of answers to the counts of a group, in one transaction, values summed.

    Of a closed month, only answers still uncounted are added: False (nothing written) when
    `pulse close` already declared them lost, so no answer is ever both lost and counted."""
    tally = Counter(
        (axis, value) for answer in answers for axis, value in answer.items() if value is not None
    )
    with engine.begin() as conn:
        room = _uncounted_room(conn, month)
        if room is not None and room < len(answers):
            return False
        _increment(
            conn,
            BarometerCell.__table__,
            {"month": month, "cooperative": cooperative, "role": role},
            "respondents",
            len(answers),
        )
        for (axis, value), count in sorted(tally.items()):
            _increment(
                conn,
                BarometerCount.__table__,
                {
                    "month": month,
                    "cooperative": cooperative,
                    "role": role,
                    "axis": axis,
                    "value": value,
                },
                "count",
                count,
            )
    return True


def add_lost(engine: Engine, month: str, n: int) -> int:
    """Count `n` answers of `month` as lost (dropped: too few); how many were (of a closed
    month, no more than are still uncounted: `pulse close` may have declared them already)."""
    months = BarometerMonth.__table__
    with engine.begin() as conn:
        room = _uncounted_room(conn, month)
        n = n if room is None else min(n, room)
        if n > 0:
            conn.execute(
                update(months).where(months.c.month == month).values(lost=months.c.lost + n)
            )
    return max(n, 0)


def declare_lost(engine: Engine, month: str) -> int:
    """Of a closed month, count as lost every answer still neither counted nor lost: answers a
    web service held in memory when it was killed (`pulse close` says so); how many."""
    months = BarometerMonth.__table__
    with engine.begin() as conn:
        room = _uncounted_room(conn, month) or 0
        if room > 0:
            conn.execute(
                update(months).where(months.c.month == month).values(lost=months.c.lost + room)
            )
    return room


def _uncounted_room(conn, month: str) -> int | None:
    """Of a closed month, answers neither counted nor lost (None while it is open); the month's
    row is locked until the caller's transaction ends (SQLite: the transaction's write lock)."""
    months = BarometerMonth.__table__
    row = conn.execute(
        select(months.c.closed_on, months.c.answered, months.c.lost)
        .where(months.c.month == month)
        .with_for_update()
    ).first()
    if row is None or row.closed_on is None:
        return None
    counted = conn.execute(
        select(func.coalesce(func.sum(BarometerCell.respondents), 0)).where(
            BarometerCell.month == month
        )
    ).scalar_one()
    return max(0, int(row.answered or 0) - int(counted or 0) - int(row.lost or 0))


def _increment(conn, table, key: dict, column: str, amount: int) -> None:
    """`column += amount` on the row `key`, created if absent (an upsert on both databases)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**key, **{column: amount})
    statement = statement.on_conflict_do_update(
        index_elements=list(key),
        set_={column: table.c[column] + statement.excluded[column]},
    )
    conn.execute(statement)


# --- reading ----------------------------------------------------------------------------------


@dataclass
class BarometerData:
    """What the database holds about one month, as DataFrames (for `analytics.barometer_figures`).

    - respondents: cooperative, role, n (who answered, counted by group; empty once closed)
    - cells: cooperative, role, respondents (answers counted)
    - counts: cooperative, role, axis, value, count
    """

    month: str
    state: str
    answered: int  # set at closing
    lost: int
    respondents: pd.DataFrame
    cells: pd.DataFrame
    counts: pd.DataFrame


def read_month(engine: Engine, month: str) -> BarometerData:
    """The month's barometer tables (counts only: nothing in them is about one person)."""
    with Session(db.reader(engine)) as session:
        row = session.get(BarometerMonth, month)
        respondents = session.execute(
            select(
                BarometerRespondent.cooperative,
                BarometerRespondent.role,
                func.count().label("n"),
            )
            .where(BarometerRespondent.month == month)
            .group_by(BarometerRespondent.cooperative, BarometerRespondent.role)
        ).all()
        cells = session.execute(
            select(BarometerCell.cooperative, BarometerCell.role, BarometerCell.respondents).where(
                BarometerCell.month == month
            )
        ).all()
        counts = session.execute(
            select(
                BarometerCount.cooperative,
                BarometerCount.role,
                BarometerCount.axis,
                BarometerCount.value,
                BarometerCount.count,
            ).where(BarometerCount.month == month)
        ).all()
    state = "unopened" if row is None else "closed" if row.closed_on is not None else "open"
    return BarometerData(
        month=month,
        state=state,
        answered=0 if row is None else int(row.answered or 0),
        lost=0 if row is None else int(row.lost or 0),
        respondents=pd.DataFrame(respondents, columns=["cooperative", "role", "n"]),
        cells=pd.DataFrame(cells, columns=["cooperative", "role", "respondents"]),
        counts=pd.DataFrame(counts, columns=["cooperative", "role", "axis", "value", "count"]),
    )
