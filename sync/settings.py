"""Settings owned by the `sync` package; `cli.py` builds them from campus.toml and the environment.

Each field's `doc` metadata is the French comment `campus init` writes above it in campus.toml, so
the file always lists every setting with its default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from core.errors import InputError
from core.i18n import _
from core.settings import NON_NEGATIVE, Bounds, Section, doc
from core.vocabulary import ROLES

DATABASE_DRIVERS = ("sqlite", "sqlite+pysqlite", "postgresql+psycopg")
CATEGORY_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
HEX_COLOR = re.compile(r"[0-9a-fA-F]{6}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class CategorySpec:
    """One category of the template (a cooperative's subcategory or a network category)."""

    name: str
    slug: str
    accepted_answers: bool = False
    color: str = "0088CC"
    # group name -> permission type (1 full, 2 create post, 3 read only); empty = everyone
    permissions: dict[str, int] = field(default_factory=dict)

    def problem(self) -> str | None:
        """What makes this category unusable on Discourse (in the user's words), or None."""
        if not self.name.strip() or _CONTROL.search(self.name):
            return _("name vide ou avec un caractère de contrôle (donnez un nom, ex. « Entraide »)")
        if not CATEGORY_SLUG.fullmatch(self.slug):
            return _(
                "slug « {slug} » invalide (lettres minuscules sans accent, chiffres et tirets, "
                "ex. « entraide »)",
                slug=self.slug,
            )
        if self.color and not HEX_COLOR.fullmatch(self.color):
            return _(
                "color « {color} » invalide (6 chiffres hexadécimaux, ex. 25AAE2, ou vide)",
                color=self.color,
            )
        bad = [group for group, kind in self.permissions.items() if kind not in (1, 2, 3)]
        if bad:
            return _(
                "permissions de {groups} invalides (1 : complète, 2 : répondre et créer, "
                "3 : lecture seule)",
                groups=", ".join(bad),
            )
        return None


@dataclass(frozen=True)
class ForumTemplate(Section):
    """The structure `provision` keeps on the forum (DESIGN §4)."""

    SECTION: ClassVar[str] = "template"
    TITLE: ClassVar[str] = "La structure du forum créée par « campus provision »"

    role_groups: dict[str, str] = doc(
        {"entrepreneur": "entrepreneurs", "appui": "equipes-appui", "direction": "directions"},
        "groupe Discourse de chaque rôle",
    )
    transformers_group: str = doc("transformers", "groupe des pairs mobilisés (« transformers »)")
    optout_group: str = doc(
        "campus-optout", "groupe que rejoint un membre pour ne jamais être compté dans les scores"
    )
    relay_group: str = doc(
        "campus-relais",
        "groupe des volontaires à qui « campus relay » suggère des questions sans réponse",
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
    adopt_existing: bool = doc(
        False,
        "forum existant : garder tels quels les réglages que les membres utilisent (réponses"
        " acceptées, permissions, noms) au lieu de demander s'il faut les changer",
    )

    def check(self) -> None:
        """Refuse at load (exit 2) a template `provision` could not finish: a role without its
        group, or a category without a name, with a bad slug, colour or permission."""
        missing = [role for role in ROLES if not self.role_groups.get(role)]
        unknown = [role for role in self.role_groups if role not in ROLES]
        if missing or unknown:
            raise InputError(
                _(
                    "[template] role_groups : il faut un groupe pour chaque rôle ({roles}) et "
                    "rien d'autre ; manquant : {missing} ; inconnu : {unknown}.",
                    roles=", ".join(ROLES),
                    missing=", ".join(missing) or "—",
                    unknown=", ".join(unknown) or "—",
                )
            )
        for section, specs in (
            ("coop_subcategories", self.coop_subcategories),
            ("network_categories", self.network_categories),
        ):
            for index, spec in enumerate(specs):
                problem = spec.problem()
                if problem:
                    raise InputError(
                        _(
                            "[[template.{section}]] n° {number} : {problem}",
                            section=section,
                            number=index + 1,
                            problem=problem,
                        )
                    )


@dataclass(frozen=True)
class NetworkSettings(Section):
    """Where the network's files are and in which time zone months and nights are cut."""

    SECTION: ClassVar[str] = "network"
    TITLE: ClassVar[str] = "Le réseau : fichiers d'entrée et fuseau horaire"

    cooperatives: str = doc("cooperatives.csv", "fichier des coopératives : slug,name,region,color")
    roster: str = doc("roster.csv", "fichier des membres : username,email,cooperative,role")
    timezone: str = doc("Europe/Paris", "fuseau horaire des mois, soirées et week-ends")

    def check(self) -> None:
        """An unknown time zone is refused at load by every command (exit 2)."""
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InputError(
                _(
                    "[network] timezone : fuseau horaire « {tz} » inconnu ; indiquez un nom IANA "
                    "(ex. Europe/Paris, America/Cayenne).",
                    tz=self.timezone,
                )
            ) from None


@dataclass(frozen=True)
class DatabaseSettings(Section):
    """Where the mirror lives: a SQLite file (default) or `postgresql+psycopg://…`."""

    SECTION: ClassVar[str] = "database"
    TITLE: ClassVar[str] = "La base locale, miroir de l'activité du forum"

    url: str = doc(
        "sqlite:///campus.db",
        "base locale (SQLite, ou postgresql+psycopg://…) ; CAMPUS_DATABASE_URL la remplace",
        env="CAMPUS_DATABASE_URL",
    )

    def check(self) -> None:
        """Only a SQLite file or PostgreSQL through psycopg is supported (exit 2 otherwise)."""
        try:
            driver = make_url(self.url).drivername
        except ArgumentError:
            driver = None
        if driver not in DATABASE_DRIVERS:
            raise InputError(
                _(
                    "[database] url = {url!r} : base non prise en charge. Attendu : "
                    "sqlite:///campus.db (un fichier) ou postgresql+psycopg://utilisateur@hôte/base"
                    " ; CAMPUS_DATABASE_URL la remplace si elle est définie.",
                    url=self.url,
                )
            )


@dataclass(frozen=True)
class SyncSettings(Section):
    """How the mirror is kept."""

    SECTION: ClassVar[str] = "sync"
    TITLE: ClassVar[str] = "La synchronisation (campus sync)"

    reconcile_days: int = doc(
        30,
        "jours de relecture des sujets récents (modifications, suppressions, likes, solutions)",
        bounds=NON_NEGATIVE,
    )
    fetch_likers: bool = doc(
        False, "savoir qui a aimé quoi (une requête par message dont les likes ont changé)"
    )


@dataclass(frozen=True)
class MembersSettings(Section):
    """How `campus members` treats removals (`--prune`)."""

    SECTION: ClassVar[str] = "members"
    TITLE: ClassVar[str] = "Les adhésions aux groupes (campus members)"

    confirm_above: int = doc(
        5,
        "au-delà de ce nombre de personnes à retirer, --prune montre la liste et demande"
        " confirmation (--yes pour les scripts)",
        bounds=NON_NEGATIVE,
    )


@dataclass(frozen=True)
class WorkerSettings(Section):
    """When `campus worker` runs its weekly full reconciliation (DESIGN §9)."""

    SECTION: ClassVar[str] = "worker"
    TITLE: ClassVar[str] = "Le travail planifié (campus worker)"

    full_sync_weekday: int = doc(
        6,
        "jour de la relecture complète hebdomadaire (sync --full) : 0 lundi … 6 dimanche ;"
        " elle rattrape modifications et suppressions dans les sujets calmes",
        bounds=Bounds(0, 6),
    )
    full_sync_hour: int = doc(
        3,
        "heure locale (fuseau de [network]) à partir de laquelle elle part, la nuit",
        bounds=Bounds(0, 23),
    )
    alert_group: str = doc(
        "admins",
        "groupe Discourse des animateurs prévenu par message privé quand une tâche échoue, puis"
        " quand elle réussit de nouveau (vide : seulement le journal) ; le groupe doit accepter"
        " les messages (Admin > Groupes > Interaction)",
    )
