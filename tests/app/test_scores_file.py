"""The worker's scores/last30.csv: written only from a mirror whose last sync succeeded (it was
overwritten from a half-synced mirror), and never seen half written."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import insert

from app.score import write_scores
from core.errors import Deferred
from sync.mirror.db import connect
from sync.mirror.schema import SyncRun
from tests.support.campus import make_campus


def _sync_run(engine, outcome: str, hour: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(SyncRun.__table__).values(
                started_at=datetime(2026, 11, 5, hour),
                finished_at=None if outcome == "running" else datetime(2026, 11, 5, hour, 30),
                full=False,
                requests=3,
                outcome=outcome,
            )
        )


@pytest.mark.parametrize("last", ["failed", "interrupted", "running"])
def test_scores_are_left_as_they_were_after_a_sync_that_did_not_succeed(tmp_path, last):
    engine = connect(f"sqlite:///{tmp_path / 'campus.db'}")
    campus = make_campus(tmp_path, engine=engine)
    target = tmp_path / "scores" / "last30.csv"
    target.parent.mkdir()
    target.write_text("username,score\nyesterday,12\n", encoding="utf-8")
    _sync_run(engine, "success", 7)
    _sync_run(engine, last, 8)
    with pytest.raises(Deferred, match="synchronisation n'a pas abouti"):
        write_scores(campus)
    assert target.read_text(encoding="utf-8") == "username,score\nyesterday,12\n"

    _sync_run(engine, "success", 9)  # the next sync succeeds: the scores follow
    assert "last30.csv" in write_scores(campus)
    assert "yesterday" not in target.read_text(encoding="utf-8")
    assert sorted(p.name for p in target.parent.iterdir()) == ["last30.csv"]
    engine.dispose()


def test_no_scores_before_the_first_sync(tmp_path):
    engine = connect(f"sqlite:///{tmp_path / 'campus.db'}")
    with pytest.raises(Deferred):
        write_scores(make_campus(tmp_path, engine=engine))
    assert not (tmp_path / "scores" / "last30.csv").exists()
    engine.dispose()
