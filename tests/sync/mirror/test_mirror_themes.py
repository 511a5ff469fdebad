"""The mirror keeps what relay and digest need: topic tags and category group permissions."""

from __future__ import annotations

from sqlalchemy import select

from sandbox.server import SandboxServer
from sync.discourse.client import DiscourseAPI
from sync.mirror.db import connect
from sync.mirror.pull import SyncOptions, sync_mirror
from sync.mirror.records import category_permission_rows, topic_tags
from sync.mirror.schema import CategoryPermission, TopicTag
from tests.support.mirror import make_api
from tests.support.relay_forum import RelayForum


def test_tags_are_read_in_both_shapes():
    assert topic_tags({"tags": [{"id": 1, "name": "tva", "slug": "tva"}]}) == ["tva"]
    assert topic_tags({"tags": ["tva", "devis"]}) == ["tva", "devis"]
    assert topic_tags({}) is None


def test_unlisted_permissions_are_none_not_empty():
    assert category_permission_rows({"id": 3}) is None
    listed = {"id": 3, "group_permissions": [{"group_name": "coop-a", "permission_type": 1}]}
    assert category_permission_rows(listed) == [
        {"category_id": 3, "group_name": "coop-a", "permission_type": 1}
    ]


class SiteWithoutPermissions(DiscourseAPI):
    """A client of a forum whose `/site.json` does not list group permissions (real Discourse)."""

    def all_categories(self) -> list[dict]:
        return [
            {key: value for key, value in category.items() if key != "group_permissions"}
            for category in super().all_categories()
        ]


def test_sync_mirrors_tags_and_permissions(db_url):
    built = RelayForum()
    built.person("asker", "coop-a")
    topic = built.question("asker", "campus", "2026-03-06 09:00", "Une question taguée", ("tva",))
    with SandboxServer(built.forum, rate_limit_per_minute=0) as server:
        engine = connect(db_url)
        try:
            sync_mirror(engine, make_api(server.url, server.api_key), SyncOptions())
            topic.tags = ["devis"]  # retagged: the listing shows it on the next sync
            topic.bumped_at = built.forum.clock()
            sync_mirror(engine, make_api(server.url, server.api_key), SyncOptions())
            with engine.connect() as conn:
                tags = conn.execute(select(TopicTag.tag).where(TopicTag.topic_id == topic.id))
                assert list(tags.scalars()) == ["devis"]
                granted = conn.execute(
                    select(CategoryPermission.group_name).where(
                        CategoryPermission.category_id == built.categories["coop-a/entraide"]
                    )
                )
                assert sorted(granted.scalars()) == ["coop-a", "staff"]
        finally:
            engine.dispose()


def test_permissions_missing_from_the_site_listing_are_read_once_per_restricted_category(
    tmp_path,
):
    built = RelayForum()
    with SandboxServer(built.forum, rate_limit_per_minute=0) as server:
        engine = connect(f"sqlite:///{tmp_path / 'campus.db'}")
        settings = make_api(server.url, server.api_key).settings
        api = SiteWithoutPermissions(settings, sleep=lambda _seconds: None)
        sync_mirror(engine, api, SyncOptions())
        first = api.request_counts.get("GET /c/{id}/show.json", 0)
        sync_mirror(engine, api, SyncOptions())
        second = api.request_counts.get("GET /c/{id}/show.json", 0) - first
        with engine.connect() as conn:
            rows = conn.execute(
                select(CategoryPermission.category_id, CategoryPermission.group_name)
            )
            granted = {(category_id, name) for category_id, name in rows}
        engine.dispose()
    restricted = 4  # coop-a, coop-a/entraide, coop-b, coop-b/entraide
    assert (first, second) == (restricted, 0)
    assert (built.categories["campus"], "everyone") in granted
    assert (built.categories["coop-b/entraide"], "coop-b") in granted
