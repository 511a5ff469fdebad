"""`campus members`: roster.csv → each member in their cooperative's group and role group."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.context import Campus
from core.progress import Progress
from sync.forum import memberships as roster_sync
from sync.forum.inputs import read_roster


@dataclass(frozen=True)
class MembersRun:
    """A members run: its plan, what it did, and the requests it made."""

    plan: roster_sync.MembersPlan
    result: roster_sync.MembersResult
    dry_run: bool
    requests: int
    writes: int

    def as_json(self) -> dict:
        """The `members --json` body (DESIGN §3)."""
        return roster_sync.members_json(
            self.plan,
            self.result,
            dry_run=self.dry_run,
            requests=self.requests,
            writes=self.writes,
        )

    def describe(self) -> str:
        """What changed (or would change), for the animator."""
        return roster_sync.format_members(self.plan, self.result, dry_run=self.dry_run)


def run(
    campus: Campus,
    *,
    dry_run: bool = False,
    prune: bool = False,
    invite: bool = False,
    confirm: Callable[[roster_sync.MembersPlan], bool] | None = None,
    progress: Progress | None = None,
) -> MembersRun:
    """Bring group memberships in line with roster.csv; removals (`prune`) above
    `[members] confirm_above` people only if `confirm` says yes."""
    cooperatives = campus.cooperatives()
    roster = read_roster(campus.roster_csv, cooperatives)
    client = campus.open_client()
    plan, result = roster_sync.run_members(
        client,
        roster,
        cooperatives,
        campus["template"],
        dry_run=dry_run,
        prune=prune,
        invite=invite,
        progress=progress.line if progress else None,
        steps=progress.step if progress else None,
        confirm=confirm,
        confirm_above=campus["members"].confirm_above,
    )
    return MembersRun(plan, result, dry_run, client.total_requests, client.write_requests)
