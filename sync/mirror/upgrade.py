"""The mirror's schema: created at the latest revision when new, checked on every opening, upgraded
only by `campus migrate` (DESIGN §9), repaired when a past merge left it stamped but incomplete.

- `open_mirror(url)` (what `db.connect` does for every command): a new, empty database gets the
  whole schema at once, by one process even if several start together (a lock they queue on: a
  file lock on SQLite, an advisory lock on PostgreSQL); a database at the latest revision whose
  tables and columns are what `schema.py` declares opens; anything else is refused with what to
  do — an older schema points to `campus migrate`, a newer one (written by a later version) is
  never touched, since Campus never downgrades.
- `upgrade_mirror(...)` (what `campus migrate` does): under the same lock, compares the real
  tables with what the stamped revision promises, re-applies the revisions a past re-chaining
  skipped (see below), then applies the pending ones, all in one transaction, after the caller's
  `before_change` (the backup) and telling each step.

Why a stamp can lie: merges re-parented revision 0007 (relay and digest) three times without
changing its id (0002 → 0007, then 0004 → 0007, 0005 → 0007, finally 0006 → 0007). A mirror
created by main between those merges is stamped 0007 but lacks what the revisions chained in
before it later add (0003's wide names, 0004's login_nonces, 0005's webhook_events, 0006's
barometer tables). Each revision's effect is known exactly by running the migrations on a scratch
in-memory SQLite database; a revision whose effect is wholly absent is applied again, one whose
effect is half there is refused (nothing is guessed).
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, text

from core.errors import InputError
from core.i18n import _
from sync.mirror import schema_check
from sync.mirror.lock import acquire_lock
from sync.mirror.schema import Base

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
LOCK_NAME = "migrate"
LOCK_WAIT_SECONDS = 600  # a process queues this long behind another one creating or upgrading

NEW, CURRENT, OUTDATED, INCOMPLETE, NEWER, FOREIGN = (
    "new",
    "current",
    "outdated",
    "incomplete",
    "newer",
    "foreign",
)


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for the mirror's migrations, on `connection` if given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@functools.cache
def revisions() -> tuple[str, ...]:
    """The revision ids of the migration chain, oldest first (one line, one head)."""
    scripts = ScriptDirectory.from_config(alembic_config())
    return tuple(reversed([script.revision for script in scripts.walk_revisions()]))


def head() -> str:
    """The latest revision: the one this version of Campus works with."""
    return revisions()[-1]


def revision_names() -> dict[str, str]:
    """Each revision's file name without `.py` (`0005_webhook_events`), for what Campus says."""
    scripts = ScriptDirectory.from_config(alembic_config())
    return {script.revision: Path(script.path).stem for script in scripts.walk_revisions()}


@functools.cache
def revision_shapes() -> dict[str, schema_check.Shape]:
    """The shape of the schema after each revision, as the migrations build it (on a scratch
    in-memory SQLite database); "" is the empty database before the first."""
    shapes: dict[str, schema_check.Shape] = {"": {}}
    scratch = create_engine("sqlite://")
    try:
        with _quiet_alembic(), scratch.begin() as connection:
            config = alembic_config(connection)
            for revision in revisions():
                command.upgrade(config, revision)
                shapes[revision] = schema_check.database_shape(connection)
    finally:
        scratch.dispose()
    return shapes


def expected_shape() -> schema_check.Shape:
    """What the latest revision's tables and columns are, as `schema.py` declares them."""
    return schema_check.metadata_shape(Base.metadata)


@dataclass
class SchemaStatus:
    """Where a database stands: `state` is one of new, current, outdated, incomplete (stamped
    with the latest revision but lacking some of its tables or columns), newer (a revision this
    version does not know) or foreign (tables but no Campus revision)."""

    database: str
    state: str
    stored: str | None
    head: str
    lacking: schema_check.Comparison = field(default_factory=schema_check.Comparison)


