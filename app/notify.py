"""The one way Campus writes to people: Discourse private messages.

Relay's suggestions go through it; a member who does not accept private messages (their
preferences, a silenced account: Discourse answers 422) is a refusal, not a failure, so the
other recipients still get theirs.
"""

from __future__ import annotations

from dataclasses import dataclass

from sync.discourse.client import DiscourseAPI
from sync.discourse.exceptions import DiscourseError


@dataclass(frozen=True)
class Delivery:
    """What became of one message: its topic on the forum, or why Discourse refused it."""

    topic_id: int | None = None
    refusal: DiscourseError | None = None

    @property
    def sent(self) -> bool:
        return self.refusal is None


class Notifier:
    """Sends private messages through one Discourse client (whose requests it counts)."""

    def __init__(self, client: DiscourseAPI) -> None:
        self.client = client

    def send(self, subject: str, body: str, usernames: list[str]) -> Delivery:
        """Send one private message to `usernames`; a 422 (recipient refuses messages) is
        returned as a refusal, any other error is raised."""
        try:
            post = self.client.send_private_message(subject, body, usernames)
        except DiscourseError as error:
            if error.status != 422:
                raise
            return Delivery(refusal=error)
        return Delivery(topic_id=post.get("topic_id"))
