"""Login with Discourse (DiscourseConnect provider), the session's member, and access refusals.

Campus keeps no password: `/login` sends the browser to the forum with a signed request and a
nonce Campus issued; `/auth/discourse` accepts the forum's signed answer once, within
`[web] login_nonce_minutes`, only in the browser that asked, and only for Campus's own return
URL. Identity, admin flag and groups come from that payload; logging out revokes the session on
the server side (`app.web_sessions`), a session ends `[web] session_hours` after the login
whatever its cookie says, and the groups are re-read from the mirror once older than
`[web] groups_ttl_minutes`.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Response, g, redirect, render_template, request, session

from app import login_nonces, web_sessions
from core.i18n import _
from web import connect
from web.extensions import limiter
from web.services import current_services

bp = Blueprint("auth", __name__)


@dataclass(frozen=True)
class Member:
    """The logged-in person, as the forum's signed payload described them at login."""

    user_id: int  # Discourse user id (the payload's external_id)
    username: str
    name: str
    admin: bool
    groups: frozenset[str]

    def as_session(self) -> dict[str, Any]:
        """What the signed session cookie keeps."""
        return {
            "user_id": self.user_id,
            "username": self.username,
            "name": self.name,
            "admin": self.admin,
            "groups": sorted(self.groups),
        }

    @classmethod
    def from_session(cls, data: dict[str, Any]) -> Member:
        """The member a session cookie describes."""
        return cls(
            user_id=int(data["user_id"]),
            username=str(data["username"]),
            name=str(data["name"]),
            admin=bool(data["admin"]),
            groups=frozenset(data["groups"]),
        )


def current_member() -> Member | None:
    """The member logged in with this request's session, or None (no session, a session
    closed by logging out or expired); groups older than `[web] groups_ttl_minutes` are re-read."""
    if "campus_member" not in g:
        g.campus_member = None  # meanwhile (an error page shown if the database fails): nobody
        g.campus_member = _session_member()
    return g.campus_member


def open_session(member: Member) -> dict[str, Any]:
    """What a new session of `member` keeps in the signed cookie: a random session id, when it
    was opened (it ends `[web] session_hours` later, whatever the cookie says), the member, and
    when their groups were read."""
    now = time.time()
    return {
        "sid": web_sessions.new_session_id(),
        "opened_at": now,
        "member": member.as_session(),
        "groups_at": now,
    }


def _session_member() -> Member | None:
    data, session_id, opened_at = (
        session.get("member"),
        session.get("sid"),
        session.get("opened_at"),
    )
    if not data or not isinstance(session_id, str) or not isinstance(opened_at, int | float):
        return None
    try:
        member = Member.from_session(data)
    except (KeyError, TypeError, ValueError):
        return None
    age = time.time() - opened_at
    lifetime = _session_lifetime().total_seconds()
    if age >= lifetime or web_sessions.is_revoked(current_services().engine, session_id):
        for key in ("member", "sid", "opened_at", "groups_at"):
            session.pop(key, None)
        return None
    return _with_fresh_groups(member)


def _with_fresh_groups(member: Member) -> Member:
    """`member`, their admin flag and groups re-read from the mirror when the session's are
    older than `[web] groups_ttl_minutes` (kept as they are if the mirror does not know them)."""
    services = current_services()
    now, read_at = time.time(), session.get("groups_at")
    if (
        isinstance(read_at, int | float)
        and 0 <= now - read_at < services.web.groups_ttl_minutes * 60
    ):
        return member
    mirrored = web_sessions.mirrored_groups(services.engine, member.user_id)
    if mirrored is not None:
        admin, groups = mirrored
        member = replace(member, admin=admin, groups=groups)
        session["member"] = member.as_session()
    session["groups_at"] = now
    return member


