"""A sandbox forum with a campus.toml pointing at it: what the provision and members tests share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sandbox.server import SandboxServer
from sync.discourse.client import DiscourseAPI
from sync.discourse.exceptions import DiscourseError
from sync.discourse.settings import DiscourseSettings
from tests.conftest import run_campus


class SandboxSite:
    """A running sandbox, the network it serves, and a folder holding campus.toml and the CSVs."""

    def __init__(self, server: SandboxServer, network, folder: Path):
        self.server, self.network, self.folder = server, network, folder

    def settings(self) -> DiscourseSettings:
        return DiscourseSettings(
            url=self.server.url, requests_per_minute=0, api_key=self.server.api_key
        )

    def client(self) -> DiscourseAPI:
        return DiscourseAPI(self.settings(), sleep=lambda seconds: None)

    def cli(self, *args: str):
        return self.cli_input(None, *args)

    def cli_input(self, answer: str | None, *args: str):
        """Run `campus …` on this site, with `answer` as what the person types."""
        env = {"CAMPUS_DISCOURSE_API_KEY": self.server.api_key}
        config = ["--config", str(self.folder / "campus.toml")]
        return run_campus(*config, *args, env=env, input=answer)


class FailingClient(DiscourseAPI):
    """A client that dies (like a killed process) before sending its N+1-th write request."""

    def __init__(self, settings: DiscourseSettings, writes_allowed: int):
        super().__init__(settings, sleep=lambda seconds: None)
        self.writes_allowed = writes_allowed

    def _request(self, verb, path, *args, **kwargs):
        if verb.upper() != "GET" and self.write_requests >= self.writes_allowed:
            raise DiscourseError("interrupted", status=None)
        return super()._request(verb, path, *args, **kwargs)


@contextmanager
def serving(network, folder: Path) -> Iterator[SandboxServer]:
    """Serve `network` without rate limit; write its cooperatives.csv and a campus.toml for it."""
    (folder / "cooperatives.csv").write_text(network.cooperatives_csv, encoding="utf-8")
    with SandboxServer(network, rate_limit_per_minute=0) as server:
        (folder / "campus.toml").write_text(
            f'[discourse]\nurl = "{server.url}"\nrequests_per_minute = 0\n', encoding="utf-8"
        )
        yield server


def answers_in_use(forum) -> None:
    """Make a generated forum look like one used for years before Campus: each cooperative's
    own category has accepted answers on, a colour of its own, and questions solved in it
    (every topic with a reply from someone else than its author), all of which the default
    template's view (no accepted answers in the parent category) would undo."""
    with forum.lock:
        parents = [c for c in forum.categories.values() if c.permissions.get(c.slug) == 1]
        for parent in parents:
            parent.custom_fields["enable_accepted_answers"] = "true"
            parent.color = "AAAAAA"
        ids = {parent.id for parent in parents}
        for topic in list(forum.topics.values()):
            if topic.category_id not in ids or not forum.is_counted_topic(topic):
                continue
            answers = [
                post
                for post in forum.topic_posts(topic, with_deleted=False)
                if post.post_number > 1
                and post.user_id not in (topic.user_id,)
                and post.user_id > 0
            ]
            if answers and topic.accepted_answer_post_id is None:
                forum.accept_answer(answers[0], forum.users[topic.user_id])
