"""Discourse poll BBCode parsing, as the poll plugin does when a post is cooked.

A post's `raw` may hold `[poll name=.. type=regular results=on_close public=false close=ISO]`
blocks with `* option` lines. Option ids are `md5(JSON.stringify([text]))` in hex, exactly like
Discourse, so ids computed by clients (or stored in a mirror) match the real forum's.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

POLL_BLOCK = re.compile(r"\[poll(?P<attrs>[^\]]*)\](?P<body>.*?)\[/poll\]", re.DOTALL)
ATTRIBUTE = re.compile(r"""([\w-]+)=(?:"([^"]*)"|'([^']*)'|(\S+))""")
OPTION_LINE = re.compile(r"^\s*(?:[*\-]|\d+\.)\s+(?P<text>.+?)\s*$")


def option_digest(text: str) -> str:
    """The option id Discourse gives `text`: md5 of `JSON.stringify([text])`, hex."""
    encoded = json.dumps([text], ensure_ascii=False, separators=(",", ":"))
    return hashlib.md5(encoded.encode("utf-8")).hexdigest()


@dataclass
class PollOption:
    """One answer of a poll; `id` is its Discourse digest."""

    id: str
    text: str


@dataclass
class Poll:
    """A poll attached to a post, with the votes cast so far (user id -> option ids)."""

    name: str
    type: str = "regular"
    results: str = "always"
    public: bool = False
    status: str = "open"
    close: str | None = None
    min: int | None = None
    max: int | None = None
    step: int | None = None
    chart_type: str = "bar"
    title: str | None = None
    groups: str | None = None
    options: list[PollOption] = field(default_factory=list)
    votes: dict[int, list[str]] = field(default_factory=dict)

    def option_ids(self) -> list[str]:
        """Digests of the options, in display order."""
        return [option.id for option in self.options]


def parse_polls(raw: str) -> list[Poll]:
    """Every `[poll]` block of `raw`, in order; options are the bullet lines of each block."""
    polls = []
    for match in POLL_BLOCK.finditer(raw):
        attributes = {
            key: next((value for value in values if value), "")
            for key, *values in ATTRIBUTE.findall(match.group("attrs"))
        }
        options = []
        for line in match.group("body").splitlines():
            option = OPTION_LINE.match(line)
            if option:
                text = option.group("text")
                options.append(PollOption(id=option_digest(text), text=text))
        polls.append(
            Poll(
                name=attributes.get("name", "poll"),
                type=attributes.get("type", "regular"),
                results=attributes.get("results", "always"),
                public=attributes.get("public", "false").lower() == "true",
                status=attributes.get("status", "open"),
                close=attributes.get("close"),
                min=_int_or_none(attributes.get("min")),
                max=_int_or_none(attributes.get("max")),
                step=_int_or_none(attributes.get("step")),
                chart_type=attributes.get("chartType", "bar"),
                title=attributes.get("title"),
                groups=attributes.get("groups"),
                options=options,
            )
        )
    return polls


def merge_votes(old: list[Poll], new: list[Poll]) -> list[Poll]:
    """Carry votes from `old` polls to same-named `new` ones, keeping only surviving options."""
    previous = {poll.name: poll for poll in old}
    for poll in new:
        before = previous.get(poll.name)
        if before is None:
            continue
        valid = set(poll.option_ids())
        poll.status = before.status
        for user_id, choice in before.votes.items():
            kept = [option_id for option_id in choice if option_id in valid]
            if kept:
                poll.votes[user_id] = kept
    return new


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value is not None and value.lstrip("-").isdigit() else None
