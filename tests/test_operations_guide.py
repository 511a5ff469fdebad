"""The operator's guide (docs/exploitation.md) is real: its systemd units parse and carry the
production settings, its nginx block sends the headers `[web] trusted_proxies` is about, and its
`campus migrate` example is what Campus prints on a mirror a past merge stamped 0007."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sync.mirror import upgrade
from sync.mirror.db import open_engine
from tests.conftest import run_campus
from tests.support.migrations import MISCHAINED_0007, build
from tests.test_readme import doc_examples, matches

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "exploitation.md"


def units() -> dict[str, str]:
    """The guide's systemd units, by file name (each `ini` block starting with its path)."""
    found = {}
    for block in re.findall(r"```ini\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S):
        path = re.match(r"# /etc/systemd/system/(\S+)", block)
        if path:
            found[path.group(1)] = block
    return found


def test_the_units_carry_the_production_settings():
    found = units()
    assert {"campus-web.service", "campus-worker.service", "campus-backup.service"} <= set(found)
    for name in ("campus-web.service", "campus-worker.service"):
        unit = found[name]
        for line in (
            "After=network-online.target postgresql.service",
            "TimeoutStopSec=30",
            "UMask=0077",
            "NoNewPrivileges=yes",
            "PrivateTmp=yes",
            "ProtectSystem=strict",
            "ReadWritePaths=/srv/campus",
            "EnvironmentFile=/etc/campus/env",
        ):
            assert line in unit.splitlines(), (name, line)
    assert "UMask=0077" in found["campus-backup.service"]


def test_the_units_parse(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    paths = []
    for name, text in units().items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        paths.append(str(tmp_path / name))
    result = subprocess.run(
        [analyze, "verify", "--man=no", *paths], capture_output=True, text=True, cwd=tmp_path
    )
    problems = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line.strip() and "/srv/campus/.venv/bin/campus is not executable" not in line
    ]
    assert problems == []


def test_the_nginx_block_sends_the_headers_campus_believes():
    [block] = re.findall(r"```nginx\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    assert "listen 443 ssl" in block and "ssl_certificate " in block
    assert "proxy_pass http://127.0.0.1:8080;" in block
    for header in (
        "proxy_set_header Host $host;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
    ):
        assert header in block


def test_the_migrate_example_is_what_campus_prints(tmp_path):
    database = tmp_path / "campus.db"
    engine = open_engine(f"sqlite:///{database}")
    build(engine, MISCHAINED_0007["after-0002"])
    engine.dispose()
    [example] = [
        e
        for e in doc_examples(GUIDE)
        if e.command == "campus-admin migrate" and "0007" in e.expected[0]
    ]
    result = run_campus("migrate", env={"CAMPUS_DATABASE_URL": f"sqlite:///{database}"})
    assert result.exit_code == 0, result.output
    written_at = {  # the example shows the time, folder and latest revision it was written with
        r"\d{8}T\d{6}Z": "20261208T091500Z",
        re.escape(str(tmp_path)): "/srv/campus",
        rf"\b{upgrade.head()}\b": "0011",
    }
    actual = result.output.splitlines()
    for pattern, shown in written_at.items():
        actual = [re.sub(pattern, shown, line) for line in actual]
    assert matches(example.expected, actual), "\n".join(actual)
