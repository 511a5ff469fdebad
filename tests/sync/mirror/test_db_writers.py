"""Writers wait their turn on SQLite; reads never write (issue 23), with real threads on a file.

With a deferred `BEGIN`, a transaction that reads then writes fails at once ("database is
locked") when another connection committed in between, whatever the busy timeout. The mirror's
engine begins every transaction IMMEDIATE (the write lock first, waiting for it), and read-only
work goes through `db.reader`, whose transactions neither take nor wait for that lock and refuse
to write.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import OperationalError

from sync.mirror import db
from sync.mirror.schema import SyncState

pytestmark = pytest.mark.integration

THREADS = 8
ROUNDS = 25


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = db.connect(f"sqlite:///{tmp_path / 'campus.db'}")
    with engine.begin() as conn:
        conn.execute(SyncState.__table__.insert().values(key="counter", value="0"))
    yield engine
    engine.dispose()


def increment(engine) -> None:
    """Read the counter, think a little, write it back plus one: a read-then-write transaction."""
    with engine.begin() as conn:
        value = int(
            conn.execute(select(SyncState.value).where(SyncState.key == "counter")).scalar()
        )
        time.sleep(0.001)
        conn.execute(
            update(SyncState).where(SyncState.key == "counter").values(value=str(value + 1))
        )


def test_concurrent_read_then_write_transactions_all_succeed_and_none_is_lost(sqlite_engine):
    errors: list[Exception] = []
    reads: list[int] = []

    def writer() -> None:
        for _ in range(ROUNDS):
            try:
                increment(sqlite_engine)
            except OperationalError as error:
                errors.append(error)

    def reader() -> None:  # readers run beside the writers, never blocked nor blocking
        for _ in range(ROUNDS):
            with db.reader(sqlite_engine).connect() as conn:
                reads.append(int(conn.execute(text("SELECT count(*) FROM sync_state")).scalar()))

    threads = [threading.Thread(target=writer) for _ in range(THREADS)]
    threads += [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert reads == [1] * 2 * ROUNDS
    with db.reader(sqlite_engine).connect() as conn:
        final = conn.execute(select(SyncState.value).where(SyncState.key == "counter")).scalar()
    assert int(final) == THREADS * ROUNDS


def test_a_read_only_connection_refuses_to_write(sqlite_engine):
    with (
        pytest.raises(OperationalError, match="readonly"),
        db.reader(sqlite_engine).connect() as conn,
    ):
        conn.execute(update(SyncState).values(value="1"))
    with sqlite_engine.begin() as conn:  # the same pooled connection writes again afterwards
        conn.execute(update(SyncState).where(SyncState.key == "counter").values(value="7"))
    with db.reader(sqlite_engine).connect() as conn:
        assert conn.execute(select(SyncState.value)).scalar() == "7"


def test_a_reader_is_not_blocked_by_a_writer_holding_the_lock(sqlite_engine):
    with sqlite_engine.begin() as writing:  # holds the write lock
        writing.execute(update(SyncState).values(value="8"))
        began = time.monotonic()
        with db.reader(sqlite_engine).connect() as conn:
            assert conn.execute(select(SyncState.value)).scalar() == "0"  # the last commit
        assert time.monotonic() - began < 1
