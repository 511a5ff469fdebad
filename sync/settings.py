"""Settings owned by the `sync` package; `cli.py` builds them from campus.toml and the environment."""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("entrepreneur", "appui", "direction")


@dataclass(frozen=True)
class DiscourseSettings:
    """How to reach the forum. `api_key` comes from the environment only and is never printed."""

    url: str
    api_key: str = field(repr=False)
    api_username: str = "system"
    requests_per_minute: int = 60
    timeout: float = 30.0
    max_retries: int = 5
    fallback_wait_seconds: float = 10.0

    def __repr__(self) -> str:  # the key must never reach logs, even through repr()
        return (
            f"DiscourseSettings(url={self.url!r}, api_username={self.api_username!r}, "
            f"requests_per_minute={self.requests_per_minute})"
        )


@dataclass(frozen=True)
class CategorySpec:
    """One category of the template (a cooperative's subcategory or a network category)."""

    name: str
    slug: str
    accepted_answers: bool = False
    color: str = "0088CC"
    # group name -> permission type (1 full, 2 create post, 3 read only); empty = everyone
    permissions: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ForumTemplate:
    """The structure `provision` keeps on the forum (DESIGN §4)."""

    role_groups: dict[str, str] = field(
        default_factory=lambda: {
            "entrepreneur": "entrepreneurs",
            "appui": "equipes-appui",
            "direction": "directions",
        }
    )
    transformers_group: str = "transformers"
    optout_group: str = "campus-optout"
    coop_subcategories: tuple[CategorySpec, ...] = (
        CategorySpec(name="Entraide", slug="entraide", accepted_answers=True),
        CategorySpec(name="Vie de la coopérative", slug="vie"),
    )
    network_categories: tuple[CategorySpec, ...] = (
        CategorySpec(name="Campus", slug="campus", accepted_answers=True, color="25AAE2"),
        CategorySpec(name="Labo QVT", slug="labo-qvt", color="8C6238"),
        CategorySpec(
            name="Direction",
            slug="direction",
            color="BF1E2E",
            permissions={"directions": 1, "staff": 1},
        ),
    )
    default_coop_color: str = "0E76BD"


@dataclass(frozen=True)
class NetworkSettings:
    """Where the network's files are and in which time zone months and nights are cut."""

    cooperatives: str = "cooperatives.csv"
    roster: str = "roster.csv"
    timezone: str = "Europe/Paris"


@dataclass(frozen=True)
class SyncSettings:
    """How the mirror is kept."""

    database_url: str = "sqlite:///campus.db"
    reconcile_days: int = 30
    fetch_likers: bool = False
