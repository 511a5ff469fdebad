"""`campus provision`: the forum's groups and categories, from cooperatives.csv and the template."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.context import Campus
from core.progress import Progress
from sync.forum import structure, structure_text


@dataclass(frozen=True)
class ProvisionRun:
    """A provision run: its plan and the requests it made."""

    plan: structure.Plan
    dry_run: bool
    requests: int
    writes: int

    def as_json(self) -> dict:
        """The `provision --json` body (DESIGN §3)."""
        return structure_text.plan_json(
            self.plan, dry_run=self.dry_run, requests=self.requests, writes=self.writes
        )

    def describe(self, *, adopt_existing: bool, verbose: bool) -> str:
        """The plan (unchanged lines with `verbose`) and what the run did."""
        return (
            structure_text.format_plan(self.plan, show_unchanged=verbose)
            + "\n"
            + structure_text.describe_run(
                self.plan,
                dry_run=self.dry_run,
                adopt_existing=adopt_existing,
                requests=self.requests,
                writes=self.writes,
            )
        )


def run(
    campus: Campus,
    *,
    dry_run: bool = False,
    check_permissions: bool = False,
    confirm: Callable[[structure.Plan], bool] | None = None,
    progress: Progress | None = None,
) -> ProvisionRun:
    """Read the forum, plan, and apply (unless `dry_run`); sensitive changes only if `confirm`."""
    cooperatives = campus.cooperatives()
    client = campus.open_client()
    plan = structure.run_provision(
        client,
        cooperatives,
        campus["template"],
        dry_run=dry_run,
        check_permissions=check_permissions,
        progress=progress.line if progress else None,
        confirm=confirm,
        steps=progress.step if progress else None,
    )
    return ProvisionRun(plan, dry_run, client.total_requests, client.write_requests)
