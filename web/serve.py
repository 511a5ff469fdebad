"""Serving the application on waitress, a production WSGI server (never Flask's dev server)."""

from __future__ import annotations

import waitress
from flask import Flask

from sync.errors import CampusError
from sync.i18n import _


def serve(app: Flask, host: str, port: int, *, threads: int = 8) -> None:
    """Serve `app` on `host:port` until interrupted (waitress, `threads` worker threads).

    An address that cannot be listened on (port taken, unknown host) is a `CampusError`
    naming it, not a traceback."""
    try:
        server = waitress.create_server(app, host=host, port=port, threads=threads, ident="Campus")
    except OSError as error:
        raise CampusError(
            _(
                "Impossible d'écouter sur {host}:{port} ({reason}) : choisissez un autre port"
                " (--port) ou arrêtez ce qui l'occupe.",
                host=host,
                port=port,
                reason=error.strerror or error,
            )
        ) from None
    server.run()


def listening_message(host: str, port: int, base_url: str) -> str:
    """The line `campus serve` prints when it starts."""
    return _(
        "Campus répond sur http://{host}:{port} (adresse publique : {url}).",
        host=host,
        port=port,
        url=base_url,
    )


def serve_in_background(app: Flask, host: str, port: int, *, threads: int = 4):
    """Start waitress on `host:port` in a daemon thread; returns the server (`.close()` it)."""
    import threading

    server = waitress.create_server(app, host=host, port=port, threads=threads, ident="Campus")
    threading.Thread(target=server.run, daemon=True, name="campus-web").start()
    return server