def display_url(engine: Engine) -> str:
    """The database's URL with any password hidden, for messages."""
    return engine.url.render_as_string(hide_password=True)


def stored_revisions(connection: Connection) -> list[str] | None:
    """The revisions recorded in the database, or None without a version table."""
    if not connection.dialect.has_table(connection, schema_check.VERSION_TABLE):
        return None
    rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
    return sorted(rows)


def _reading(engine: Engine) -> Engine:
    """`engine` for reading only (`db.reader`: on SQLite, no write lock taken to look)."""
    from sync.mirror.db import reader  # db imports this module, so not at the top

    return reader(engine)


def status_of(engine: Engine) -> SchemaStatus:
    """Read the database's revision and tables and say where it stands."""
    with _reading(engine).connect() as connection:
        stored = stored_revisions(connection)
        actual = schema_check.database_shape(connection)
    return _status(display_url(engine), stored, actual)


def _status(database: str, stored: list[str] | None, actual: schema_check.Shape) -> SchemaStatus:
    latest = head()
    if not stored:
        state = NEW if not actual else FOREIGN
        return SchemaStatus(database, state, None, latest)
    label = ", ".join(stored)
    if len(stored) > 1 or stored[0] not in revisions():
        return SchemaStatus(database, NEWER, label, latest)
    if stored[0] != latest:
        return SchemaStatus(database, OUTDATED, label, latest)
    lacking = schema_check.compare(actual, expected_shape())
    return SchemaStatus(database, CURRENT if lacking.ok else INCOMPLETE, label, latest, lacking)


def refusal(status: SchemaStatus) -> InputError:
    """The clear message for a database a command cannot work on as it is."""
    if status.state == OUTDATED:
        return InputError(
            _(
                "La base {database} est au schéma {stored} ; cette version de Campus attend le"
                " schéma {head}. Mettez-la à jour avec « campus migrate » (il en fait d'abord une"
                " sauvegarde), puis relancez la commande. Rien n'a été modifié.",
                database=status.database,
                stored=status.stored,
                head=status.head,
            )
        )
    if status.state == INCOMPLETE:
        return InputError(
            _(
                "La base {database} se dit au schéma {stored} mais il lui manque : {lacking}."
                " « campus migrate » la répare (après une sauvegarde) : lancez-le, puis relancez"
                " la commande. Rien n'a été modifié.",
                database=status.database,
                stored=status.stored,
                lacking=status.lacking.describe(),
            )
        )
    if status.state == NEWER:
        return InputError(
            _(
                "La base {database} porte un schéma ({revision}) que cette version de Campus ne"
                " connaît pas : elle a été écrite par une version plus récente de Campus (ou"
                " par une autre branche). Campus ne ramène jamais une base à un schéma antérieur : utilisez la"
                " version qui l'a écrite, ou restaurez la sauvegarde faite avant sa mise à jour"
                " (docs/exploitation.md). Rien n'a été modifié.",
                database=status.database,
                revision=status.stored,
            )
        )
    return InputError(
        _(
            "La base {database} contient des tables mais aucune version de schéma de Campus :"
            " ce n'est pas une base de Campus. Indiquez la bonne base, ou une base neuve"
            " (CAMPUS_DATABASE_URL). Rien n'a été modifié.",
            database=status.database,
        )
    )


def open_mirror(engine: Engine) -> None:
    """Make `engine` usable by a command, or refuse: a new database is created at the latest
    revision (once, even if several processes start together); one at the latest revision with
    all its tables opens as it is; anything else raises the `refusal`."""
    status = status_of(engine)
    if status.state == NEW:
        with acquire_lock(engine.url.render_as_string(False), LOCK_NAME, wait=LOCK_WAIT_SECONDS):
            status = status_of(engine)  # another process may have created it meanwhile
            if status.state == NEW:
                _create(engine)
                status = status_of(engine)
    if status.state != CURRENT:
        raise refusal(status)


