"""`campus doctor`, the forum's half: address, key, admin rights, plugins and request limit.
(The web service's half is `web.web_checks`, which the command line adds.)"""

from __future__ import annotations

from dataclasses import dataclass

from app.context import Campus
from sync.discourse.client import DiscourseAPI
from sync.forum.forum_checks import exit_code, format_checks, run_doctor


@dataclass(frozen=True)
class ForumCheck:
    """The checks as text, the exit status they call for, and the client when the forum
    answered well enough for the web checks to use it."""

    text: str
    status: int
    client: DiscourseAPI | None


def check_forum(campus: Campus) -> ForumCheck:
    """Run every check against the forum (stopping at the first blocking failure)."""
    client = campus.open_client()
    checks = run_doctor(client)
    status = exit_code(checks)
    return ForumCheck(format_checks(checks), status, client if status == 0 else None)
