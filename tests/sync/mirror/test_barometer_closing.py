"""Once a month is closed, nothing in the database tells who answered it (DESIGN §8).

While the month is open, the database keeps who answered (to refuse a second answer); at
closing that list goes, and so does every way to rebuild it: on SQLite, no byte of any file of
the database's folder — the main file, its `-wal`, `-shm` or `-journal`, or a plain copy of the
folder taken afterwards while the web service is still connected — holds a respondent's user id
in any encoding, nor what was stored in its place; on both databases, no row does.
"""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from contextlib import closing as closing_of
from datetime import date

import pytest
from sqlalchemy import Engine, event, inspect, text

from core.vocabulary import AXES
from sync.mirror import barometer_store
from sync.mirror.barometer_store import AnswerBuffer, Respondent
from sync.mirror.db import connect

MONTH = "2026-11"
OPENED = date(2026, 11, 2)
CLOSED = date(2026, 12, 1)
K = 5
# user ids whose encodings cannot turn up in a small database by chance
USERS = [918_273_645 + 7_919 * n for n in range(12)]
# what identifies a row of who answered, not who answered
GROUP_COLUMNS = {"month", "cooperative", "role"}


def answers(value: int) -> dict[str, int]:
    return dict.fromkeys(AXES, value)


def answer_all(engine: Engine) -> AnswerBuffer:
    """Twelve members of two cooperatives answer (some batches counted, some held)."""
    buffer = AnswerBuffer(engine, K)
    for n, user in enumerate(USERS):
        coop = "coop-a" if n % 3 else "coop-b"
        assert buffer.submit(MONTH, Respondent(user, coop, "entrepreneur"), answers(3)) == (
            "recorded"
        )
    return buffer


def stored_values(engine: Engine) -> set:
    """Every value the barometer keeps about who answered (not their group), as read before
    closing: the user ids, or whatever stands for them, and any key."""
    values = set()
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            if not table.startswith("barometer_") or table in {
                "barometer_months",
                "barometer_cells",
                "barometer_counts",
                "barometer_announcements",
            }:
                continue
            for row in conn.execute(text(f"SELECT * FROM {table}")).mappings():
                values |= {
                    bytes(v) if isinstance(v, memoryview) else v
                    for k, v in row.items()
                    if k not in GROUP_COLUMNS
                }
    return values


def encodings(value) -> list[bytes]:
    """The byte strings a value may be written as in a file."""
    if isinstance(value, int):
        return [
            str(value).encode(),
            value.to_bytes(4, "little"),
            value.to_bytes(8, "little"),
            value.to_bytes(4, "big"),
            value.to_bytes(8, "big"),
        ]
    if isinstance(value, bytes):
        return [value, value.hex().encode()]
    raw = str(value).encode()
    try:
        return [raw, bytes.fromhex(str(value))]
    except ValueError:
        return [raw]


def secrets_before_closing(engine: Engine) -> list[bytes]:
    values = stored_values(engine) | set(USERS)
    return [code for value in values for code in encodings(value)]


@pytest.fixture
def sqlite_folder(tmp_path):
    folder = tmp_path / "db"
    folder.mkdir()
    return folder


def plain_delete_engine(path) -> Engine:
    """The web service's engine, on a SQLite that only frees deleted rows (not Debian's build)."""
    engine = connect(f"sqlite:///{path}")
    engine.dispose()

    @event.listens_for(engine, "connect")
    def _plain_delete(dbapi_connection, _record) -> None:
        dbapi_connection.execute("PRAGMA secure_delete = OFF")

    return engine


def test_no_file_of_the_database_tells_who_answered_after_closing(sqlite_folder, tmp_path):
    path = sqlite_folder / "campus.db"
    web = plain_delete_engine(path)
    barometer_store.open_month(web, MONTH, OPENED)
    buffer = answer_all(web)
    secrets = secrets_before_closing(web)
    assert (sqlite_folder / "campus.db-wal").exists()  # the answers went through the WAL
    closing = connect(f"sqlite:///{path}")  # `pulse close`, another process
    barometer_store.close_month(closing, MONTH, CLOSED)
    buffer.sweep()  # the web service counts what it held, and stays connected
    copy = tmp_path / "copy"
    shutil.copytree(sqlite_folder, copy)  # a backup of the folder, taken while it runs
    online = tmp_path / "online"
    online.mkdir()
    with (
        closing_of(sqlite3.connect(path)) as source,
        closing_of(sqlite3.connect(online / "backup.db")) as target,
    ):
        source.backup(target)  # SQLite's online backup (DESIGN §3's `campus backup`)
    for folder in (sqlite_folder, copy, online):
        for file in sorted(folder.iterdir()):
            content = file.read_bytes()
            leaks = [secret for secret in secrets if secret in content]
            assert not leaks, (file.name, leaks)
    closing.dispose()
    web.dispose()


def test_no_row_links_a_member_to_a_closed_month(db_url):
    engine = connect(db_url)
    barometer_store.open_month(engine, MONTH, OPENED)
    buffer = answer_all(engine)
    kept = stored_values(engine)
    assert len(kept) == len(USERS) + 1 and not kept & set(USERS)  # HMACs and a key, no id
    barometer_store.close_month(engine, MONTH, CLOSED)
    buffer.sweep()
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            for row in conn.execute(text(f"SELECT * FROM {table}")):
                found = [v for v in row if v in kept or v in USERS]
                assert not found, (table, row)
    assert barometer_store.read_month(engine, MONTH).answered == len(USERS)
    engine.dispose()


def test_one_answer_per_member_holds_until_closing_then_the_month_takes_none(db_url):
    engine = connect(db_url)
    barometer_store.open_month(engine, MONTH, OPENED)
    buffer = answer_all(engine)
    person = Respondent(USERS[0], "coop-b", "entrepreneur")
    assert barometer_store.has_answered(engine, MONTH, USERS[0])
    assert not barometer_store.has_answered(engine, MONTH, 1)
    assert buffer.submit(MONTH, person, answers(5)) == "already"
    barometer_store.close_month(engine, MONTH, CLOSED)
    assert not barometer_store.has_answered(engine, MONTH, USERS[0])
    assert buffer.submit(MONTH, person, answers(5)) == "closed"
    engine.dispose()


def test_closing_waits_for_a_reader_of_the_wal_then_empties_it(sqlite_folder):
    """A page of the web service reading the database while the month closes: the closing waits
    for it to finish (the busy timeout), then checkpoints and truncates the WAL."""
    path = sqlite_folder / "campus.db"
    web = connect(f"sqlite:///{path}")
    barometer_store.open_month(web, MONTH, OPENED)
    answer_all(web)
    reader = sqlite3.connect(path, check_same_thread=False)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM barometer_respondents").fetchall()  # holds a snapshot
    threading.Timer(1.0, reader.rollback).start()
    started = time.monotonic()
    barometer_store.close_month(web, MONTH, CLOSED)
    assert time.monotonic() - started >= 0.9  # it did wait for the reader
    assert (sqlite_folder / "campus.db-wal").stat().st_size == 0
    reader.close()
    web.dispose()
