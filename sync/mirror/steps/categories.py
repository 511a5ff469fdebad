"""Step 2, categories: `/site.json` (flat list with subcategories and Solved's custom field),
one request, and the group permissions of the read-restricted categories where the listing
lacks them (`/c/{id}/show.json`, once per category, again with `--full`)."""

from __future__ import annotations

from core.i18n import _
from sync.mirror import db, records, store
from sync.mirror.steps.run import Run


def sync_categories(run: Run) -> None:
    """Replace the mirrored categories and their known permissions by the forum's."""
    listed = run.api.all_categories()
    rows = [records.category_row(category) for category in listed]
    permissions = _category_permissions(run, listed)
    with run.engine.begin() as conn:
        store.replace_categories(conn, rows, permissions)
    run.say(
        _(
            "Catégories : {categories} ({requests} requêtes).",
            requests=run.requests_so_far,
            categories=len(rows),
        )
    )


def _category_permissions(run: Run, listed: list[dict]) -> dict[int, list[dict]]:
    """Group permissions per category (who may read it: relay and digest need them).

    `/site.json` lists them in the sandbox; real Discourse does not, and then a
    read-restricted category is read once through `/c/{id}/show.json` (again on `--full`);
    a category open to everyone needs no request (`everyone` is written)."""
    with db.reader(run.engine).connect() as conn:
        known = store.categories_with_permissions(conn)
    result: dict[int, list[dict]] = {}
    for category in listed:
        rows = records.category_permission_rows(category)
        if rows is None and not category.get("read_restricted"):
            rows = [{"category_id": category["id"], "group_name": "everyone", "permission_type": 1}]
        elif rows is None and (run.full or category["id"] not in known):
            detail = run.api.category(category["id"]).get("category") or {}
            rows = records.category_permission_rows({**detail, "id": category["id"]}) or []
        if rows is not None:
            result[category["id"]] = rows
    return result
