"""The sandbox as a DiscourseConnect provider (Discourse as identity provider for an app).

As Discourse's `SessionController#sso_provider` and `DiscourseConnectProvider`: the app sends
`/session/sso_provider?sso=<base64 payload>&sig=<hex HMAC-SHA256 of the base64 with the
secret>`; the provider checks the signature with the secret declared for the return URL's host
(`discourse_connect_provider_secrets`, `domain|secret` lines; `*` matches any host), then sends
the logged-in user back to `return_sso_url` with a payload of the same shape carrying
`external_id`, `username`, `name`, `email`, `admin`, `moderator`, `groups`… Errors as Discourse:
provider disabled → 404; no secret for that host → 400; bad signature → 422 (plain text); blank
`return_sso_url` → 400.

Who "is logged in": a browser picks a sandbox member on a page the sandbox shows (remembered in a
cookie), or tests set it for every client with `POST /_sandbox/login-as {"username": …}`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import html
import os
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode, urlsplit

from sandbox.state import Forum, User

CONNECT_SECRET_ENV = "CAMPUS_SANDBOX_CONNECT_SECRET"
SETTING = "enable_discourse_connect_provider"
PROVIDER_PATH = "/session/sso_provider"
PICK_PATH = "/session/sso_provider/pick"
COOKIE = "_sandbox_user"
HTML_TYPE = "text/html; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"
LOGIN_ERROR = (
    "There was a problem logging you in. Please try again."  # discourse_connect.login_error
)
MISSING_SECRET = "Could not log in: missing secret for the SSO provider."
BLANK_RETURN = "return_sso_url is blank, it must be provided"
PICKER_SIZE = 12  # members of each kind offered on the picker page


@dataclass
class Reply:
    """What the HTTP layer sends: status, content type, body, extra headers."""

    status: int
    body: str = ""
    content_type: str = TEXT_TYPE
    headers: dict[str, str] = field(default_factory=dict)


def sign(payload: str, secret: str) -> str:
    """Hex HMAC-SHA256 of the base64 `payload`, as DiscourseConnectBase#sign."""
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


