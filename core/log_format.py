"""How Campus's log lines look: one line per event, with its UTC time and level.

Two formats (`campus --log-format`, or `CAMPUS_LOG_FORMAT`): `text`, for people and journald
(`2026-11-05T09:00:00.123Z WARNING campus.worker: Tâche sync : échec …`), and `json`, one JSON
object a line for a log collector (`{"time", "level", "logger", "message", …}` plus the fields a
line carries, such as the access log's `method`, `path`, `status`, `duration_ms`). A message or
traceback that spans lines is kept on one line either way. Secrets are scrubbed after
formatting (`core.secrets.scrub_log_handlers`).
"""

from __future__ import annotations

import json
import logging
import time

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s.%(msecs)03dZ %(levelname)s %(name)s: %(message)s"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"
# attributes every LogRecord has: what is not among them was given through `extra=`
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class TextFormatter(logging.Formatter):
    """`time level logger: message`, UTC, one line (line breaks written as ` ⏎ `)."""

    converter = time.gmtime

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT, DATE_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        return " ⏎ ".join(line for line in super().format(record).splitlines() if line.strip())


class JsonLinesFormatter(logging.Formatter):
    """One JSON object a line: time (ISO 8601 UTC), level, logger, message, extra fields, and
    the traceback as `exception` when there is one."""

    converter = time.gmtime

    def format(self, record: logging.LogRecord) -> str:
        moment = time.strftime(DATE_FORMAT, self.converter(record.created))
        line = {
            "time": f"{moment}.{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update((key, value) for key, value in vars(record).items() if key not in _STANDARD)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def formatter(name: str) -> logging.Formatter:
    """The formatter of the format `name` (`text` or `json`)."""
    return JsonLinesFormatter() if name == "json" else TextFormatter()
