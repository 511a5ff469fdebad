"""Answers lost to a crash are counted and said (issue 23, « Losses are misreported »).

A web process holds barometer answers in memory below the batch size (`min_group_size`, the
documented bound of what a crash loses). Here a real process takes three answers and is killed
with SIGKILL; `campus pulse close` then counts them in the month's `lost` and says so, instead of
« 0 perdue ». A web service that counts late what `pulse close` already declared lost is refused,
so `answered = counted + lost` holds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from core.vocabulary import current_month, shift_month
from sync.mirror import barometer_store
from sync.mirror.barometer_store import AnswerBuffer, Respondent
from tests.conftest import run_campus

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
TZ = "Europe/Paris"
MONTH = shift_month(current_month(TZ), -1)  # a finished month, whatever the date
K = 5

HOLDER = """
import sys, time
from sync.mirror.db import connect
from sync.mirror.barometer_store import AnswerBuffer, Respondent
buffer = AnswerBuffer(connect(sys.argv[1]), {k})
for user in range(3):
    assert buffer.submit(sys.argv[2], Respondent(user, "coop-a", "entrepreneur"), {{}}) == "recorded"
print(buffer.pending(), flush=True)
time.sleep(120)
"""


def hold_then_kill(db_url: str) -> None:
    """A process takes three answers (held: fewer than K), then is killed with SIGKILL."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER.format(k=K), db_url, MONTH],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "3"
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
    assert holder.returncode == -signal.SIGKILL


def close(tmp_path: Path, db_url: str, *options: str):
    (tmp_path / "campus.toml").write_text(
        f'[database]\nurl = "{db_url}"\n[network]\ntimezone = "{TZ}"\n'
        "[pulse]\nclose_wait_seconds = 1\n",
        encoding="utf-8",
    )
    config = str(tmp_path / "campus.toml")
    return run_campus("--config", config, "pulse", "close", "--month", MONTH, *options)


def test_answers_held_by_a_killed_web_process_are_counted_lost_and_said(engine, db_url, tmp_path):
    barometer_store.open_month(engine, MONTH, date(2026, 1, 1))
    alive = AnswerBuffer(engine, K)  # a web process that stays up counts its five
    for user in range(100, 105):
        alive.submit(MONTH, Respondent(user, "coop-b", "appui"), {"intensite": 2})
    hold_then_kill(db_url)

    result = close(tmp_path, db_url)

    assert result.exit_code == 0, result.output
    assert "5 réponses comptées, 3 perdues." in result.stdout
    assert "3 réponses perdues : le service web" in result.stderr
    data = barometer_store.read_month(engine, MONTH)
    assert (data.answered, int(data.cells["respondents"].sum()), data.lost) == (8, 5, 3)
    again = close(tmp_path, db_url, "--json")
    assert json.loads(again.stdout)["lost"] == 3  # « déjà clos »: nothing counted twice


def test_a_late_count_of_answers_declared_lost_is_refused(engine, db_url, tmp_path):
    barometer_store.open_month(engine, MONTH, date(2026, 1, 1))
    late = AnswerBuffer(engine, K)  # alive, but too slow: `pulse close` gave up waiting
    for user in range(6):
        late.submit(MONTH, Respondent(user, "coop-a", "entrepreneur" if user % 2 else "appui"), {})

    assert close(tmp_path, db_url).exit_code == 0
    late.sweep()

    data = barometer_store.read_month(engine, MONTH)
    assert (data.answered, int(data.cells["respondents"].sum()), data.lost) == (6, 0, 6)
