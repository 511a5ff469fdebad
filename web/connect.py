"""The DiscourseConnect provider protocol, Campus's side: signed requests and answers.

The payload is a query string, base64-encoded (strict, no newlines); its signature is the
lower-case hex HMAC-SHA256 of the *base64 string* with the secret shared with the forum
(`discourse_connect_provider_secrets`). Answers are verified in constant time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode


class ConnectError(ValueError):
    """An answer from the forum that Campus must refuse (the message says why, no secret)."""


def sign(payload: str, secret: str) -> str:
    """The hex HMAC-SHA256 signature of a base64 `payload`."""
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def encode(fields: dict[str, str], secret: str) -> tuple[str, str]:
    """`(sso, sig)`: the base64 payload of `fields` and its signature."""
    payload = base64.b64encode(urlencode(fields).encode()).decode()
    return payload, sign(payload, secret)


def request_url(forum_url: str, nonce: str, return_url: str, secret: str) -> str:
    """Where to send the browser so the forum identifies the member and sends them back."""
    sso, sig = encode({"nonce": nonce, "return_sso_url": return_url}, secret)
    return f"{forum_url.rstrip('/')}/session/sso_provider?" + urlencode({"sso": sso, "sig": sig})


def verify(sso: str, sig: str, secret: str) -> dict[str, str]:
    """The fields of a signed answer, or `ConnectError` when the signature does not match."""
    expected = sign(sso, secret)
    if not sso or not hmac.compare_digest(expected.encode(), sig.strip().lower().encode()):
        raise ConnectError("signature")
    try:
        raw = base64.b64decode(sso.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise ConnectError("payload") from None
    return dict(parse_qsl(raw, keep_blank_values=True))


@dataclass(frozen=True)
class Identity:
    """Who the forum says logged in (only from a verified payload)."""

    nonce: str
    return_url: str
    user_id: int
    username: str
    name: str
    admin: bool
    groups: frozenset[str]


def identity(fields: dict[str, str]) -> Identity:
    """The identity carried by verified answer `fields` (`ConnectError` if incomplete)."""
    try:
        user_id = int(fields["external_id"])
        username = fields["username"]
        nonce = fields["nonce"]
    except (KeyError, ValueError):
        raise ConnectError("payload") from None
    if not username or not nonce:
        raise ConnectError("payload")
    groups = frozenset(name for name in fields.get("groups", "").split(",") if name)
    return Identity(
        nonce=nonce,
        return_url=fields.get("return_sso_url", ""),
        user_id=user_id,
        username=username,
        name=fields.get("name", "") or username,
        admin=fields.get("admin", "false") == "true",
        groups=groups,
    )
