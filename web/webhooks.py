"""`POST /webhooks/discourse`: the forum's webhook deliveries, applied to the live mirror.

Configured in Discourse (admin → API → Webhooks): payload URL `<base_url>/webhooks/discourse`,
content type `application/json`, the secret of `CAMPUS_WEBHOOK_SECRET`, and the events of
`sync.mirror.live.EVENTS`. Checks, in this order, each failing with a 4xx answer and nothing written:

1. a secret is configured on Campus's side (else 503: Campus cannot tell real deliveries apart);
2. the content type is JSON (415);
3. `X-Discourse-Event-Signature` is `sha256=` + the hex HMAC-SHA256 of the raw body with the
   secret, compared in constant time (missing: 401, wrong: 403);
4. the headers and the body describe an event Campus handles, with values the mirror can hold
   (400, with the reason, logged: never a 500 for a body Campus cannot read).

Then the live mirror (`app.webhook_mirror`, over `sync.mirror.live`) writes it once (a re-delivered id
answers 200 "duplicate": the forum must not retry it), by its effect (a captured body re-sent
under a new id changes nothing). The answer comes as soon as the payload is written; the checks that
need the forum's API run in the background. CSRF does not apply (no browser session: the HMAC
is the proof), and the endpoint is rate-limited per address.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from app.webhook_mirror import InvalidEvent, LiveMirror, live_mirror, parse_event
from core.i18n import _
from web.extensions import csrf, limiter
from web.services import current_services

bp = Blueprint("webhooks", __name__)
log = logging.getLogger(__name__)

#: far above the 20 events a second of a busy forum; Discourse retries a 429 later
RATE_LIMIT = "3000 per minute"
SIGNATURE_HEADER = "X-Discourse-Event-Signature"
_create_lock = threading.Lock()


def signature_matches(secret: str, body: bytes, header: str | None) -> bool:
    """Whether `header` is `sha256=<hex HMAC-SHA256(secret, body)>` (constant-time compare)."""
    if not header or not secret:
        return False
    expected = "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode("ascii"), header.strip().encode("utf-8"))


def live_mirror_of(app: Flask | None = None) -> LiveMirror:
    """The application's live mirror, built on first use from its `Services`."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    live = app.extensions.get("campus_live")
    if live is None:
        with _create_lock:
            live = app.extensions.get("campus_live")
            if live is None:
                services = app.extensions["campus"]
                live = live_mirror(
                    services.engine,
                    services.client_factory,
                    services.groups.role_groups,
                    services.groups.cooperatives,
                )
                app.extensions["campus_live"] = live
    return live


def _refuse(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


@bp.post("/webhooks/discourse")
@csrf.exempt
@limiter.limit(lambda: current_app.config.get("CAMPUS_WEBHOOK_RATE_LIMIT", RATE_LIMIT))
def discourse_webhook() -> Response:
    """Verify one delivery and apply it to the mirror."""
    secret = current_services().webhook_secret
    if not secret:
        return _refuse(
            503,
            _("Webhooks refusés : CAMPUS_WEBHOOK_SECRET n'est pas défini pour campus serve."),
        )
    if request.mimetype != "application/json":
        return _refuse(
            415,
            _(
                "Type de contenu refusé : choisissez « application/json » dans le webhook Discourse."
            ),
        )
    body = request.get_data(cache=False)
    header = request.headers.get(SIGNATURE_HEADER)
    if not header:
        return _refuse(
            401, _("Signature absente : donnez au webhook Discourse le secret de Campus.")
        )
    if not signature_matches(secret, body, header):
        return _refuse(
            403,
            _("Signature invalide : le secret du webhook Discourse diffère de celui de Campus."),
        )
    if request.headers.get("X-Discourse-Event") == "ping":  # the "Ping" button of the admin
        return jsonify({"outcome": "pong"})
    try:
        event = parse_event(
            request.headers.get("X-Discourse-Event-Id"),
            request.headers.get("X-Discourse-Event-Type"),
            request.headers.get("X-Discourse-Event"),
            body,
        )
        outcome = live_mirror_of().apply(event)
    except InvalidEvent as error:
        log.warning(_("Webhook refusé (400) : {reason}", reason=error))
        return _refuse(400, str(error))
    return jsonify({"event_id": event.event_id, "outcome": outcome})