class ConnectProvider:
    """`enable_discourse_connect_provider` and its secrets, and the sandbox's logged-in user."""

    def __init__(self, forum: Forum, secret: str | None = None):
        self.forum = forum
        secret = secret if secret is not None else os.environ.get(CONNECT_SECRET_ENV, "")
        self.secrets: dict[str, str] = {}
        self.logged_in: str | None = None
        if secret:
            self.configure({"secret": secret})

    @property
    def enabled(self) -> bool:
        """The `enable_discourse_connect_provider` site setting."""
        return self.forum.site_settings.get(SETTING) == "true"

    def configure(self, payload: dict) -> dict:
        """`POST /_sandbox/connect {"secret": …, "domain": "*"}`; an empty secret disables it."""
        secret = str(payload.get("secret", ""))
        domain = str(payload.get("domain", "*")) or "*"
        if secret:
            self.secrets[domain] = secret
        else:
            self.secrets.pop(domain, None)
        # as an admin would do: the provider is on while a secret is declared
        self.forum.site_settings[SETTING] = "true" if self.secrets else "false"
        return {"success": "OK", "enabled": self.enabled}

    def login_as(self, payload: dict) -> dict:
        """`POST /_sandbox/login-as {"username": …}` (null logs out) for clients without cookie."""
        username = payload.get("username")
        if username is not None and self.forum.user_by_username(str(username)) is None:
            raise KeyError(f"unknown user {username}")
        self.logged_in = None if username is None else str(username)
        return {"success": "OK", "logged_in": self.logged_in}

    # ------------------------------------------------------------------ HTTP
    def handle(self, method: str, path: str, query: str, headers, body: bytes) -> Reply:
        """Answer `GET /session/sso_provider` or `POST /session/sso_provider/pick`."""
        if not self.enabled:
            return Reply(404, "The requested URL or resource could not be found.")
        if method == "POST" and path == PICK_PATH:
            return self._pick(body)
        if method != "GET" or path != PROVIDER_PATH:
            return Reply(404, "The requested URL or resource could not be found.")
        params = dict(parse_qsl(query, keep_blank_values=True))
        sso, sig = params.get("sso", ""), params.get("sig", "")
        try:
            fields = dict(parse_qsl(base64.b64decode(sso).decode(), keep_blank_values=True))
        except (binascii.Error, UnicodeDecodeError):
            return Reply(422, LOGIN_ERROR)
        return_url = fields.get("return_sso_url", "")
        if not return_url:
            return Reply(400, BLANK_RETURN)
        secret = self._secret_for(return_url)
        if not secret:
            return Reply(400, MISSING_SECRET)
        if not sig or not hmac.compare_digest(sign(sso, secret), sig):
            return Reply(422, LOGIN_ERROR)
        if fields.get("logout") == "true":
            return Reply(302, headers={"Location": return_url, "Set-Cookie": _cookie("")})
        user = self._current_user(headers)
        if user is None:
            return self._picker(sso, sig)
        answer = self._payload(user, fields.get("nonce", ""), return_url)
        answer_sso = base64.b64encode(urlencode(answer).encode()).decode()
        separator = "&" if "?" in return_url else "?"
        location = (
            return_url + separator + urlencode({"sso": answer_sso, "sig": sign(answer_sso, secret)})
        )
        return Reply(302, headers={"Location": location})

    def _secret_for(self, return_url: str) -> str:
        host = (urlsplit(return_url).hostname or "").lower()
        return self.secrets.get(host) or self.secrets.get("*", "")

    def _current_user(self, headers) -> User | None:
        cookie = SimpleCookie(headers.get("Cookie", ""))
        username = cookie[COOKIE].value if COOKIE in cookie else self.logged_in
        user = self.forum.user_by_username(username)
        if user is None or not user.active or user.staged:
            return None
        return user

    def _payload(self, user: User, nonce: str, return_url: str) -> dict[str, str]:
        groups = ",".join(sorted(group.name for group in self.forum.groups_of(user)))
        return {
            "nonce": nonce,
            "return_sso_url": return_url,
            "external_id": str(user.id),
            "username": user.username,
            "name": user.name,
            "email": user.email,
            "admin": "true" if user.admin else "false",
            "moderator": "true" if user.moderator else "false",
            "groups": groups,
            "avatar_url": f"/user_avatar/sandbox/{user.username}/240/1.png",
            "confirmed_2fa": "false",
        }

    def _pick(self, body: bytes) -> Reply:
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        user = self.forum.user_by_username(form.get("username"))
        if user is None:
            return Reply(422, LOGIN_ERROR)
        target = (
            PROVIDER_PATH
            + "?"
            + urlencode({"sso": form.get("sso", ""), "sig": form.get("sig", "")})
        )
        return Reply(302, headers={"Location": target, "Set-Cookie": _cookie(user.username)})

    def _picker(self, sso: str, sig: str) -> Reply:
        """The sandbox's stand-in for Discourse's login page: pick who is logged in."""
        rows = []
        for title, users in self._candidates():
            rows.append(f"<h2>{html.escape(title)}</h2><ul>")
            for user in users:
                groups = ", ".join(
                    sorted(g.name for g in self.forum.groups_of(user) if not g.automatic)
                )
                rows.append(
                    f'<li><form method="post" action="{PICK_PATH}">'
                    f'<input type="hidden" name="sso" value="{html.escape(sso)}">'
                    f'<input type="hidden" name="sig" value="{html.escape(sig)}">'
                    f'<input type="hidden" name="username" value="{html.escape(user.username)}">'
                    f'<button type="submit" name="login" value="{html.escape(user.username)}">'
                    f"{html.escape(user.username)}</button> {html.escape(groups)}</form></li>"
                )
            rows.append("</ul>")
        page = (
            '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
            "<title>Bac à sable — connexion</title></head><body>"
            "<h1>Bac à sable Discourse : qui est connecté·e ?</h1>"
            "<p>Choisissez le membre du bac à sable sous le nom duquel revenir sur Campus.</p>"
            + "".join(rows)
            + "</body></html>"
        )
        return Reply(200, page, HTML_TYPE)

    def _candidates(self) -> list[tuple[str, list[User]]]:
        users = [u for u in self.forum.users.values() if u.id > 0 and u.active and not u.staged]
        by_group: dict[str, list[User]] = {}
        for name in ("directions", "equipes-appui", "entrepreneurs"):
            group = self.forum.group_by_name(name)
            members = set(self.forum.group_member_ids(group)) if group else set()
            by_group[name] = [u for u in users if u.id in members and not u.admin][:PICKER_SIZE]
        admins = [u for u in users if u.admin][:PICKER_SIZE]
        placed = {u.id for listed in by_group.values() for u in listed}
        grouped = set().union(
            *(
                self.forum.group_member_ids(group)
                for name in ("directions", "equipes-appui", "entrepreneurs")
                if (group := self.forum.group_by_name(name))
            )
        )
        # a bare forum (`--bare`) has no role groups until `campus members` fills them: its
        # members are offered all the same, so the first login never dead-ends on the admins
        others = [u for u in users if not u.admin and u.id not in grouped and u.id not in placed][
            :PICKER_SIZE
        ]
        sections = [
            ("Animateur·rices (admins)", admins),
            ("Directions", by_group["directions"]),
            ("Équipes d'appui", by_group["equipes-appui"]),
            ("Entrepreneur·es", by_group["entrepreneurs"]),
        ]
        if others:
            sections.append(("Membres sans groupe de rôle (avant « campus members »)", others))
        return sections


def _cookie(username: str) -> str:
    max_age = 0 if not username else 86400
    return f"{COOKIE}={username}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}"
