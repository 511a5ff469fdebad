"""`sync.forum.recognition`: plan and apply the transformers group and badge against a fake forum."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from core.errors import CampusError
from sync.discourse.client import DiscourseAPI
from sync.discourse.settings import DiscourseSettings
from sync.forum.recognition import apply_recognition, plan_recognition

URL = "https://forum.test"
BADGE = "Transformer du réseau"


class FakeForum:
    """Just enough of Discourse for recognition: one group, badges and their grants."""

    def __init__(self, members: list[str], group: str | None = "transformers") -> None:
        self.group = group
        self.members = list(members)
        self.badges: dict[int, str] = {}
        self.grants: set[tuple[str, int]] = set()

    def install(self, mock: responses.RequestsMock) -> None:
        get, put, post = responses.GET, responses.PUT, responses.POST
        mock.add_callback(get, re.compile(URL + r"/groups/([\w-]+)\.json"), self.group_show)
        mock.add_callback(get, re.compile(URL + r"/groups/[\w-]+/members\.json.*"), self.list)
        mock.add_callback(put, URL + "/groups/41/members.json", self.add)
        mock.add_callback(get, URL + "/admin/badges.json", self.list_badges)
        mock.add_callback(post, URL + "/admin/badges.json", self.create_badge)
        mock.add_callback(get, re.compile(URL + r"/user-badges/.*"), self.user_badges)
        mock.add_callback(post, URL + "/user_badges.json", self.grant)

    @staticmethod
    def ok(data) -> tuple[int, dict, str]:
        return 200, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(data)

    def group_show(self, request):
        name = urlsplit(request.url).path.split("/")[2].removesuffix(".json")
        if name != self.group:
            return 404, {"Content-Type": "application/json; charset=utf-8"}, '{"errors": []}'
        return self.ok({"group": {"id": 41, "name": name}})

    def list(self, request):
        members = [{"id": i, "username": name} for i, name in enumerate(self.members)]
        return self.ok({"members": members, "owners": [], "meta": {"total": len(members)}})

    def add(self, request):
        names = json.loads(request.body)["usernames"].split(",")
        self.members += names
        return self.ok({"success": "OK", "usernames": names})

    def list_badges(self, request):
        return self.ok({"badges": [{"id": i, "name": n} for i, n in self.badges.items()]})

    def create_badge(self, request):
        badge_id = 100 + len(self.badges)
        self.badges[badge_id] = parse_qs(request.body)["name"][0]
        return self.ok({"badge": {"id": badge_id}})

    def user_badges(self, request):
        username = urlsplit(request.url).path.split("/")[-1].removesuffix(".json")
        grants = [{"badge_id": b} for (u, b) in self.grants if u == username]
        return self.ok({"user_badges": grants, "badges": []})

    def grant(self, request):
        fields = parse_qs(request.body)
        self.grants.add((fields["username"][0], int(fields["badge_id"][0])))
        return self.ok({"user_badge": {"badge_id": int(fields["badge_id"][0])}})


@pytest.fixture
def api() -> DiscourseAPI:
    settings = DiscourseSettings(url=URL, api_key="key", requests_per_minute=0, max_retries=0)
    return DiscourseAPI(settings, sleep=lambda seconds: None)


@pytest.fixture
def forum():
    fake = FakeForum(members=["Alice"])
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake.install(mock)
        yield fake


def test_plan_proposes_only_newcomers_to_the_group(api, forum):
    plan = plan_recognition(api, ["alice", "bob"], group="transformers", badge=None)
    assert (plan.to_add, plan.already_members) == (("bob",), ("alice",))


def test_plan_writes_nothing(api, forum):
    plan_recognition(api, ["alice", "bob"], group="transformers", badge=BADGE)
    assert api.write_requests == 0


def test_plan_creates_a_missing_badge_before_granting_it(api, forum):
    plan = plan_recognition(api, ["alice", "bob"], group="transformers", badge=BADGE)
    assert (plan.badge_id, plan.to_grant) == (None, ("alice", "bob"))
    assert "sera créé" in plan.describe()


def test_apply_adds_members_creates_and_grants_the_badge(api, forum):
    plan = plan_recognition(api, ["alice", "bob"], group="transformers", badge=BADGE)
    result = apply_recognition(api, plan, badge_description="Merci")
    assert forum.members == ["Alice", "bob"]
    assert forum.badges == {100: BADGE}
    assert forum.grants == {("alice", 100), ("bob", 100)}
    assert (result.added, result.granted, result.badge_created) == (
        ("bob",),
        ("alice", "bob"),
        True,
    )


def test_second_run_changes_nothing(api, forum):
    apply_recognition(
        api, plan_recognition(api, ["alice", "bob"], group="transformers", badge=BADGE)
    )
    writes = api.write_requests
    plan = plan_recognition(api, ["alice", "bob"], group="transformers", badge=BADGE)
    apply_recognition(api, plan)
    assert not plan.has_changes
    assert api.write_requests == writes


def test_members_outside_the_top_are_never_removed(api, forum):
    apply_recognition(api, plan_recognition(api, ["bob"], group="transformers", badge=None))
    assert forum.members == ["Alice", "bob"]


def test_existing_badge_is_reused(api, forum):
    forum.badges[7] = BADGE
    forum.grants.add(("alice", 7))
    plan = plan_recognition(api, ["alice", "bob"], group="transformers", badge=BADGE)
    apply_recognition(api, plan)
    assert (plan.badge_id, plan.to_grant, forum.badges) == (7, ("bob",), {7: BADGE})


def test_missing_group_points_to_provision(api, forum):
    with pytest.raises(CampusError, match="campus provision"):
        plan_recognition(api, ["alice"], group="absent", badge=None)