def _create(engine: Engine) -> None:
    with _quiet_alembic(), engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    log.info(_("Base neuve : schéma créé à la version {head}.", head=head()))


@contextlib.contextmanager
def _quiet_alembic() -> Iterator[None]:
    """Alembic logs two lines of context and one per revision at INFO; Campus says what it
    did in its own words instead (one line for a new database, one per step for migrate)."""
    logger = logging.getLogger("alembic")
    level = logger.level
    logger.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(level)


@dataclass
class UpgradePlan:
    """What `campus migrate` will do: revisions to apply again (skipped by a re-chaining), then
    the pending revisions, from `stored` to `head`."""

    status: SchemaStatus
    repairs: list[str]
    steps: list[str]


@dataclass
class UpgradeOutcome:
    """What `campus migrate` did: the revision before and after, what it repaired and applied."""

    before: str | None
    after: str
    created: bool = False
    repaired: list[str] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)


def plan_upgrade(engine: Engine) -> UpgradePlan:
    """Compare the real tables with what the stamped revision promises and plan the upgrade;
    refuse a database that is newer, foreign, or half-way through a revision."""
    with _reading(engine).connect() as connection:
        stored = stored_revisions(connection)
        actual = schema_check.database_shape(connection)
    status = _status(display_url(engine), stored, actual)
    if status.state in (NEWER, FOREIGN):
        raise refusal(status)
    if status.state == NEW:
        return UpgradePlan(status, [], [])
    chain = list(revisions())
    at = chain.index(status.stored)
    return UpgradePlan(status, _repairs(status, actual, chain[: at + 1]), chain[at + 1 :])


def _repairs(status: SchemaStatus, actual: schema_check.Shape, applied: list[str]) -> list[str]:
    """The revisions up to the stamped one whose effect is wholly absent from `actual`."""
    shapes = revision_shapes()
    promised = shapes[applied[-1]]
    if schema_check.compare(actual, promised).ok:
        return []
    repairs = []
    previous = ""
    for revision in applied:
        facts = [
            fact
            for fact in schema_check.changes(shapes[previous], shapes[revision])
            if fact.holds(promised)  # what a later revision undid is not expected any more
        ]
        previous = revision
        there = [fact.holds(actual) for fact in facts]
        if all(there):
            continue
        if any(there) or revision == applied[0]:
            raise InputError(
                _(
                    "La base {database} se dit au schéma {stored} mais l'étape {revision} n'y est"
                    " pas comme elle l'a écrite ({lacking} manque) : Campus ne devine pas la suite et ne modifie"
                    " rien. Restaurez la dernière sauvegarde (docs/exploitation.md), ou repartez"
                    " d'une base neuve puis « campus sync --full ».",
                    database=status.database,
                    stored=status.stored,
                    revision=revision,
                    lacking=", ".join(
                        f.describe() for f, ok in zip(facts, there, strict=True) if not ok
                    ),
                )
            )
        repairs.append(revision)
    return repairs


