"""What `campus demo` does with the web service: log people in over real HTTP and say so.

The sandbox is wired by `cli.py`; this module only receives a `login_as` callable (which tells
the forum's provider who is logged in) and speaks HTTP to Campus like a browser.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import requests

from core.i18n import _


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
