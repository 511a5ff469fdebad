"""Everything a view needs, built once by `cli.py` (the composition root) and handed to the app.

Views read it with `current_services()`; it lives in `app.extensions["campus"]`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import Engine

from analytics.settings import ScoreWeights
from sync.discourse.client import DiscourseAPI
from sync.forum.pulse import PulseSettings
from web.settings import WebSettings


@dataclass(frozen=True)
class GroupNames:
    """The Discourse group names Campus gives a meaning to (from the forum template).

    `cooperatives` maps each cooperative's slug (its group name) to its display name.
    """

    role_groups: dict[str, str] = field(
        default_factory=lambda: {
            "entrepreneur": "entrepreneurs",
            "appui": "equipes-appui",
            "direction": "directions",
        }
    )
    optout: str = "campus-optout"
    transformers: str = "transformers"
    cooperatives: dict[str, str] = field(default_factory=dict)

    @property
    def directions(self) -> str:
        """The group of the cooperatives' directors."""
        return self.role_groups.get("direction", "directions")

    def cooperatives_of(self, groups: Iterable[str]) -> list[str]:
        """The cooperative slugs among `groups` (a member's Discourse groups), sorted."""
        return sorted(name for name in groups if name in self.cooperatives)

    def role_of(self, groups: Iterable[str]) -> str | None:
        """The member's role from their role groups (direction over appui over entrepreneur)."""
        names = set(groups)
        for role in ("direction", "appui", "entrepreneur"):
            if self.role_groups.get(role) in names:
                return role
        return None


@dataclass
class Services:
    """The mirror, the settings and the secrets of the web service (secrets never printed)."""

    engine: Engine
    web: WebSettings
    web_secret: str = field(repr=False)
    connect_secret: str = field(repr=False)
    webhook_secret: str = field(repr=False)
    discourse_url: str
    client_factory: Callable[[], DiscourseAPI]
    timezone: str
    min_group_size: int
    reports_dir: Path
    groups: GroupNames
    score: ScoreWeights = field(default_factory=ScoreWeights)
    pulse: PulseSettings = field(default_factory=PulseSettings)

    @property
    def forum_root(self) -> str:
        """The forum's public URL without a trailing slash."""
        return self.discourse_url.rstrip("/")


def current_services() -> Services:
    """The `Services` of the application handling the current request."""
    return current_app.extensions["campus"]
