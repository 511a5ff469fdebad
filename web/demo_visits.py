"""What `campus demo` does with the web service: serve Campus beside the sandbox, log people in
over real HTTP and say so.

The sandbox is wired by `cli_demo` (the command line wires it, DESIGN §1); this module only receives its server (duck-typed: its
DiscourseConnect provider, `login_as` which tells it who is logged in, its webhooks) and the
synthetic network's forum, and speaks HTTP to Campus like a browser.
"""

from __future__ import annotations

import dataclasses
import os
import secrets as random_secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from app.context import Campus
from core.i18n import _
from web import create_app
from web.serve import serve_in_background
from web.services import WEB_SECRETS, Services


@dataclass(frozen=True)
class Visit:
    """One person's visit: who, as what, and the status of each page."""

    username: str
    role: str
    pages: list[tuple[str, int]]

    @property
    def ok(self) -> bool:
        return all(status == 200 for _path, status in self.pages)


def visit(
    campus_url: str, login_as: Callable[[str], None], username: str, role: str, paths: list[str]
) -> Visit:
    """Log `username` in through the forum (full DiscourseConnect flow), then open `paths`."""
    login_as(username)
    with requests.Session() as browser:
        landed = browser.get(campus_url + "/login", params={"next": paths[0]}, timeout=60)
        pages = [(paths[0], landed.status_code)]
        pages += [
            (path, browser.get(campus_url + path, timeout=60).status_code) for path in paths[1:]
        ]
    return Visit(username, role, pages)


def describe(result: Visit) -> str:
    """One line per visit for the demo's output."""
    pages = ", ".join(f"{path} → {status}" for path, status in result.pages)
    if result.ok:
        return _(
            "Connexion de {username} ({role}) : {pages}",
            username=result.username,
            role=result.role,
            pages=pages,
        )
    return _(
        "Connexion de {username} ({role}) : ÉCHEC, {pages}",
        username=result.username,
        role=result.role,
        pages=pages,
    )


def serve_banner(campus_url: str, people: list[tuple[str, str]]) -> str:
    """What `campus demo --serve` prints: where to log in, and as whom."""
    lines = [
        _(
            "Campus est servi sur {url} : ouvrez-le et cliquez « Se connecter avec le forum ».",
            url=campus_url,
        ),
        _("Le bac à sable vous demandera sous quel nom revenir, par exemple :"),
    ]
    lines += [f"  - {username} ({role})" for username, role in people]
    lines.append(_("Ctrl+C arrête le bac à sable et le service web."))
    return "\n".join(lines)


def role_label(role: str, cooperative: str | None) -> str:
    """How the demo names a person's role."""
    if role == "admin":
        return _("animateur·rice, admin du forum")
    if role == "direction":
        return _("direction de {coop}", coop=cooperative)
    return _("entrepreneur·e")


def heading() -> str:
    """The title of the demo's web step."""
    return _("Service web : connexion par le forum (campus serve)")


def serve_and_visit(
    campus: Campus,
    sandbox: Any,
    network: Any,
    month: str,
    *,
    serve: bool,
    echo: Callable[[str], None],
) -> bool:
    """Serve Campus beside the demo's sandbox (its DiscourseConnect provider on), log a
    director and a member in over real HTTP; with `serve`, keep both running until Ctrl+C.

    Returns whether every page answered 200. Secrets are the environment's, else random ones
    made for this run only (never printed)."""
    environ = dict(os.environ)
    for variable in WEB_SECRETS.values():
        if not environ.get(variable):
            environ[variable] = random_secrets.token_hex(32)
    config = campus.config
    port = config["web"].port if serve and _port_is_free(config["web"].port) else _free_port()
    url = f"http://127.0.0.1:{port}"
    config.sections["web"] = dataclasses.replace(config["web"], base_url=url, trusted_proxies=[])
    sandbox.enable_connect(environ["CAMPUS_DISCOURSE_CONNECT_SECRET"])
    echo("\n== " + heading() + " ==")
    services = Services.from_campus(campus, environ)
    server = serve_in_background(create_app(services), "127.0.0.1", port)
    sandbox.configure_webhooks(url + "/webhooks/discourse", environ["CAMPUS_WEBHOOK_SECRET"])
    forum = network.forum

    def members(name: str) -> list:
        group = forum.group_by_name(name)
        return [forum.users[i] for i in sorted(forum.group_member_ids(group))] if group else []

    directors, entrepreneurs = members("directions"), members("entrepreneurs")
    director = directors[0]
    coop = next(
        slug for slug in services.groups.cooperatives_of(g.name for g in forum.groups_of(director))
    )
    member = next(user for user in entrepreneurs if user not in directors)
    animator = next(user for user in forum.users.values() if user.admin and user.id > 0)
    try:
        visits = [
            visit(
                url,
                sandbox.login_as,
                director.username,
                role_label("direction", coop),
                ["/rapports", f"/rapports/{month}/reseau", f"/rapports/{month}/{coop}"],
            ),
            visit(
                url,
                sandbox.login_as,
                member.username,
                role_label("entrepreneur", None),
                ["/moi", "/moi/donnees.json", "/barometre"],
            ),
        ]
        for result in visits:
            echo(describe(result))
        sandbox.login_as(None)
        if serve:
            people = [
                (animator.username, role_label("admin", None)),
                (director.username, role_label("direction", coop)),
                (member.username, role_label("entrepreneur", None)),
            ]
            echo(serve_banner(url, people))
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
        return all(result.ok for result in visits)
    finally:
        server.close()
        services.engine.dispose()


def _port_is_free(port: int) -> bool:
    """Whether nobody listens on `port` of the loopback."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
