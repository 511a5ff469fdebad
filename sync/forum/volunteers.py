"""The forum side of `campus relay`: the volunteers, read live from the relay group.

Volunteers are read from the forum (one request per 1,000 members), so someone who leaves
`campus-relais` stops receiving suggestions at once, even before the next sync. What the mirror
says and what was sent are in `sync.mirror.relay_inputs`; the selection itself is pure
(`analytics.relay_plan`); `app.relay` composes the three steps.
"""

from __future__ import annotations

from core.errors import CampusError
from core.i18n import _
from sync.discourse.client import DiscourseAPI
from sync.discourse.exceptions import DiscourseNotFound


def read_volunteers(api: DiscourseAPI, group: str) -> list[dict]:
    """Members of the relay group on the forum now (id, username); a missing group: exit 1."""
    try:
        return [member for page in api.iter_group_members(group) for member in page]
    except DiscourseNotFound:
        raise CampusError(
            _(
                "Le groupe « {group} » n'existe pas sur le forum : créez-le avec « campus provision ».",
                group=group,
            )
        ) from None
