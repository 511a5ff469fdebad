"""Errors Campus reports to animators. Messages are already in the user's words (French first).

The Discourse client's own errors are in `sync.discourse.exceptions`."""

from __future__ import annotations


class CampusError(Exception):
    """Base class: `cli.py` prints `str(error)` on stderr and exits with `exit_code`."""

    exit_code = 1


class InputError(CampusError):
    """Bad configuration or input file: file, line and reason are in the message; exit 2."""

    exit_code = 2


class LockError(CampusError):
    """Another Campus run holds the lock on this database."""
