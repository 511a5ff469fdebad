"""The store's pulse polls: the monthly QVT polls `campus pulse` posts (one per axis and
cooperative) and their aggregate results (never who voted what)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select, update

from sync.mirror.schema import Poll, PollOption


def pulse_cooperatives(conn: Connection, month: str) -> set[str]:
    """The cooperatives whose pulse polls of `month` are recorded."""
    return set(conn.execute(select(Poll.cooperative).where(Poll.pulse_month == month)).scalars())


def pulse_post_ids(conn: Connection, month: str) -> list[int]:
    """The posts holding the pulse polls of `month`, sorted."""
    return sorted(
        set(conn.execute(select(Poll.post_id).where(Poll.pulse_month == month)).scalars())
    )


def record_pulse_poll(
    conn: Connection,
    post: Mapping[str, Any],
    axis: str,
    options: list[dict],
    *,
    month: str,
    cooperative: str,
    close_at: datetime,
) -> None:
    """Write (or tag with `month` and `cooperative`) the poll `axis` of a pulse post, and add
    the options it lacks (`{"id", "html"}`, in scale order) with no votes."""
    poll_id = conn.execute(
        select(Poll.id).where(Poll.post_id == post["id"], Poll.name == axis)
    ).scalar_one_or_none()
    if poll_id is None:
        poll_id = conn.execute(
            Poll.__table__.insert().values(
                post_id=post["id"],
                topic_id=post["topic_id"],
                name=axis,
                status="open",
                voters=0,
                close_at=close_at,
                pulse_month=month,
                cooperative=cooperative,
            )
        ).inserted_primary_key[0]
    else:
        conn.execute(
            update(Poll)
            .where(Poll.id == poll_id)
            .values(pulse_month=month, cooperative=cooperative)
        )
    known = set(
        conn.execute(select(PollOption.option_id).where(PollOption.poll_id == poll_id)).scalars()
    )
    for position, option in enumerate(options):
        if option["id"] not in known:
            conn.execute(
                PollOption.__table__.insert().values(
                    poll_id=poll_id,
                    option_id=option["id"],
                    position=position,
                    label=option.get("html", ""),
                    votes=0,
                )
            )


def pulse_polls_of(conn: Connection, post_id: int, month: str) -> list[Row]:
    """(id, name) of the pulse polls of `month` in one post."""
    return list(
        conn.execute(
            select(Poll.id, Poll.name).where(Poll.post_id == post_id, Poll.pulse_month == month)
        ).all()
    )


def store_poll_results(conn: Connection, poll_id: int, data: Mapping[str, Any]) -> int:
    """A closed poll's aggregate results as Discourse serves them; its number of voters."""
    voters = int(data.get("voters") or 0)
    conn.execute(update(Poll).where(Poll.id == poll_id).values(status="closed", voters=voters))
    existing = set(
        conn.execute(select(PollOption.option_id).where(PollOption.poll_id == poll_id)).scalars()
    )
    for position, option in enumerate(data.get("options") or []):
        votes = int(option.get("votes") or 0)
        if option["id"] in existing:
            conn.execute(
                update(PollOption)
                .where(PollOption.poll_id == poll_id, PollOption.option_id == option["id"])
                .values(votes=votes)
            )
        else:
            conn.execute(
                PollOption.__table__.insert().values(
                    poll_id=poll_id,
                    option_id=option["id"],
                    position=position,
                    label=option["html"],
                    votes=votes,
                )
            )
    return voters
