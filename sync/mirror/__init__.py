"""The local mirror of the forum: its tables (`schema`) and Alembic `migrations`, opening the
database (`db`), one run at a time (`lock`), Discourse JSON to rows (`records`), the incremental
sync (`pull`) and webhook events (`live`), what it holds (`stats`), and what Campus itself stores
beside the forum's activity: the anonymous barometer (`barometer`) and published digests
(`digest`)."""
