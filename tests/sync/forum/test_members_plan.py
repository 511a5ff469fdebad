"""The pure roster planner of `campus members` and how its plan is applied (sync.forum.memberships)."""

from __future__ import annotations

import pytest

from core.errors import CampusError
from sync.discourse.exceptions import DiscourseError
from sync.forum.inputs import Cooperative, RosterEntry
from sync.forum.memberships import (
    MembershipState,
    MembersResult,
    apply_memberships,
    format_members,
    managed_groups,
    members_json,
    plan_memberships,
    read_membership_state,
)
from sync.settings import ForumTemplate

TEMPLATE = ForumTemplate()
COOPS = [Cooperative("coop-alpha", "Alpha"), Cooperative("coop-beta", "Beta")]
USERS = [
    {"id": 10, "username": "Marie", "email": "marie@example.org"},
    {"id": 11, "username": "jules", "email": "jules@example.org", "secondary_emails": ["j@ex.org"]},
    {"id": 12, "username": "karim", "email": "karim@example.org"},
]


@pytest.fixture(autouse=True)
def french(monkeypatch):
    monkeypatch.setenv("CAMPUS_LANG", "fr")


def entry(username=None, email=None, cooperative="coop-alpha", role="entrepreneur"):
    return RosterEntry(username, email, cooperative, role)


def state(members=None) -> MembershipState:
    groups = managed_groups(COOPS, TEMPLATE)
    return MembershipState(
        users=USERS,
        group_ids={name: index for index, name in enumerate(groups, start=100)},
        members={name: set((members or {}).get(name, ())) for name in groups},
    )


def plan_for(roster, members=None):
    return plan_memberships(roster, COOPS, TEMPLATE, state(members))


def test_managed_groups_are_the_cooperatives_then_the_role_groups():
    assert managed_groups(COOPS, TEMPLATE) == [
        "coop-alpha",
        "coop-beta",
        "entrepreneurs",
        "equipes-appui",
        "directions",
    ]


def test_member_joins_their_cooperative_group_and_role_group():
    plan = plan_for([entry("marie")])
    assert plan.additions == {"coop-alpha": ["Marie"], "entrepreneurs": ["Marie"]}


def test_member_is_found_by_email_when_no_username_is_given():
    plan = plan_for([entry(email="karim@example.org", role="direction")])
    assert plan.additions == {"coop-alpha": ["karim"], "directions": ["karim"]}


def test_member_is_found_by_secondary_email():
    assert plan_for([entry(email="j@ex.org")]).additions["coop-alpha"] == ["jules"]


def test_unknown_username_falls_back_to_the_email():
    assert plan_for([entry("old-name", "jules@example.org")]).additions["coop-alpha"] == ["jules"]


def test_existing_memberships_are_unchanged():
    plan = plan_for([entry("marie")], {"coop-alpha": {"Marie"}, "entrepreneurs": {"Marie"}})
    assert (plan.additions, plan.unchanged) == ({}, 2)


def test_unknown_people_are_listed_and_their_invitation_prepared():
    plan = plan_for(
        [
            entry(email="new@example.org", role="appui"),
            entry(email="new@example.org", cooperative="coop-beta", role="appui"),
            entry("ghost"),
        ]
    )
    assert plan.unknown == ["new@example.org", "ghost"]
    assert plan.invitations == {"new@example.org": ["coop-alpha", "equipes-appui", "coop-beta"]}
    assert plan.uninvitable == ["ghost"]


def test_members_no_longer_listed_are_reported_per_group():
    plan = plan_for([entry("marie")], {"coop-alpha": {"Marie", "karim"}})
    assert plan.not_listed == {"coop-alpha": ["karim"]}


class RecordingClient:
    """Records the requests `apply_memberships` sends; `pending` are the API user's pending
    invitations (two per page); invitations of `refused` answer 422 (the address has an account)."""

    api_username = "campus"

    def __init__(self, refused=(), pending=()):
        self.calls, self.refused, self.pending = [], set(refused), list(pending)

    def iter_pending_invites(self, username):
        self.calls.append(("pending", username))
        for start in range(0, len(self.pending), 2):
            yield [{"id": start, "email": email} for email in self.pending[start : start + 2]]

    def add_group_members_by_id(self, group_id, usernames):
        self.calls.append(("add", group_id, list(usernames)))

    def remove_group_members_by_id(self, group_id, usernames):
        self.calls.append(("remove", group_id, list(usernames)))

    def invite(self, email, groups):
        self.calls.append(("invite", email, list(groups)))
        if email in self.refused:
            raise DiscourseError("already has an account", status=422)


def test_one_write_per_group_batches_every_username():
    roster = [entry("marie"), entry("jules"), entry("karim", cooperative="coop-beta")]
    client = RecordingClient()
    apply_memberships(client, plan_for(roster), state().group_ids)
    assert client.calls == [
        ("add", 100, ["Marie", "jules"]),
        ("add", 101, ["karim"]),
        ("add", 102, ["Marie", "jules", "karim"]),
    ]


