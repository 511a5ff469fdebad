"""The Data Explorer plugin: its list of saved queries (the defaults only)."""

from __future__ import annotations

from sandbox.api.common import Controller
from sandbox.routing import Request, Router

EXPLORER_QUERIES = (
    (-1, "Most Common Likers", "Which users like particular other users the most?"),
    (
        -2,
        "Who has been sending the most messages in the last week?",
        "tracking private message activity",
    ),
    (
        -4,
        "Poll results report",
        "Details of a poll result, including details about each vote and voter.",
    ),
)


class DataExplorerController(Controller):
    """`/admin/plugins/explorer/queries.json`: Data Explorer's default queries."""

    def register(self, router: Router) -> None:
        """Add this controller's routes to `router`."""
        add = router.add
        add("GET", "/admin/plugins/explorer/queries.json", self.explorer_queries)

    def explorer_queries(self, request: Request) -> tuple[int, object]:
        return 200, {
            "queries": [
                {
                    "id": query_id,
                    "name": name,
                    "description": description,
                    "username": "system",
                    "group_ids": [],
                    "last_run_at": None,
                    "hidden": False,
                    "user_id": -1,
                }
                for query_id, name, description in EXPLORER_QUERIES
            ]
        }
