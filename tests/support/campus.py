"""A `Campus` context for tests that build the web service or a run by hand."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

import cli
from app.context import Campus


def make_campus(
    folder: Path,
    *,
    engine: Engine | None = None,
    client_factory: Callable | None = None,
    **sections: object,
) -> Campus:
    """campus.toml's defaults (as if in `folder`, without any environment variable), the given
    `sections` replaced (`reports=ReportSettings(...)`), over `engine` and `client_factory`."""
    config = cli.load_config(folder / "campus.toml", environ={})
    config.sections.update(sections)
    return Campus(config, engine=engine, client_factory=client_factory)
