"""Serving the application on waitress, a production WSGI server (never Flask's dev server)."""

from __future__ import annotations

import errno
import logging
import signal
import socket
import sys
import threading
from collections.abc import Callable, Mapping

import waitress
from flask import Flask

from app.context import Campus
from core.errors import CampusError, InputError
from core.i18n import _
from web import create_app
from web.access_log import quiet_queue_warnings
from web.proxies import WAITRESS_OPTIONS
from web.services import Services


def serve(app: Flask, host: str, port: int, *, threads: int = 8) -> None:
    """Serve `app` on `host:port` until interrupted (waitress, `threads` worker threads).

    An address that cannot be listened on (port taken, unknown host) is a `CampusError`
    naming it, not a traceback."""
    try:
        server = waitress.create_server(
            app, host=host, port=port, threads=threads, ident="Campus", **WAITRESS_OPTIONS
        )
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


def serve_campus(
    campus: Campus,
    environ: Mapping[str, str],
    host: str | None,
    port: int | None,
    announce: Callable[[str], None],
) -> None:
    """`campus serve`: the web application over `campus` (secrets from `environ`), on `host:port`
    (default `[web] host` and `port`) until SIGTERM or Ctrl-C; `announce` gets the address."""
    settings = campus["web"]
    host, port = host or settings.host, port or settings.port
    check_listen_address(host, port)
    app = create_app(Services.from_campus(campus, environ))
    # the access log is written even when the CLI shows only warnings; waitress's queue
    # warnings come at most once a minute
    access = logging.getLogger("campus.access")
    if access.getEffectiveLevel() > logging.INFO:
        access.setLevel(logging.INFO)
    quiet_queue_warnings()
    announce(listening_message(host, port, settings.base_url))
    # SIGTERM ends like Ctrl-C, so exit hooks run (the barometer pools the answers it holds)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    serve(app, host, port, threads=settings.threads)


def check_listen_address(host: str, port: int) -> None:
    """Refuse (exit 2, before anything is opened) an address this machine cannot listen on
    because it is not an address or a name it knows (a port already taken is found later)."""
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError, ValueError):
        raise InputError(
            _(
                "Adresse d'écoute « {host} » invalide (--host ou [web] host) : une adresse IP de"
                " cette machine (127.0.0.1 derrière le proxy inverse, ::1, 0.0.0.0) ou un nom"
                " qu'elle connaît (localhost) est attendu.",
                host=host,
            )
        ) from None


def listening_message(host: str, port: int, base_url: str) -> str:
    """The line `campus serve` prints when it starts."""
    return _(
        "Campus répond sur http://{host}:{port} (adresse publique : {url}).",
        host=host,
        port=port,
        url=base_url,
    )


def serve_in_background(app: Flask, host: str, port: int, *, threads: int = 4) -> BackgroundServer:
    """Start waitress on `host:port` in a daemon thread (the demo's); `.close()` stops it."""
    server = BackgroundServer(
        waitress.create_server(
            app, host=host, port=port, threads=threads, ident="Campus", **WAITRESS_OPTIONS
        )
    )
    threading.Thread(target=server.run, daemon=True, name="campus-web").start()
    return server


class BackgroundServer:
    """A waitress server run in a thread and closed from another one.

    Closing the listening socket is waitress's way to stop it from outside; the loop then wakes
    on a descriptor that is gone (EBADF), which here is the normal end, not an error."""

    def __init__(self, server) -> None:
        self.server = server
        self.closing = False

    def run(self) -> None:
        try:
            self.server.run()
        except OSError as error:
            if not (self.closing and error.errno == errno.EBADF):
                raise

    def close(self) -> None:
        self.closing = True
        self.server.close()