def test_groups_of_more_than_1000_new_members_take_one_write_per_thousand():
    users = [{"id": i, "username": f"u{i:04d}", "email": f"u{i}@example.org"} for i in range(2500)]
    member_state = MembershipState(users, {"coop-alpha": 1, "entrepreneurs": 2}, {})
    roster = [entry(user["username"]) for user in users]
    plan = plan_memberships(roster, COOPS[:1], TEMPLATE, member_state)
    client = RecordingClient()
    apply_memberships(client, plan, member_state.group_ids)
    assert [(call[1], len(call[2])) for call in client.calls] == [
        (1, 1000),
        (1, 1000),
        (1, 500),
        (2, 1000),
        (2, 1000),
        (2, 500),
    ]


def test_not_listed_members_are_kept_without_prune():
    client = RecordingClient()
    plan = plan_for(
        [entry("marie")], {"coop-alpha": {"Marie", "karim"}, "entrepreneurs": {"Marie"}}
    )
    result = apply_memberships(client, plan, state().group_ids)
    assert (client.calls, result.removed) == ([], 0)


def test_not_listed_members_are_removed_with_prune():
    client = RecordingClient()
    plan = plan_for(
        [entry("marie")], {"coop-alpha": {"Marie", "karim"}, "entrepreneurs": {"Marie"}}
    )
    result = apply_memberships(client, plan, state().group_ids, prune=True)
    assert (client.calls, result.removed) == ([("remove", 100, ["karim"])], 1)


def test_invitations_are_sent_only_with_invite():
    plan = plan_for([entry(email="new@example.org")])
    client = RecordingClient()
    apply_memberships(client, plan, state().group_ids)
    assert client.calls == []


def test_invitations_read_the_pending_ones_once_then_invite_the_others():
    roster = [entry(email="new@example.org"), entry(email="old@example.org")]
    client = RecordingClient(pending=["a@example.org", "b@example.org", "Old@Example.org"])
    result = apply_memberships(client, plan_for(roster), state().group_ids, invite=True)
    assert client.calls == [
        ("pending", "campus"),
        ("invite", "new@example.org", ["coop-alpha", "entrepreneurs"]),
    ]
    assert (result.invited, result.already_invited) == (["new@example.org"], ["old@example.org"])


def test_invitation_refused_with_422_is_an_existing_account():
    plan = plan_for([entry(email="inactive@example.org")])
    client = RecordingClient(refused={"inactive@example.org"})
    result = apply_memberships(client, plan, state().group_ids, invite=True)
    assert (result.invited, result.has_account) == ([], ["inactive@example.org"])


def test_pending_invitations_are_not_read_when_nobody_is_to_invite():
    client = RecordingClient()
    apply_memberships(client, plan_for([entry("marie")]), state().group_ids, invite=True)
    assert ("pending", "campus") not in client.calls


def test_json_has_the_design_keys():
    plan = plan_for([entry("marie"), entry("ghost")], {"coop-alpha": {"Marie", "karim"}})
    result = apply_memberships(RecordingClient(), plan, state().group_ids)
    data = members_json(plan, result, dry_run=False, requests=9, writes=1)
    assert {key: data[key] for key in ("added", "removed", "unchanged", "unknown_users")} == {
        "added": 1,
        "removed": 0,
        "unchanged": 1,
        "unknown_users": ["ghost"],
    }
    assert data["not_listed"] == {"coop-alpha": ["karim"]}


def test_text_report_is_french():
    plan = plan_for(
        [entry("marie"), entry(email="new@example.org")], {"coop-alpha": {"Marie", "karim"}}
    )
    assert format_members(plan, MembersResult(), dry_run=True).splitlines() == [
        "Groupe         À ajouter  Déjà membres  Hors fichier",
        "coop-alpha     0          1             1",
        "entrepreneurs  1          0             0",
        "Total : 1 ajout(s), 1 adhésion(s) déjà en place, 1 membre(s) hors fichier (conservés ; "
        "--prune pour les retirer).",
        "Inconnus du forum (1) : new@example.org",
        "Relancez avec --invite pour les inviter par e-mail dans leurs groupes.",
        "Simulation (--dry-run) : rien n'a été écrit sur le forum.",
    ]


def test_text_report_names_addresses_refused_for_an_existing_account():
    plan = plan_for([entry(email="inactive@example.org")])
    result = MembersResult(has_account=["inactive@example.org"])
    assert format_members(plan, result).splitlines()[-1] == (
        "Adresse(s) déjà liée(s) à un compte du forum (inactif ou non confirmé ?), non "
        "invitée(s) : inactive@example.org"
    )


class NoGroupsClient:
    """A forum that has not been provisioned: no Campus group exists."""

    def iter_groups(self):
        yield [{"id": 1, "name": "admins"}]


def test_members_before_provision_asks_to_provision_first():
    with pytest.raises(CampusError) as caught:
        read_membership_state(NoGroupsClient(), managed_groups(COOPS, TEMPLATE))
    assert caught.value.exit_code == 1
    assert str(caught.value) == (
        "Groupe(s) absent(s) du forum : coop-alpha, coop-beta, entrepreneurs, equipes-appui, "
        "directions. Lancez d'abord « campus provision »."
    )
