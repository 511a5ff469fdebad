"""The month's report shows the relayed questions and, of them, those answered within 48 h."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import text

from bench.report_mirror import fill_mirror
from reports.render import build_report
from sync.mirror.db import connect
from sync.mirror.loader import load_forum

NOW = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)


def test_relayed_questions_reach_the_report_files(tmp_path):
    engine = connect(f"sqlite:///{tmp_path / 'campus.db'}")
    fill_mirror(engine)
    with engine.begin() as conn:
        october = (
            conn.execute(
                text(
                    "SELECT t.id FROM topics t JOIN categories c ON c.id = t.category_id "
                    "WHERE c.accepted_answers AND t.created_at >= '2026-10-01' ORDER BY t.id LIMIT 12"
                )
            )
            .scalars()
            .all()
        )
        conn.execute(
            text("INSERT INTO relay_suggestions VALUES (:t, 1, '2026-10-20 08:00:00', NULL)"),
            [{"t": topic_id} for topic_id in october],
        )

    folder = build_report(load_forum(engine), "2026-10", tmp_path / "out", now=NOW)

    markdown = (folder / "network.md").read_text()
    assert "| Questions relayées à des volontaires | 12 |" in markdown
    assert "| Questions relayées avec réponse en 48 h |" in markdown
    data = json.loads((folder / "indicators.json").read_text())
    assert "relayed_answered_48h" in json.dumps(data)
