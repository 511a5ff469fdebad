"""Accounts in the mirror: read from the group listings, staff and staged lists (real HTTP)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from sandbox.network import ROLE_GROUPS, generate
from sync.mirror.db import connect
from sync.mirror.schema import SyncState, User
from tests.support.mirror import counts, dump, sync

pytestmark = pytest.mark.integration

ADMIN_LIST = "GET /admin/users/list/all.json"
MEMBERS = "GET /groups/{name}/members.json"


def mirrored_accounts(mirror_engine) -> dict[int, tuple]:
    with mirror_engine.connect() as conn:
        return {
            row.id: (row.username, row.name, row.staged, row.deleted)
            for row in conn.execute(
                select(User.id, User.username, User.name, User.staged, User.deleted)
            )
        }


def forum_accounts(forum) -> dict[int, tuple]:
    return {
        user.id: (user.username, user.name, False, False)
        for user in forum.users.values()
        if user.id > 0 and not user.staged
    }


def test_full_sync_reads_every_account_without_the_admin_user_list(
    mirror_engine, sandbox_api, sandbox_server
):
    summary = sync(mirror_engine, sandbox_api)

    assert ADMIN_LIST not in summary.requests_by_endpoint
    assert mirrored_accounts(mirror_engine) == forum_accounts(sandbox_server.state)


def test_group_members_and_staff_covering_every_account_spare_trust_level_0(
    mirror_engine, sandbox_api, sandbox_server
):
    forum = sandbox_server.state
    pages = sum(
        -(-len(group.members) // 1000)
        for group in forum.groups.values()
        if not group.automatic and group.members
    )

    summary = sync(mirror_engine, sandbox_api)

    assert summary.requests_by_endpoint[MEMBERS] == pages


def test_an_account_in_no_group_is_read_through_trust_level_0(
    mirror_engine, sandbox_api, sandbox_server
):
    forum = sandbox_server.state
    loner = forum.add_user("solitaire", "solitaire@example.org", name="Sol Itaire")

    summary = sync(mirror_engine, sandbox_api)

    assert mirrored_accounts(mirror_engine)[loner.id] == ("solitaire", "Sol Itaire", False, False)
    assert counts(mirror_engine)["users"] == forum.truth()["users"]
    assert ADMIN_LIST not in summary.requests_by_endpoint


def test_a_staged_group_member_is_not_mirrored_as_an_account(
    mirror_engine, sandbox_api, sandbox_server
):
    forum = sandbox_server.state
    staged = forum.add_user("invite-mail", "invite@example.org", staged=True)
    group = next(group for group in forum.groups.values() if not group.automatic)
    forum.add_members(group, [staged.id])

    sync(mirror_engine, sandbox_api)

    assert mirrored_accounts(mirror_engine) == forum_accounts(forum)


def test_staff_flags_follow_the_staff_list_on_later_syncs(
    mirror_engine, sandbox_api, sandbox_server
):
    forum = sandbox_server.state
    sync(mirror_engine, sandbox_api)
    promoted = next(
        user for user in forum.users.values() if user.id > 0 and not user.staff and not user.staged
    )
    promoted.moderator = True

    sync(mirror_engine, sandbox_api)

    with mirror_engine.connect() as conn:
        flags = conn.execute(select(User.admin, User.moderator).where(User.id == promoted.id)).one()
    assert tuple(flags) == (False, True)


def test_a_first_sync_resumed_after_the_groups_writes_the_same_accounts(
    mirror_engine, sandbox_api, sandbox_server, tmp_path
):
    reference = connect(f"sqlite:///{tmp_path / 'reference.db'}")
    sync(reference, sandbox_api)
    sync(mirror_engine, sandbox_api)
    with mirror_engine.begin() as conn:  # as if killed after the groups, before the accounts
        conn.execute(delete(User))
        conn.execute(delete(SyncState).where(SyncState.key == "users.complete"))

    summary = sync(mirror_engine, sandbox_api)

    assert MEMBERS in summary.requests_by_endpoint  # trust_level_0, the groups are unchanged
    assert dump(mirror_engine)["users"] == dump(reference)["users"]
    reference.dispose()


def test_cooperative_and_role_come_from_the_forum_groups(
    mirror_engine, sandbox_api, sandbox_server
):
    sync(mirror_engine, sandbox_api)

    forum = sandbox_server.state
    cooperatives = {cooperative.slug for cooperative in generate(1, "small").cooperatives}
    expected = {}
    for user_id in forum_accounts(forum):
        groups = {group.name for group in forum.groups.values() if user_id in group.members}
        cooperative = next(iter(groups & cooperatives), None)
        role = next(
            (
                role
                for role in ("direction", "appui", "entrepreneur")
                if ROLE_GROUPS[role] in groups
            ),
            None,
        )
        expected[user_id] = (cooperative, role)
    with mirror_engine.connect() as conn:
        mirrored = dict(
            (row.id, (row.cooperative, row.role))
            for row in conn.execute(select(User.id, User.cooperative, User.role).where(User.id > 0))
        )
    assert mirrored == expected
    assert sum(cooperative is not None for cooperative, _role in expected.values()) >= 100


def test_new_accounts_are_read_newest_first_through_the_documented_active_list(
    mirror_engine, sandbox_api, sandbox_server
):
    sync(mirror_engine, sandbox_api)
    created = sandbox_api._post(
        "/users.json",
        name="Nouvelle Venue",
        username="nouvelle.venue",
        email="nouvelle.venue@example.org",
        password="un-mot-de-passe-assez-long",
        active="true",
        approved="true",
    )
    group = next(g for g in sandbox_server.state.groups.values() if g.name == "entrepreneurs")
    sandbox_api.add_group_members_by_id(group.id, ["nouvelle.venue"])

    summary = sync(mirror_engine, sandbox_api)

    assert created["user_id"] in mirrored_accounts(mirror_engine)
    assert "GET /admin/users/list/active.json" in summary.requests_by_endpoint
    assert ADMIN_LIST not in summary.requests_by_endpoint
