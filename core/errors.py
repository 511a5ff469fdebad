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


class Stopped(CampusError):
    """The run was asked to stop (SIGTERM to the worker) and stopped at a safe point: what it
    wrote is whole, what it did not reach is done by its next run."""


class Deferred(CampusError):
    """A run that cannot do its work yet because what it reads is not whole (the mirror's last
    sync failed or was interrupted): it is retried later, and is not a failure."""
