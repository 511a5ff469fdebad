"""A stop request shared by a long run and whoever may end it (the worker's SIGTERM handler).

A run checks `StopSignal.check()` at its safe points (the Discourse client does before every
request) and sleeps through `StopSignal.sleep()`, which wakes as soon as a stop is requested:
so a sync paced at 60 requests a minute, or waiting out a 429, ends within a second of SIGTERM
instead of at its end. Stopping raises `core.errors.Stopped`.
"""

from __future__ import annotations

import threading

from core.errors import Stopped
from core.i18n import _


class StopSignal:
    """Set once by `request()`; read by the run at its safe points."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def request(self) -> None:
        """Ask the run to stop at its next safe point (safe to call from a signal handler)."""
        self._event.set()

    @property
    def requested(self) -> bool:
        """Whether a stop was asked for."""
        return self._event.is_set()

    def check(self) -> None:
        """Raise `Stopped` if a stop was asked for: call it where stopping leaves nothing half done."""
        if self._event.is_set():
            raise Stopped(_("Arrêt demandé : la tâche s'est arrêtée à un point sûr."))

    def wait(self, seconds: float) -> bool:
        """Wait `seconds` or until a stop is asked for; whether one was (a loop's pause)."""
        return self._event.wait(max(0.0, seconds))

    def sleep(self, seconds: float) -> None:
        """Wait `seconds`, or raise `Stopped` as soon as a stop is asked for."""
        if self._event.wait(max(0.0, seconds)):
            self.check()
