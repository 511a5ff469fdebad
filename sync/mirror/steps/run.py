"""What the steps of one sync share: the database, the client, the options, the counters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from sync.discourse.client import DiscourseAPI
from sync.mirror.store import Tally

if TYPE_CHECKING:  # defined by the orchestrator, which imports the steps
    from sync.mirror.pull import SyncOptions

Progress = Callable[[str], None]


@dataclass
class Run:
    """One sync run as the steps see it.

    `tally` counts what the store's writers changed; `topics`, `groups_refreshed` and
    `topics_reread` are the steps' own counts. The groups step leaves for the users step the
    groups it listed, the members it read, and whether it read every non-automatic group.
    """

    engine: Engine
    api: DiscourseAPI
    options: SyncOptions
    full: bool
    progress: Progress | None
    clock: Callable[[], datetime]
    requests_at_start: int = 0
    tally: Tally = field(default_factory=Tally)
    topics: int = 0
    groups_refreshed: int = 0
    topics_reread: int = 0
    listed_groups: list[dict] = field(default_factory=list)
    members_read: dict[int, dict] = field(default_factory=dict)  # users rows of members read
    every_group_read: bool = False  # every non-automatic group with members read this run

    @property
    def requests_so_far(self) -> int:
        """Requests this sync has sent so far (progress lines say it)."""
        return self.api.total_requests - self.requests_at_start

    def say(self, line: str) -> None:
        """Show a progress line (already in the user's language) when progress is wanted."""
        if self.progress is not None:
            self.progress(line)
