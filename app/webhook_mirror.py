"""The live mirror behind `POST /webhooks/discourse`: what web needs to apply a delivery.

The web endpoint checks the request (secret, content type, signature) and hands the parsed event
to the `LiveMirror` built here, which writes it through the mirror's store (`sync.mirror.live`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from sqlalchemy import Engine

from sync.discourse.client import DiscourseAPI
from sync.mirror.live import InvalidEvent, LiveMirror, parse_event
from sync.mirror.pull import SyncOptions

__all__ = ["InvalidEvent", "LiveMirror", "live_mirror", "parse_event"]


def live_mirror(
    engine: Engine,
    client_factory: Callable[[], DiscourseAPI],
    role_groups: Mapping[str, str],
    cooperatives: Iterable[str],
) -> LiveMirror:
    """A live mirror that knows the network's role groups and cooperatives (as `sync` does)."""
    options = SyncOptions(role_groups=dict(role_groups), cooperative_slugs=frozenset(cooperatives))
    return LiveMirror(engine, client_factory, options)
