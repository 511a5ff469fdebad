"""Sortable, searchable tables on the server side (no script: the CSP forbids inline ones, and a
table must work without any).

A page gives its rows (dicts) and columns; `table_view` reads the table's own query parameters —
`<name>_q` (words to find), `<name>_tri` (a column key), `<name>_ordre` (`asc` or `desc`) — and
returns the rows to show with what the template needs: the links of the column headers (each
keeps the other parameters of the page, so two tables on a page sort independently) and the
`aria-sort` of each header. `templates/_tables.html` renders it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from flask import request, url_for

MAX_QUERY = 100  # characters of a search kept (a longer one is cut, never an error)


@dataclass(frozen=True)
class Column:
    """A column: the row key it sorts on, its header, whether it is a number (sorted as one,
    right-aligned), whether the search looks into it, and the row key it shows when that is
    not the sort key (a month sorted as « 2026-10 », shown as « octobre 2026 »)."""

    key: str
    label: str
    numeric: bool = False
    searched: bool = False
    shown: str | None = None

    @property
    def display(self) -> str:
        """The row key whose value the cell shows."""
        return self.shown or self.key


@dataclass(frozen=True)
class TableView:
    """The rows to show (filtered and sorted) and how the headers link."""

    name: str
    columns: Sequence[Column]
    rows: list[dict]
    total: int
    query: str
    sort: str
    descending: bool

    def sort_link(self, key: str) -> str:
        """The page sorted by `key`: ascending first, or reversed when it is already the sort."""
        args = request.args.to_dict()
        order = "asc" if key != self.sort or self.descending else "desc"
        args.update({f"{self.name}_tri": key, f"{self.name}_ordre": order})
        return url_for(request.endpoint, **(request.view_args or {}), **args, _anchor=self.name)

    def aria_sort(self, key: str) -> str:
        """`ascending`, `descending` or `none`, for the column header."""
        if key != self.sort:
            return "none"
        return "descending" if self.descending else "ascending"

    def hidden_fields(self) -> dict[str, str]:
        """The page's other parameters, kept by the search form of this table."""
        return {key: value for key, value in request.args.items() if key != f"{self.name}_q"}


def folded(text: object) -> str:
    """`text` without case or accents (« Énergie » finds « energie »)."""
    decomposed = unicodedata.normalize("NFKD", str(text)).casefold()
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def table_view(
    name: str,
    rows: list[dict],
    columns: Sequence[Column],
    *,
    default_sort: str,
    default_descending: bool = False,
) -> TableView:
    """Filter `rows` by the table's search words (every word in one of the searched columns) and
    sort them by its column (None last, whichever the order); unknown parameters fall back to
    the defaults, so a hand-edited URL never fails."""
    args = request.args
    query = args.get(f"{name}_q", "").strip()[:MAX_QUERY]
    keys = {column.key: column for column in columns}
    sort = args.get(f"{name}_tri", default_sort)
    if sort not in keys:
        sort = default_sort
    order = args.get(f"{name}_ordre")
    descending = default_descending if order not in ("asc", "desc") else order == "desc"
    shown = rows
    words = folded(query).split()
    if words:
        searched = [
            key for column in columns if column.searched for key in (column.key, column.display)
        ]
        shown = [
            row
            for row in rows
            if all(any(word in folded(row.get(key) or "") for key in searched) for word in words)
        ]
    column = keys[sort]
    present = [row for row in shown if row.get(sort) is not None]
    missing = [row for row in shown if row.get(sort) is None]
    present.sort(
        key=(lambda row: row[sort]) if column.numeric else (lambda row: folded(row[sort])),
        reverse=descending,
    )
    return TableView(name, columns, present + missing, len(rows), query, sort, descending)
