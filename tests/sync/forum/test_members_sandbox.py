"""`campus members` against the sandbox: a roster of several thousand people from scratch,
idempotence, unknown people and invitations, pruning, interrupted runs (DESIGN §2-§3)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

import cli_support
from sandbox.network import generate
from sandbox.server import SandboxServer
from sync.discourse.client import DiscourseAPI
from sync.discourse.exceptions import DiscourseError
from sync.forum.inputs import read_roster
from sync.forum.memberships import run_members
from sync.forum.structure import load_cooperatives, run_provision
from sync.settings import ForumTemplate
from tests.support.sandbox_site import FailingClient, SandboxSite, serving

pytestmark = pytest.mark.integration

TEMPLATE = ForumTemplate()
ROLE_GROUPS = {"entrepreneur": "entrepreneurs", "appui": "equipes-appui", "direction": "directions"}
UNKNOWN_ROWS = [
    ("", "nouvelle.venue@example.org", "{coop}", "appui"),
    ("inconnu.sans.mail", "", "{coop}", "entrepreneur"),
]


def roster_rows(network) -> list[tuple[str, str, str, str]]:
    """The generated roster, made realistic: every 10th person by email only, some emails in
    capitals, and two people the forum does not know."""
    rows = []
    for index, member in enumerate(network.roster):
        username = "" if index % 10 == 0 else member.username
        email = member.email.upper() if index % 7 == 0 else member.email
        rows.append((username, email, member.cooperative, member.role))
    coop = network.cooperatives[0].slug
    rows += [tuple(cell.format(coop=coop) for cell in row) for row in UNKNOWN_ROWS]
    return rows


def write_roster(path: Path, rows) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["username", "email", "cooperative", "role"])
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")  # a French spreadsheet export


class Site(SandboxSite):
    """A provisioned sandbox forum (accounts, groups, categories; no memberships yet)."""

    def __init__(self, server: SandboxServer, network, folder: Path):
        super().__init__(server, network, folder)
        self.rows = roster_rows(network)
        write_roster(folder / "roster.csv", self.rows)

    def members_json(self, *args: str) -> dict:
        result = self.cli("members", "--json", *args)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def run(self, client: DiscourseAPI | None = None, **options):
        cooperatives = load_cooperatives(self.folder / "cooperatives.csv", TEMPLATE)
        roster = read_roster(self.folder / "roster.csv", cooperatives)
        return run_members(client or self.client(), roster, cooperatives, TEMPLATE, **options)


def provisioned_site(tmp_path: Path, size: str):
    """Start a sandbox on a generated network of `size`, provision it, zero its counters."""
    network = generate(5, size=size, activity=False)
    with serving(network, tmp_path) as server:
        site = Site(server, network, tmp_path)
        cooperatives = load_cooperatives(tmp_path / "cooperatives.csv", TEMPLATE)
        run_provision(site.client(), cooperatives, TEMPLATE)
        server.reset_stats()
        yield site


@pytest.fixture
def site(tmp_path: Path):
    """The whole network: 74 cooperatives and several thousand members."""
    yield from provisioned_site(tmp_path, "network")


@pytest.fixture
def small_site(tmp_path: Path):
    """A few cooperatives: enough for behaviours that do not depend on the network's size."""
    yield from provisioned_site(tmp_path, "small")


def memberships(server: SandboxServer) -> dict[str, set[str]]:
    """Usernames of every non-automatic group, read from the sandbox's own state."""
    forum = server.state
    return {
        group.name: {forum.users[user_id].username for user_id in group.members}
        for group in forum.groups.values()
        if not group.automatic
    }


def expected_memberships(network) -> dict[str, set[str]]:
    """Every roster member in their cooperative's group and role group; other groups empty."""
    groups: dict[str, set[str]] = {coop.slug: set() for coop in network.cooperatives}
    groups.update({name: set() for name in (*ROLE_GROUPS.values(), "transformers")})
    groups["campus-optout"] = set()
    groups["campus-relais"] = set()
    for member in network.roster:
        groups[member.cooperative].add(member.username)
        groups[ROLE_GROUPS[member.role]].add(member.username)
    return groups


