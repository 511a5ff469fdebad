"""Log lines: one per event with UTC time and level, as text or JSON lines."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from pathlib import Path

from core.log_format import JsonLinesFormatter, TextFormatter

TEXT_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (INFO|WARNING|ERROR) \S+: ")


def _record(message: str, **extra) -> logging.LogRecord:
    record = logging.LogRecord("campus.worker", logging.WARNING, __file__, 1, message, (), None)
    record.__dict__.update(extra)
    return record


def test_text_lines_carry_time_and_level_and_stay_one_line():
    line = TextFormatter().format(_record("Tâche sync : échec\nForum injoignable"))
    assert TEXT_LINE.match(line) and "\n" not in line
    assert line.endswith("Tâche sync : échec ⏎ Forum injoignable")


def test_json_lines_carry_time_level_logger_message_and_extra_fields():
    line = JsonLinesFormatter().format(_record("GET /moi 200 3.2 ms", status=200, path="/moi"))
    assert "\n" not in line
    data = json.loads(line)
    assert data["level"] == "WARNING" and data["logger"] == "campus.worker"
    assert data["message"] == "GET /moi 200 3.2 ms"
    assert data["status"] == 200 and data["path"] == "/moi"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", data["time"])


def test_campus_log_format_json_writes_one_json_object_a_line(tmp_path):
    """A worker round against a forum that does not answer: every stderr line is an event."""
    (tmp_path / "campus.toml").write_text(
        '[discourse]\nurl = "http://127.0.0.1:9"\nmax_retries = 0\n[worker]\nalert_group = ""\n',
        encoding="utf-8",
    )
    campus = Path(sys.executable).with_name("campus")
    env = {
        "CAMPUS_DISCOURSE_API_KEY": "log-format-test-key-0123456789",
        "CAMPUS_LANG": "fr",
        "PATH": "/usr/bin:/bin",
    }
    for fmt in ("json", "text"):
        result = subprocess.run(
            [str(campus), "--config", str(tmp_path / "campus.toml"), "--log-format", fmt]
            + ["worker", "--once"],
            capture_output=True,
            text=True,
            env={**env, "CAMPUS_DATABASE_URL": f"sqlite:///{tmp_path / fmt}.db"},
            timeout=120,
        )
        lines = result.stderr.splitlines()
        assert any("Tâche sync" in line for line in lines), result.stderr
        assert "log-format-test-key" not in result.stderr
        if fmt == "json":
            events = [json.loads(line) for line in lines]
            assert {"time", "level", "logger", "message"} <= set(events[0])
        else:
            assert all(TEXT_LINE.match(line) for line in lines), result.stderr
