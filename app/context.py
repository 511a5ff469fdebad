"""The one context every run works in: configuration, mirror, Discourse client, clock.

`cli.py` builds one `Campus` per invocation (and `campus serve` hands the same one to the web
service); every run in `app/` takes it as its first argument. The engine is opened (and its
schema checked) on first use, then shared; "now" always comes from the context's clock, so a
test or a replay can fix it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine

from core.config import Config
from core.errors import InputError
from core.i18n import _
from core.stopping import StopSignal
from core.vocabulary import current_month, month_bounds, shift_month, zone
from sync.discourse.client import DiscourseAPI
from sync.discourse.settings import DiscourseSettings
from sync.forum.inputs import Cooperative
from sync.forum.structure import load_cooperatives
from sync.mirror import db
from sync.mirror import pull as mirror
from sync.settings import DatabaseSettings

DEFAULT_DATABASE_URL = DatabaseSettings().url


def wall_clock() -> datetime:
    """The real time, aware, in UTC (the default clock)."""
    return datetime.now(UTC)


class Campus:
    """Configuration, mirror, Discourse client factory and clock, for one invocation.

    `clock` returns an aware datetime; `client_factory` replaces the default client (built from
    `[discourse]`, refusing without an API key); `engine` hands in an already opened mirror;
    `on_wait` is told of every rate-limit wait of the clients it makes."""

    def __init__(
        self,
        config: Config,
        *,
        clock: Callable[[], datetime] = wall_clock,
        client_factory: Callable[[], DiscourseAPI] | None = None,
        engine: Engine | None = None,
        on_wait: Callable[[float, str], None] | None = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self._client_factory = client_factory
        self._engine = engine
        self._on_wait = on_wait
        self._new_mirror = False
        # asked by the worker's SIGTERM handler; the clients this context opens stop on it
        self.stop = StopSignal()

    def __getitem__(self, section: str):
        """The settings of one campus.toml section (`campus["reports"]`)."""
        return self.config[section]

    # --- time -------------------------------------------------------------------------------

    def now(self) -> datetime:
        """Now, aware, in UTC."""
        return self.clock().astimezone(UTC)

    def today(self) -> date:
        """Today in the network's time zone."""
        return self.now().astimezone(zone(self.timezone)).date()

    def current_month(self) -> str:
        """This month ("YYYY-MM") in the network's time zone."""
        return current_month(self.timezone, self.now())

    def previous_month(self) -> str:
        """Last month ("YYYY-MM") in the network's time zone."""
        return shift_month(self.current_month(), -1)

    def month_or_previous(self, month: str | None) -> str:
        """The month asked for (checked: exit 2 before anything is opened), else last month."""
        if month is not None:
            month_bounds(month, self.timezone)
        return month or self.previous_month()

    def month_or_current(self, month: str | None) -> str:
        """The month asked for (checked: exit 2 if malformed), else this month."""
        if month is None:
            return self.current_month()
        month_bounds(month, self.timezone)
        return month.strip()

    # --- the mirror and the forum -----------------------------------------------------------

    @property
    def engine(self) -> Engine:
        """The mirror, opened (and its schema checked) on first use, then shared by every run."""
        if self._engine is None:
            self.check_mirror_named()
            self._engine = db.connect(self.config.database_url)
        return self._engine

    def allow_new_mirror(self) -> None:
        """This run fills the mirror (`sync`): it may create the database wherever it is."""
        self._new_mirror = True

    def check_mirror_named(self) -> None:
        """Refuse (exit 2) to create a SQLite mirror that nothing named: no campus.toml, no
        CAMPUS_DATABASE_URL, and no database file at the default place. A run that only reads
        the mirror (`report`, `score`, `stats`…) in the wrong folder would otherwise create an
        empty `campus.db` there and report on nothing."""
        if self._new_mirror or self.config.path.exists():
            return
        if self.config["database"].url != DEFAULT_DATABASE_URL:
            return  # CAMPUS_DATABASE_URL names one
        url = self.config.database_url
        if Path(url.removeprefix("sqlite:///")).exists():
            return
        raise InputError(
            _(
                "Aucune base de Campus ici : pas de {config}, pas de CAMPUS_DATABASE_URL, et"
                " {database} n'existe pas (Campus n'en crée pas une vide pour la lire). Lancez"
                " la commande dans le dossier de votre réseau, passez --config"
                " CHEMIN/campus.toml, ou commencez par « campus init » puis « campus sync ».",
                config=self.config.path,
                database=url.removeprefix("sqlite:///"),
            )
        )

    @property
    def database_url(self) -> str:
        """The mirror's URL (a relative SQLite path made absolute)."""
        return self.config.database_url

    def discourse_settings(self) -> DiscourseSettings:
        """The forum settings, refusing to go on without an API key."""
        settings = self.config["discourse"]
        if not settings.api_key:
            raise InputError(
                _(
                    "La clé d'API manque : définissez la variable d'environnement CAMPUS_DISCOURSE_API_KEY (clé admin créée dans Discourse, Admin > API)."
                )
            )
        return settings

    def open_client(self) -> DiscourseAPI:
        """A new Discourse client (each run counts its own requests)."""
        if self._client_factory is not None:
            return self._client_factory()
        return DiscourseAPI(self.discourse_settings(), on_wait=self._on_wait, stop=self.stop)

    # --- values derived from the configuration ----------------------------------------------

    @property
    def timezone(self) -> str:
        """The network's time zone (`[network] timezone`)."""
        return self.config["network"].timezone

    @property
    def forum_url(self) -> str:
        """The forum's URL, what messages link to."""
        return self.config["discourse"].url

    @property
    def barometer_url(self) -> str:
        """The barometer page of the web service, what the announcements link to."""
        return self.config["web"].base_url.rstrip("/") + "/barometre"

    @property
    def reports_dir(self) -> Path:
        """Where reports are written (`[reports] output_dir`)."""
        return self.config.resolve(self.config["reports"].output_dir)

    @property
    def scores_dir(self) -> Path:
        """Where the worker writes scores (animator-facing, apart from the directors' reports)."""
        return self.config.base_dir / "scores"

    @property
    def cooperatives_csv(self) -> Path:
        """cooperatives.csv (read when a run needs it, so an edit applies to the next run)."""
        return self.config.resolve(self.config["network"].cooperatives)

    @property
    def roster_csv(self) -> Path:
        """roster.csv."""
        return self.config.resolve(self.config["network"].roster)

    def cooperatives(self) -> list[Cooperative]:
        """The cooperatives of cooperatives.csv (exit 2 if it is absent or wrong)."""
        return load_cooperatives(self.cooperatives_csv, self.config["template"])

    def cooperative_slugs(self) -> list[str]:
        """The slugs of cooperatives.csv (exit 2 if it is absent or wrong)."""
        return [coop.slug for coop in self.cooperatives()]

    def sync_options(self) -> mirror.SyncOptions:
        """What `sync` and the worker mirror; without cooperatives.csv, no cooperative is known."""
        slugs = self.cooperative_slugs() if self.cooperatives_csv.exists() else []
        return mirror.sync_options(self.config["template"], self.config["sync"], slugs)