def safe_next(value: str | None) -> str:
    """`value` if it is a path on Campus itself, else `/` (no open redirect).

    Refused: anything with a scheme or host (`https://evil`, `//evil`), backslashes (`/\\evil`,
    which browsers read as `//evil`), control characters, or not starting with `/`.
    """
    if not value or not value.startswith("/") or value.startswith("//"):
        return "/"
    if "\\" in value or any(ord(char) < 32 or ord(char) == 127 for char in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


def requested_path() -> str:
    """The current request's path and query string, to come back to after login."""
    query = request.query_string.decode("latin-1")
    return request.path + ("?" + query if query else "")


def login_required(view: Callable) -> Callable:
    """Views for logged-in members only: others are sent to `/login?next=<this page>`."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_member() is None:
            return redirect("/login?" + urlencode({"next": requested_path()}), code=302)
        return view(*args, **kwargs)

    return wrapper


def forbidden(reason: str) -> Response:
    """A 403 page that says why the logged-in member may not see this page."""
    body = render_template("error.html", title=_("Accès refusé"), message=reason, status=403)
    return Response(body, status=403, mimetype="text/html")


def _login_limit() -> str:
    return current_services().web.login_rate_limit


def _lifetime() -> timedelta:
    return timedelta(minutes=current_services().web.login_nonce_minutes)


def _session_lifetime() -> timedelta:
    return timedelta(hours=current_services().web.session_hours)


@bp.get("/login")
@limiter.limit(_login_limit)
def login() -> Response:
    """Send the browser to the forum, which identifies the member and sends them back."""
    target = safe_next(request.args.get("next"))
    if current_member() is not None:
        return redirect(target)
    services = current_services()
    nonce = login_nonces.issue(services.engine, target, _lifetime())
    session["login_nonce"] = nonce
    url = connect.request_url(
        services.discourse_url, nonce, services.web.return_url, services.connect_secret
    )
    return redirect(url)


def _refused(reason: str, status: int = 403) -> Response:
    body = render_template(
        "error.html",
        title=_("Connexion refusée"),
        message=reason,
        status=status,
        retry_login=True,
    )
    return Response(body, status=status, mimetype="text/html")


@bp.get("/auth/discourse")
@limiter.limit(_login_limit)
def discourse_return() -> Response:
    """Accept the forum's signed answer once, then open the member's session."""
    services = current_services()
    sso, sig = request.args.get("sso", ""), request.args.get("sig", "")
    if not sso or not sig:
        return _refused(_("La réponse du forum est incomplète (sso et sig attendus)."), 400)
    try:
        person = connect.identity(connect.verify(sso, sig, services.connect_secret))
    except connect.ConnectError as error:
        if str(error) == "signature":
            return _refused(
                _(
                    "La réponse ne porte pas la signature du forum : elle n'a pas été acceptée."
                    " Si cela se répète, vérifiez que CAMPUS_DISCOURSE_CONNECT_SECRET est le"
                    " secret déclaré dans discourse_connect_provider_secrets."
                )
            )
        return _refused(_("La réponse du forum est illisible."), 400)
    if person.return_url != services.web.return_url:
        return _refused(_("Cette réponse du forum était destinée à une autre adresse."))
    expected = session.pop("login_nonce", None)
    target = login_nonces.consume(services.engine, person.nonce, _lifetime())
    if target is None:
        return _refused(
            _(
                "Cette demande de connexion est inconnue, déjà utilisée ou expirée"
                " (elle vaut {minutes} minutes) : reconnectez-vous.",
                minutes=services.web.login_nonce_minutes,
            )
        )
    if expected != person.nonce:
        return _refused(
            _("Cette connexion n'a pas été demandée depuis ce navigateur : reconnectez-vous.")
        )
    member = Member(
        user_id=person.user_id,
        username=person.username,
        name=person.name,
        admin=person.admin,
        groups=person.groups,
    )
    session.clear()
    session.permanent = True
    session.update(open_session(member))
    return redirect(safe_next(target))


@bp.post("/logout")
def logout() -> Response:
    """Close the session, on the server side too: a copy of the cookie opens nothing afterwards
    (the forum's own session is left as it is)."""
    session_id, opened_at = session.get("sid"), session.get("opened_at")
    if isinstance(session_id, str):
        opened = opened_at if isinstance(opened_at, int | float) else time.time()
        web_sessions.revoke(current_services().engine, session_id, opened, _session_lifetime())
    session.clear()
    return redirect("/")
