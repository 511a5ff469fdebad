"""Errors Campus reports to animators. Messages are already in the user's words (French first)."""

from __future__ import annotations


class CampusError(Exception):
    """Base class: `cli.py` prints `str(error)` on stderr and exits with `exit_code`."""

    exit_code = 1


class InputError(CampusError):
    """Bad configuration or input file: file, line and reason are in the message; exit 2."""

    exit_code = 2


class DiscourseError(CampusError):
    """Discourse refused or failed a request after retries; exit 1."""

    def __init__(self, message: str, *, status: int | None = None, endpoint: str | None = None):
        super().__init__(message)
        self.status = status
        self.endpoint = endpoint


class DiscourseUnreachable(DiscourseError):
    """The forum could not be reached at all (DNS, connection, timeouts after retries)."""


class DiscourseAuthError(DiscourseError):
    """403: the API key or user was refused."""


class DiscourseNotFound(DiscourseError):
    """404: what was asked for does not exist (or is hidden from this API user)."""


class LockError(CampusError):
    """Another Campus run holds the lock on this database."""
