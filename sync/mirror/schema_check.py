"""What tables and columns a mirror really has, compared with what its schema revision promises.

An Alembic revision id alone is not proof: past merges re-parented revision 0007 without changing
its id, so a mirror created between those merges is stamped 0007 while lacking the tables of the
revisions that were chained before it later (webhook_events, barometer_months…). This module
reads the real schema (tables, columns, and whether a text column is bounded) and compares it
with an expected one: `sync/mirror/schema.py` for the latest revision, or the schema the
migrations themselves build up to an older revision (computed on a scratch in-memory SQLite
database, so it is exactly what each revision wrote).

A shape is `{table: {column: kind}}`, where kind is `text`, `varchar(N)` or `-` (other types:
integers, dates, booleans… whose names differ between SQLite and PostgreSQL and which no
migration has ever changed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy import Connection, MetaData

from core.i18n import _

Shape = dict[str, dict[str, str]]

VERSION_TABLE = "alembic_version"


def column_kind(column_type: sa.types.TypeEngine) -> str:
    """`text`, `varchar(N)` or `-`: the only distinction a migration ever made (0003 widened
    bounded names to TEXT, which PostgreSQL enforces)."""
    if isinstance(column_type, sa.Text):
        return "text"
    if isinstance(column_type, sa.String) and not isinstance(column_type, sa.Enum):
        return "text" if column_type.length is None else f"varchar({column_type.length})"
    return "-"


def metadata_shape(metadata: MetaData) -> Shape:
    """The shape `metadata` declares (the latest revision's, for `schema.Base.metadata`)."""
    return {
        table.name: {column.name: column_kind(column.type) for column in table.columns}
        for table in metadata.sorted_tables
    }


def database_shape(connection: Connection) -> Shape:
    """The shape of the database behind `connection` (its default schema), without
    Alembic's own version table."""
    columns_by_table = sa.inspect(connection).get_multi_columns()  # one query on PostgreSQL
    return {
        table: {column["name"]: column_kind(column["type"]) for column in columns}
        for (_schema, table), columns in columns_by_table.items()
        if table != VERSION_TABLE
    }


@dataclass(frozen=True)
class Fact:
    """One thing a revision made true: a table exists or not, a column exists (with a kind) or
    not. `holds` tells whether a database shape has it."""

    table: str
    column: str | None = None
    kind: str | None = None  # None: the table or column must be absent
    present: bool = True

    def holds(self, shape: Mapping[str, Mapping[str, str]]) -> bool:
        if self.column is None:
            return (self.table in shape) == self.present
        columns = shape.get(self.table, {})
        if not self.present:
            return self.column not in columns
        if self.column not in columns:
            return False
        return self.kind in (None, "-") or columns[self.column] == self.kind

    def describe(self) -> str:
        """The fact in a few words, for messages (names only: no data)."""
        if self.column is None:
            if self.present:
                return f"table {self.table}"
            return _("table {table} (en trop)", table=self.table)
        if not self.present:
            return _("{table}.{column} (en trop)", table=self.table, column=self.column)
        if self.kind and self.kind != "-":
            return f"{self.table}.{self.column} ({self.kind})"
        return f"{self.table}.{self.column}"


@dataclass
class Comparison:
    """What `actual` lacks from `expected`: missing tables, missing columns, and columns of
    another kind. Extra tables and columns are not problems (Campus never reads them)."""

    missing: list[Fact] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing

    def describe(self, limit: int = 8) -> str:
        """The first `limit` problems, comma-separated, with how many more there are."""
        names = [fact.describe() for fact in self.missing]
        shown = ", ".join(names[:limit])
        return shown if len(names) <= limit else f"{shown}… (+{len(names) - limit})"


def facts_of(shape: Shape) -> list[Fact]:
    """Every table and column of `shape` as facts that must hold."""
    facts: list[Fact] = []
    for table, columns in shape.items():
        facts.append(Fact(table))
        facts.extend(Fact(table, name, kind) for name, kind in columns.items())
    return facts


def compare(actual: Shape, expected: Shape) -> Comparison:
    """What `actual` lacks of `expected` (a missing table is one problem, not one per column)."""
    missing: list[Fact] = []
    for fact in facts_of(expected):
        if fact.column is not None and fact.table not in actual:
            continue
        if not fact.holds(actual):
            missing.append(fact)
    return Comparison(missing)


def changes(before: Shape, after: Shape) -> list[Fact]:
    """What a revision that turned `before` into `after` made true."""
    facts: list[Fact] = []
    for table in after.keys() - before.keys():
        facts.append(Fact(table))
        facts.extend(Fact(table, name, kind) for name, kind in after[table].items())
    facts.extend(Fact(table, present=False) for table in before.keys() - after.keys())
    for table in after.keys() & before.keys():
        old, new = before[table], after[table]
        for name, kind in new.items():
            if old.get(name) != kind:
                facts.append(Fact(table, name, kind))
        facts.extend(Fact(table, name, present=False) for name in old.keys() - new.keys())
    return facts
