"""What the mirror holds (`campus stats`), with exactly the definitions of DESIGN §3.

- users: member accounts: id > 0 (Discourse's system and bot accounts have negative ids), not
  staged, and still on the forum;
- topics: non-deleted regular topics (private messages are not counted);
- posts: the non-deleted posts of those topics, whoever wrote them, whatever their type;
- deleted_posts: posts Discourse marks deleted, in those topics (what the forum still shows an
  admin); posts of a deleted topic go with their topic;
- likes: the sum of the like counts of the counted posts;
- solutions: counted topics with an accepted answer;
- categories, groups: every category; groups that are not automatic (admins, trust_level_0…);
- last_sync: when the last successful sync finished (ISO 8601, UTC), or None;
- last_webhook: when the last webhook event was applied (`sync.mirror.live`), or None.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, text

from core.i18n import _, format_moment, format_number
from sync.mirror import db, store
from sync.mirror.db import connect
from sync.mirror.records import parse_time

COUNTED_TOPICS = "SELECT id FROM topics WHERE deleted_at IS NULL AND archetype = 'regular'"

QUERIES = {
    "users": "SELECT COUNT(*) FROM users WHERE id > 0 AND NOT staged AND NOT deleted",
    "topics": f"SELECT COUNT(*) FROM ({COUNTED_TOPICS}) t",
    "posts": f"SELECT COUNT(*) FROM posts WHERE deleted_at IS NULL AND topic_id IN ({COUNTED_TOPICS})",
    "deleted_posts": (
        f"SELECT COUNT(*) FROM posts WHERE deleted_at IS NOT NULL AND topic_id IN ({COUNTED_TOPICS})"
    ),
    "likes": (
        "SELECT COALESCE(SUM(like_count), 0) FROM posts "
        f"WHERE deleted_at IS NULL AND topic_id IN ({COUNTED_TOPICS})"
    ),
    "solutions": (
        "SELECT COUNT(*) FROM topics WHERE deleted_at IS NULL AND archetype = 'regular' "
        "AND accepted_post_id IS NOT NULL"
    ),
    "categories": "SELECT COUNT(*) FROM categories",
    "groups": "SELECT COUNT(*) FROM groups WHERE NOT automatic",
}


def _labels(lang: str | None = None) -> dict[str, str]:
    return {
        "users": _("Membres", lang=lang),
        "topics": _("Sujets", lang=lang),
        "posts": _("Messages", lang=lang),
        "deleted_posts": _("Messages supprimés", lang=lang),
        "likes": _("J'aime", lang=lang),
        "solutions": _("Sujets résolus", lang=lang),
        "categories": _("Catégories", lang=lang),
        "groups": _("Groupes", lang=lang),
        "last_sync": _("Dernière synchronisation", lang=lang),
        "last_webhook": _("Dernier événement webhook", lang=lang),
    }


def mirror_stats(engine: Engine) -> dict[str, int | str | None]:
    """The counts of DESIGN §3 `stats --json`, and when the last successful sync finished."""
    with db.reader(engine).connect() as connection:
        stats: dict[str, int | str | None] = {
            name: int(connection.execute(text(sql)).scalar() or 0) for name, sql in QUERIES.items()
        }
        finished = store.last_successful_sync(connection)
        webhook = store.last_webhook_at(connection)
    stats["last_sync"] = finished.isoformat() if finished else None
    stats["last_webhook"] = parse_time(webhook).replace(tzinfo=UTC).isoformat() if webhook else None
    return stats


def database_stats(database_url: str) -> dict[str, int | str | None]:
    """`mirror_stats` of the database at `database_url` (created empty if it does not exist)."""
    engine = connect(database_url)
    try:
        return mirror_stats(engine)
    finally:
        engine.dispose()


def format_stats(stats: dict[str, int | str | None], tz: str, lang: str | None = None) -> str:
    """The stats as aligned lines for a terminal, in the user's language: counts in its number
    format, the last sync as a local date and time in the network's time zone `tz`."""
    labels = _labels(lang)
    width = max(len(labels[name]) for name in stats)
    lines = []
    for name, value in stats.items():
        if value is None:
            shown = _("jamais", lang=lang)
        elif name in ("last_sync", "last_webhook"):
            shown = format_moment(datetime.fromisoformat(str(value)), tz, lang)
        else:
            shown = format_number(int(value), 0, lang)
        lines.append(f"{labels[name]:<{width}}  {shown}")
    return "\n".join(lines)
