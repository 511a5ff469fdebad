"""Honesty guards (DESIGN §7): a report only for a finished month the mirror covers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from analytics.indicators import Activity
from bench.report_mirror import fill_mirror
from core.errors import InputError
from reports.render import build_report
from sync.mirror.db import connect
from sync.mirror.loader import load_forum
from tests.conftest import run_campus

NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)  # the mirror's last sync: 2026-11-01 23:00 UTC


@pytest.fixture(scope="module")
def mirror(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("guards")
    fill_mirror(connect(f"sqlite:///{folder / 'campus.db'}"), cooperatives=2, topics=200)
    return folder


@pytest.fixture(scope="module")
def activity(mirror: Path) -> Activity:
    return Activity(load_forum(connect(f"sqlite:///{mirror / 'campus.db'}")))


def test_an_empty_mirror_is_refused(tmp_path: Path):
    with pytest.raises(InputError, match="miroir est vide"):
        build_report(
            load_forum(connect(f"sqlite:///{tmp_path / 'empty.db'}")),
            "2026-10",
            tmp_path / "out",
            now=NOW,
        )
    assert not (tmp_path / "out").exists()


def test_a_future_month_is_refused(activity, tmp_path: Path):
    with pytest.raises(InputError, match="janvier 2027 n'a pas commencé"):
        build_report(activity, "2027-01", tmp_path, now=NOW, partial=True)
    assert list(tmp_path.iterdir()) == []


def test_a_month_after_the_last_sync_is_refused(activity, tmp_path: Path):
    later = datetime(2027, 2, 10, tzinfo=UTC)
    with pytest.raises(InputError, match="campus sync") as refused:
        build_report(activity, "2026-12", tmp_path, now=later, partial=True)
    # the month and the sync's time in words, in the network's time zone (not « 2026-11-01 23:00
    # UTC »)
    assert "(décembre 2026)" in str(refused.value)
    assert "2 nov. 2026, 00:00" in str(refused.value) and "UTC" not in str(refused.value)


def test_the_unfinished_month_needs_partial(activity, tmp_path: Path):
    with pytest.raises(InputError, match="--partial"):
        build_report(activity, "2026-11", tmp_path, now=NOW)
    assert list(tmp_path.iterdir()) == []


def test_a_partial_report_says_so_on_every_page(activity, tmp_path: Path):
    folder = build_report(activity, "2026-11", tmp_path, now=NOW, partial=True)
    pages = [*folder.rglob("*.html"), *folder.rglob("*.md")]
    assert len(pages) == 6
    for page in pages:
        assert "Rapport provisoire" in page.read_text(), page


def test_a_finished_month_has_no_banner_and_states_the_last_sync(activity, tmp_path: Path):
    folder = build_report(activity, "2026-10", tmp_path, now=NOW)
    for page in [*folder.rglob("*.html"), *folder.rglob("*.md")]:
        text = page.read_text()
        assert "Rapport provisoire" not in text
        assert "dernière synchronisation, le 2 novembre 2026 00:00" in text, page


def test_the_cli_exits_2_with_the_reason_for_a_future_month(mirror: Path, tmp_path: Path):
    config = mirror / "campus.toml"
    config.write_text('[database]\nurl = "sqlite:///campus.db"\n')
    result = run_campus(
        "--config", str(config), "report", "--month", "2099-01", "--out", str(tmp_path)
    )
    assert result.exit_code == 2
    assert "janvier 2099 n'a pas commencé" in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_mirror_never_synced_by_campus_is_refused(activity, tmp_path: Path):
    from dataclasses import replace

    never = Activity(replace(activity.forum, last_sync=None))
    with pytest.raises(InputError, match="Aucune synchronisation réussie"):
        build_report(never, "2026-10", tmp_path, now=NOW)
