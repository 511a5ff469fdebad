"""Settings owned by the `sync` package; `cli.py` builds them from campus.toml and the environment.

Each field's `doc` metadata is the French comment `campus init` writes above it in campus.toml, so
the file always lists every setting with its default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from sync.errors import InputError
from sync.i18n import _, translate

ROLES = ("entrepreneur", "appui", "direction")

MESSAGES = {
    "fr": {
        "bad_value": "[discourse] {key} = {value!r} : un nombre {expected} est attendu.",
        "positive": "strictement positif",
        "non_negative": "positif ou nul",
    },
    "en": {
        "bad_value": "[discourse] {key} = {value!r}: expected a number {expected}.",
        "positive": "> 0",
        "non_negative": ">= 0",
    },
}


def doc(default, text: str, **kwargs):
    """A dataclass field with its default and the comment `campus init` writes for it."""
    if isinstance(default, dict | list):
        return field(
            default_factory=lambda: type(default)(default), metadata={"doc": text}, **kwargs
        )
    return field(default=default, metadata={"doc": text}, **kwargs)


@dataclass(frozen=True)
class DiscourseSettings:
    """How to reach the forum. `api_key` comes from the environment only and is never printed."""

    TITLE: ClassVar[str] = "Le forum Discourse piloté par Campus"

    url: str = doc(
        "https://forum.example.org", "adresse du forum ; CAMPUS_DISCOURSE_URL la remplace"
    )
    api_username: str = doc(
        "system", "utilisateur admin de l'API ; CAMPUS_DISCOURSE_API_USERNAME le remplace"
    )
    requests_per_minute: int = doc(
        60, "budget côté Campus ; la limite admin par défaut de Discourse est 60/min par site"
    )
    timeout: float = doc(30.0, "délai maximal d'une requête, en secondes")
    max_retries: int = doc(5, "nouvelles tentatives sur 502/503/504, délais et coupures réseau")
    fallback_wait_seconds: float = doc(
        10.0, "attente après un 429 qui ne dit pas combien attendre, en secondes"
    )
    api_key: str = field(default="", repr=False, metadata={"secret": True})

    def __post_init__(self) -> None:
        """A negative budget, retry count or wait, or a timeout of 0, is a bad value (exit 2)."""
        for key in ("timeout", "requests_per_minute", "max_retries", "fallback_wait_seconds"):
            value = getattr(self, key)
            expected = "positive" if key == "timeout" else "non_negative"
            if value < 0 or (value == 0 and expected == "positive"):
                expected_text = translate(MESSAGES, expected)
                message = translate(
                    MESSAGES, "bad_value", key=key, value=value, expected=expected_text
                )
                raise InputError(message)


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

    TITLE: ClassVar[str] = "La structure du forum créée par « campus provision »"

    role_groups: dict[str, str] = doc(
        {"entrepreneur": "entrepreneurs", "appui": "equipes-appui", "direction": "directions"},
        "groupe Discourse de chaque rôle",
    )
    transformers_group: str = doc("transformers", "groupe des pairs mobilisés (« transformers »)")
    optout_group: str = doc(
        "campus-optout", "groupe que rejoint un membre pour ne jamais être compté dans les scores"
    )
    default_coop_color: str = doc("0E76BD", "couleur d'une coopérative sans couleur dans le CSV")
    coop_subcategories: tuple[CategorySpec, ...] = doc(
        (
            CategorySpec(name="Entraide", slug="entraide", accepted_answers=True, color=""),
            CategorySpec(name="Vie de la coopérative", slug="vie", color=""),
        ),
        "sous-catégories de chaque coopérative (accepted_answers : réponses acceptées ;"
        " color vide : la couleur de la coopérative)",
    )
    network_categories: tuple[CategorySpec, ...] = doc(
        (
            CategorySpec(name="Campus", slug="campus", accepted_answers=True, color="25AAE2"),
            CategorySpec(name="Labo QVT", slug="labo-qvt", color="8C6238"),
            CategorySpec(
                name="Direction",
                slug="direction",
                color="BF1E2E",
                permissions={"directions": 1, "staff": 1},
            ),
        ),
        "catégories du réseau (permissions vides : tout le monde)",
    )


@dataclass(frozen=True)
class NetworkSettings:
    """Where the network's files are and in which time zone months and nights are cut."""

    TITLE: ClassVar[str] = "Le réseau : fichiers d'entrée et fuseau horaire"

    cooperatives: str = doc("cooperatives.csv", "fichier des coopératives : slug,name,region,color")
    roster: str = doc("roster.csv", "fichier des membres : username,email,cooperative,role")
    timezone: str = doc("Europe/Paris", "fuseau horaire des mois, soirées et week-ends")


@dataclass(frozen=True)
class DatabaseSettings:
    """Where the mirror lives: a SQLite file (default) or `postgresql+psycopg://…`."""

    TITLE: ClassVar[str] = "La base locale, miroir de l'activité du forum"

    url: str = doc(
        "sqlite:///campus.db",
        "base locale (SQLite, ou postgresql+psycopg://…) ; CAMPUS_DATABASE_URL la remplace",
    )


@dataclass(frozen=True)
class SyncSettings:
    """How the mirror is kept."""

    TITLE: ClassVar[str] = "La synchronisation (campus sync)"

    reconcile_days: int = doc(
        30, "jours de relecture des sujets récents (modifications, suppressions, likes, solutions)"
    )
    fetch_likers: bool = doc(
        False, "savoir qui a aimé quoi (une requête par message dont les likes ont changé)"
    )


@dataclass(frozen=True)
class MembersSettings:
    """How `campus members` treats removals (`--prune`)."""

    TITLE: ClassVar[str] = "Les adhésions aux groupes (campus members)"

    confirm_above: int = doc(
        5,
        "au-delà de ce nombre de personnes à retirer, --prune montre la liste et demande"
        " confirmation (--yes pour les scripts)",
    )

    def __post_init__(self) -> None:
        """A negative threshold is a bad value (exit 2)."""
        if self.confirm_above < 0:
            raise InputError(
                _(
                    "[members] confirm_above = {value} : un nombre positif ou nul est attendu.",
                    value=self.confirm_above,
                )
            )