def test_roster_of_thousands_from_scratch_matches_the_file(site):
    assert len(site.network.roster) > 5000
    report = site.members_json()
    assert report["added"] == 2 * len(site.network.roster)
    assert (report["removed"], report["unchanged"]) == (0, 0)
    assert memberships(site.server) == expected_memberships(site.network)


def test_unknown_people_are_listed(small_site):
    report = small_site.members_json()
    assert report["unknown_users"] == ["nouvelle.venue@example.org", "inconnu.sans.mail"]
    assert report["not_invitable"] == ["inconnu.sans.mail"]


def test_membership_writes_are_batched_one_request_per_group(site):
    site.run()
    routes = site.server.stats()["routes"]
    entrepreneurs = sum(1 for m in site.network.roster if m.role == "entrepreneur")
    batches = len(site.network.cooperatives) + 2 + -(-entrepreneurs // 1000)
    assert routes["PUT /groups/{id}/members.json"] == batches
    assert routes["GET /admin/users/list/{flag}.json"] == len(site.network.roster) // 100 + 1


def test_second_run_sends_zero_write_requests(site):
    site.run()
    site.server.reset_stats()
    report = site.members_json()
    assert site.server.stats()["writes"] == 0
    assert (report["added"], report["unchanged"]) == (0, 2 * len(site.network.roster))


def test_dry_run_sends_no_write_request(small_site):
    report = small_site.members_json("--dry-run")
    assert report["added"] == 2 * len(small_site.network.roster)
    assert small_site.server.stats()["writes"] == 0
    assert all(not names for names in memberships(small_site.server).values())


def test_invite_sends_one_invitation_into_the_right_groups(small_site):
    report = small_site.members_json("--invite")
    assert report["invited"] == ["nouvelle.venue@example.org"]
    (invitation,) = small_site.server.state.invites.values()
    groups = {small_site.server.state.groups[group_id].name for group_id in invitation.group_ids}
    assert (invitation.email, groups) == (
        "nouvelle.venue@example.org",
        {small_site.network.cooperatives[0].slug, "equipes-appui"},
    )


def test_second_invite_run_sends_no_invitation(small_site):
    small_site.members_json("--invite")
    small_site.server.reset_stats()
    report = small_site.members_json("--invite")
    assert (report["invited"], report["already_invited"]) == ([], ["nouvelle.venue@example.org"])
    stats = small_site.server.stats()
    assert (stats["writes"], stats["routes"]["GET /u/{username}/invited.json"]) == (0, 1)
    (invitation,) = small_site.server.state.invites.values()
    assert len(invitation.sent_at) == 1


def test_an_inactive_account_is_found_by_email_not_invited(small_site):
    """`/admin/users/list/active.json` filters nothing (discourse-api.md): an account not yet
    activated is listed, found by its e-mail and put in its groups; no invitation is sent."""
    forum = small_site.server.state
    username, email, coop, _role = small_site.rows[0]  # listed by e-mail only
    user = forum.user_by_email(email)
    with forum.lock:
        user.active = False
    report = small_site.members_json("--invite")
    assert report["has_account"] == []
    assert report["invited"] == ["nouvelle.venue@example.org"]
    assert user.username in memberships(small_site.server)[coop]


def test_progress_goes_to_stderr_and_stdout_holds_only_the_json(small_site):
    result = small_site.cli("-v", "members", "--json")
    assert result.exit_code == 0, result.output
    group = small_site.network.cooperatives[0].slug
    assert "Membres du forum lus : " in result.stderr
    assert f"Ajoutés à {group} : " in result.stderr
    assert json.loads(result.stdout)["added"] == 2 * len(small_site.network.roster)


def test_no_progress_when_stderr_is_not_a_terminal(small_site):
    result = small_site.cli("members", "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_members_no_longer_listed_are_reported_and_kept(small_site):
    small_site.run()
    gone = small_site.rows.pop(1)
    write_roster(small_site.folder / "roster.csv", small_site.rows)
    small_site.server.reset_stats()
    report = small_site.members_json()
    role_group = ROLE_GROUPS[gone[3]]
    assert report["not_listed"] == {gone[2]: [gone[0]], role_group: [gone[0]]}
    assert small_site.server.stats()["writes"] == 0
    assert gone[0] in memberships(small_site.server)[gone[2]]


def test_prune_removes_members_no_longer_listed(small_site):
    small_site.run()
    gone = small_site.rows.pop(1)
    write_roster(small_site.folder / "roster.csv", small_site.rows)
    report = small_site.members_json("--prune")
    assert report["removed"] == 2
    groups = memberships(small_site.server)
    assert gone[0] not in groups[gone[2]] | groups[ROLE_GROUPS[gone[3]]]


def test_run_interrupted_half_way_then_rerun_ends_like_a_clean_run(site):
    with pytest.raises(DiscourseError):
        site.run(FailingClient(site.settings(), writes_allowed=40))
    site.run()
    assert memberships(site.server) == expected_memberships(site.network)


def test_faults_and_rate_limits_are_survived(site):
    site.server.set_faults(bad_gateway=0.05, rate_limit=0.05, drop=0.05)
    site.run()
    site.server.set_faults()
    assert memberships(site.server) == expected_memberships(site.network)


# --- members --prune asks first (DESIGN §13); a header-only file is refused ---------------


@pytest.fixture
def pruned_roster(small_site):
    """Memberships in place, then a roster that drops 7 people (more than the default 5)."""
    small_site.run()
    gone = [row for row in small_site.rows[1:] if row[0]][:7]
    kept = [row for row in small_site.rows if row not in gone]
    write_roster(small_site.folder / "roster.csv", kept)
    small_site.server.reset_stats()
    return small_site, gone


def still_member(site, row) -> bool:
    groups = memberships(site.server)
    return row[0] in groups[row[2]] and row[0] in groups[ROLE_GROUPS[row[3]]]


def test_without_terminal_and_without_yes_nothing_is_removed(pruned_roster):
    site, gone = pruned_roster
    result = site.cli("members", "--prune")
    assert result.exit_code == 2
    assert "--yes" in result.stderr
    assert gone[0][0] in result.stderr  # what would be removed is shown
    assert site.server.stats()["writes"] == 0
    assert all(still_member(site, row) for row in gone)


def test_yes_removes_them(pruned_roster):
    site, gone = pruned_roster
    result = site.cli("members", "--prune", "--yes")
    assert result.exit_code == 0, result.output
    assert not any(still_member(site, row) for row in gone)


def test_at_a_terminal_no_means_nothing_is_written(pruned_roster, monkeypatch):
    site, gone = pruned_roster
    monkeypatch.setattr(cli_support, "stdin_is_terminal", lambda: True)
    result = site.cli_input("n\n", "members", "--prune")
    assert result.exit_code == 0, result.output
    assert "rien n'a été modifié" in result.output
    assert site.server.stats()["writes"] == 0


def test_at_a_terminal_yes_removes_them(pruned_roster, monkeypatch):
    site, gone = pruned_roster
    monkeypatch.setattr(cli_support, "stdin_is_terminal", lambda: True)
    result = site.cli_input("y\n", "members", "--prune")
    assert result.exit_code == 0, result.output
    assert not any(still_member(site, row) for row in gone)


def test_a_threshold_above_the_count_does_not_ask(pruned_roster):
    site, gone = pruned_roster
    config = site.folder / "campus.toml"
    config.write_text(config.read_text() + "[members]\nconfirm_above = 7\n")
    result = site.cli("members", "--prune")
    assert result.exit_code == 0, result.output
    assert not any(still_member(site, row) for row in gone)


@pytest.mark.parametrize("name", ["roster.csv", "cooperatives.csv"])
def test_a_header_only_file_is_refused(small_site, name):
    small_site.run()
    path = small_site.folder / name
    path.write_text(path.read_text(encoding="utf-8-sig").splitlines()[0] + "\n")
    small_site.server.reset_stats()
    result = small_site.cli("members", "--prune", "--yes")
    assert result.exit_code == 2
    assert name in result.output
    assert small_site.server.stats()["total"] == 0
