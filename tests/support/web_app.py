"""A Campus web application over an empty SQLite mirror, for tests that need no forum."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import Engine

from reports.settings import ReportSettings
from sync.discourse.settings import DiscourseSettings
from sync.mirror import db
from tests.support.campus import make_campus
from web import create_app
from web.services import GroupNames, Services
from web.settings import WebSettings


def make_web_app(folder: Path, *, engine: Engine | None = None, **web: object) -> Flask:
    """The application of Campus in `folder` (its mirror `campus.db`, or `engine`), `[web]` set
    by `web`."""
    engine = engine or db.connect(f"sqlite:///{folder / 'campus.db'}")
    campus = make_campus(
        folder,
        engine=engine,
        client_factory=lambda: None,
        discourse=DiscourseSettings(url="https://forum.example.org"),
        reports=ReportSettings(output_dir=str(folder)),
    )
    services = Services(
        campus=campus,
        web=WebSettings(**web),
        web_secret="w" * 32,
        connect_secret="c" * 32,
        webhook_secret="h" * 32,
        groups=GroupNames(),
    )
    return create_app(services, testing=True)
