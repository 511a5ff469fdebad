"""A sandbox forum with a campus.toml pointing at it: what the provision and members tests share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from click.testing import CliRunner

import cli
from sandbox.server import SandboxServer
from sync.client import DiscourseAPI
from sync.errors import DiscourseError
from sync.settings import DiscourseSettings


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
        env = {"CAMPUS_LANG": "fr", "CAMPUS_DISCOURSE_API_KEY": self.server.api_key}
        config = ["--config", str(self.folder / "campus.toml")]
        return CliRunner().invoke(cli.main, [*config, *args], env=env, input=answer)


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
