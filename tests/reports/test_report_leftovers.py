"""A report killed mid-way leaves nothing behind once the next one runs (issue 23).

The month's folder is written in a staging folder beside it, then swapped in. A process killed
with SIGKILL while writing left its staging folder forever; one killed between setting the old
report aside and putting the new one in place left no report at all. The next run cleans both.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from analytics.indicators import Activity
from bench.report_mirror import fill_mirror
from reports.render import build_report
from sync.mirror.db import connect
from sync.mirror.loader import load_forum

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
MONTH = "2026-10"

DYING_REPORT = """
import os, signal, sys
from datetime import UTC, datetime
from pathlib import Path
from analytics.indicators import Activity
from reports import render
from sync.mirror.db import connect
from sync.mirror.loader import load_forum

def die():
    os.kill(os.getpid(), signal.SIGKILL)

if sys.argv[3] == "writing":  # killed half-way through writing the new report
    def write_report(report, folder, *args, **kwargs):
        (folder / "network.html").write_text("à moitié écrit", encoding="utf-8")
        die()
    render.write_report = write_report
else:  # killed once the old report is set aside, before the new one takes its place
    rename = Path.rename
    def dying_rename(self, target):
        moved = rename(self, target)
        if Path(target).name.endswith(".old"):
            die()
        return moved
    Path.rename = dying_rename
activity = Activity(load_forum(connect(sys.argv[1])))
render.build_report(activity, "2026-10", Path(sys.argv[2]), now=datetime(2026, 11, 15, 12, tzinfo=UTC))
"""


@pytest.fixture(scope="module")
def mirror(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("leftovers")
    url = f"sqlite:///{folder / 'campus.db'}"
    fill_mirror(connect(url), cooperatives=2, topics=200)
    return url


def killed_report(url: str, out: Path, when: str) -> None:
    dying = subprocess.run(
        [sys.executable, "-c", DYING_REPORT, url, str(out), when],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert dying.returncode == -signal.SIGKILL, dying.stderr[-2000:]


def hidden(out: Path) -> list[str]:
    return sorted(path.name for path in out.iterdir() if path.name.startswith("."))


@pytest.mark.parametrize("when", ["writing", "swapping"])
def test_the_next_report_cleans_what_a_killed_one_left(mirror, tmp_path, when):
    activity = Activity(load_forum(connect(mirror)))
    build_report(activity, MONTH, tmp_path, now=NOW)
    killed_report(mirror, tmp_path, when)
    assert hidden(tmp_path)  # what the killed run left

    folder = build_report(activity, MONTH, tmp_path, now=NOW)

    assert hidden(tmp_path) == []
    assert "à moitié écrit" not in (folder / "network.html").read_text(encoding="utf-8")
