"""The local mirror of the forum: its tables (`schema`) and Alembic `migrations`, opening the
database (`db`), one run at a time (`lock`), Discourse JSON to rows (`records`), the one writer
of its tables (`store`), the incremental sync (`pull`, running the `steps`) and webhook events
(`live`), what it holds (`stats`), the mirror read into DataFrames for the analytics
(`loader`), the relay's and the digest's inputs and records (`relay`, `digest`), and the
anonymous barometer's own store (`barometer`)."""
