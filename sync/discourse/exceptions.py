"""Errors of the Discourse client, in the animator's words (French first); never the key."""

from __future__ import annotations

from core.errors import CampusError


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
