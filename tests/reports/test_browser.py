"""The network report opens in a real headless browser (Debian's chromium) without console errors."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from report_mirror import fill_mirror

from reports.render import build_report
from sync.db import connect

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def screenshot(page: Path, png: Path, profile: Path, height: int = 2400) -> str:
    """Render `page` headless into `png`; return chromium's stderr (console messages are there)."""
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        f"--screenshot={png}",
        f"--window-size=1200,{height}",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
        page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    return done.stderr


def console_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_console_errors_are_detected(tmp_path: Path):
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><p>x</p><script>missing()</script>")
    stderr = screenshot(page, tmp_path / "broken.png", tmp_path / "profile", height=300)
    assert any("missing is not defined" in line for line in console_lines(stderr))


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_network_report_renders_without_console_error(tmp_path: Path):
    engine = connect(f"sqlite:///{tmp_path / 'campus.db'}")
    fill_mirror(engine, cooperatives=4)
    folder = build_report(
        engine, "2026-10", tmp_path / "out", now=datetime(2026, 11, 1, 6, tzinfo=UTC)
    )
    png = tmp_path / "network.png"
    stderr = screenshot(folder / "network.html", png, tmp_path / "profile")
    assert console_lines(stderr) == []
    data = png.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 50_000  # a real page with tables and charts, not a blank one
