"""Serving the application on waitress, a production WSGI server (never Flask's dev server)."""

from __future__ import annotations

import waitress
from flask import Flask

from sync.i18n import _


def serve(app: Flask, host: str, port: int, *, threads: int = 8) -> None:
    """Serve `app` on `host:port` until interrupted (waitress, `threads` worker threads)."""
    waitress.serve(app, host=host, port=port, threads=threads, ident="Campus")


def listening_message(host: str, port: int, base_url: str) -> str:
    """The line `campus serve` prints when it starts."""
    return _(
        "Campus répond sur http://{host}:{port} (adresse publique : {url}).",
        host=host,
        port=port,
        url=base_url,
    )
