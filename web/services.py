"""Everything a view needs: the `Campus` context `cli.py` built for this invocation, and the web
service's own settings, secrets and group names.

Views read it with `current_services()`; it lives in `app.extensions["campus"]`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import Engine

from analytics.settings import ScoreWeights
from app.context import Campus
from core.errors import InputError
from core.secrets import read_secret
from sync.discourse.client import DiscourseAPI
from sync.forum.barometer_topics import PulseSettings
from web.settings import WebSettings
from web.web_checks import secret_hint, secret_problem


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


# Services field -> environment variable; secrets never come from campus.toml
WEB_SECRETS = {
    "web_secret": "CAMPUS_WEB_SECRET",
    "connect_secret": "CAMPUS_DISCOURSE_CONNECT_SECRET",
    "webhook_secret": "CAMPUS_WEBHOOK_SECRET",
}


def web_secrets(environ: Mapping[str, str]) -> dict[str, str]:
    """The web service's three secrets from the environment, trimmed like every secret (exit 2
    naming each missing or refused one)."""
    problems = [
        problem
        for variable in WEB_SECRETS.values()
        if (problem := secret_problem(variable, environ.get(variable, "")))
    ]
    if problems:
        raise InputError("\n".join([*problems, secret_hint()]))
    return {
        field_name: read_secret(environ, variable) for field_name, variable in WEB_SECRETS.items()
    }


@dataclass
class Services:
    """The `Campus` context (mirror, client, settings) plus what only the web service has:
    its settings, its secrets (never printed) and the meaning of the forum's groups."""

    campus: Campus
    web: WebSettings
    web_secret: str = field(repr=False)
    connect_secret: str = field(repr=False)
    webhook_secret: str = field(repr=False)
    groups: GroupNames = field(default_factory=GroupNames)

    @classmethod
    def from_campus(cls, campus: Campus, environ: Mapping[str, str]) -> Services:
        """Everything the web application needs, from the context and the environment; the
        mirror is opened (and its schema checked) now, before anything is served."""
        secrets = web_secrets(environ)
        campus.discourse_settings()  # the opt-out of « Mes données » writes through the API
        template = campus["template"]
        cooperatives = (
            {coop.slug: coop.name for coop in campus.cooperatives()}
            if campus.cooperatives_csv.exists()
            else {}
        )
        campus.engine  # noqa: B018 - open the mirror before serving
        return cls(
            campus=campus,
            web=campus["web"],
            groups=GroupNames(
                role_groups=dict(template.role_groups),
                optout=template.optout_group,
                transformers=template.transformers_group,
                cooperatives=cooperatives,
            ),
            **secrets,
        )

    @property
    def engine(self) -> Engine:
        """The mirror (the context's)."""
        return self.campus.engine

    @property
    def client_factory(self) -> Callable[[], DiscourseAPI]:
        """Makes a Discourse client (the context's)."""
        return self.campus.open_client

    @property
    def discourse_url(self) -> str:
        """The forum's URL."""
        return self.campus.forum_url

    @property
    def forum_root(self) -> str:
        """The forum's public URL without a trailing slash."""
        return self.discourse_url.rstrip("/")

    @property
    def timezone(self) -> str:
        """The network's time zone."""
        return self.campus.timezone

    @property
    def min_group_size(self) -> int:
        """No figure about fewer people than this is shown."""
        return self.campus["reports"].min_group_size

    @property
    def reports_dir(self) -> Path:
        """Where the reports the pages show are written."""
        return self.campus.reports_dir

    @property
    def score(self) -> ScoreWeights:
        """The score's weights (« Mes données » explains a member's own score)."""
        return self.campus["score"]

    @property
    def pulse(self) -> PulseSettings:
        """The barometer's settings."""
        return self.campus["pulse"]


def current_services() -> Services:
    """The `Services` of the application handling the current request."""
    return current_app.extensions["campus"]