def upgrade_mirror(
    engine: Engine,
    *,
    before_change: Callable[[SchemaStatus], None] = lambda status: None,
    report: Callable[[str], None] = lambda line: None,
) -> UpgradeOutcome:
    """Bring the mirror to the latest revision, once even if several processes ask together.

    Under the migration lock: plan; if nothing is to be done, say so; else call `before_change`
    (the backup), then repair and upgrade in one transaction (all or nothing), telling `report`
    each step, and check the result against `schema.py` before committing."""
    url = engine.url.render_as_string(False)
    with acquire_lock(url, LOCK_NAME, wait=LOCK_WAIT_SECONDS):
        plan = plan_upgrade(engine)
        status = plan.status
        if status.state == NEW:
            _create(engine)
            report(_("Base neuve : schéma créé à la version {head}.", head=status.head))
            return UpgradeOutcome(None, status.head, created=True)
        if not plan.repairs and not plan.steps:
            report(_("La base est déjà au schéma {head} : rien à faire.", head=status.head))
            return UpgradeOutcome(status.stored, status.head)
        report(
            _(
                "Base {database} : schéma {stored}, cette version attend {head}.",
                database=status.database,
                stored=status.stored,
                head=status.head,
            )
        )
        before_change(status)
        names = revision_names()
        with _quiet_alembic(), _upgrade_transaction(engine, status) as connection:
            _apply_repairs(connection, plan, names, report)
            config = alembic_config(connection)
            for revision in plan.steps:
                command.upgrade(config, revision)
                report(_("Étape {name} appliquée.", name=names[revision]))
            lacking = schema_check.compare(
                schema_check.database_shape(connection), expected_shape()
            )
            if not lacking.ok:  # raising rolls everything back
                raise InputError(
                    _(
                        "Après la mise à jour, il manque encore à la base {database} : {lacking}."
                        " Rien n'a été modifié ; signalez-le avec cette sortie.",
                        database=status.database,
                        lacking=lacking.describe(),
                    )
                )
        report(_("Schéma à jour : {head}.", head=status.head))
        return UpgradeOutcome(status.stored, status.head, repaired=plan.repairs, applied=plan.steps)


@contextlib.contextmanager
def _upgrade_transaction(engine: Engine, status: SchemaStatus) -> Iterator[Connection]:
    """One transaction for the whole upgrade. On SQLite, foreign keys are off during it: a batch
    migration re-creates a table (copy, drop, rename), and dropping a parent table with foreign
    keys on would delete the rows that refer to it (0003 re-creating `groups` emptied
    `group_memberships`, ON DELETE CASCADE); they are checked before committing instead."""
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw = connection.connection.dbapi_connection
        if sqlite:  # before the transaction: SQLite ignores this pragma inside one
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                yield connection
                broken = (
                    connection.exec_driver_sql("PRAGMA foreign_key_check").all() if sqlite else []
                )
                if broken:  # raising rolls everything back
                    raise InputError(
                        _(
                            "Après la mise à jour, des lignes de {tables} de la base {database}"
                            " renvoient à des lignes absentes. Rien n'a été modifié ; signalez-le"
                            " avec cette sortie.",
                            tables=", ".join(sorted({row[0] for row in broken})),
                            database=status.database,
                        )
                    )
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys=ON")


def _apply_repairs(
    connection: Connection, plan: UpgradePlan, names: dict[str, str], report: Callable[[str], None]
) -> None:
    """Apply again each revision a re-chaining skipped (stamp the database just before it,
    upgrade by that one revision), then stamp it back and check it now has what it claims."""
    if not plan.repairs:
        return
    chain = list(revisions())
    config = alembic_config(connection)
    report(
        _(
            "La base se dit au schéma {stored} mais les étapes {repairs} n'y ont jamais été"
            " appliquées (une ancienne fusion les avait placées avant elle) : elles le sont"
            " maintenant.",
            stored=plan.status.stored,
            repairs=", ".join(plan.repairs),
        )
    )
    for revision in plan.repairs:
        _stamp(connection, chain[chain.index(revision) - 1])
        command.upgrade(config, revision)
        report(_("Étape {name} appliquée (réparation).", name=names[revision]))
    _stamp(connection, plan.status.stored)
    lacking = schema_check.compare(
        schema_check.database_shape(connection), revision_shapes()[plan.status.stored]
    )
    if not lacking.ok:
        raise InputError(
            _(
                "La base {database} se dit au schéma {stored} ; même réparée, il lui manque :"
                " {lacking}. Rien n'a été modifié. Restaurez la dernière sauvegarde"
                " (docs/exploitation.md), ou repartez d'une base neuve puis « campus sync --full ».",
                database=plan.status.database,
                stored=plan.status.stored,
                lacking=lacking.describe(),
            )
        )


def _stamp(connection: Connection, revision: str) -> None:
    connection.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
