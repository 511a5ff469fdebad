"""The home page and the health check."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template

from app.health import health
from web.auth import current_member
from web.services import current_services

bp = Blueprint("pages", __name__)


@bp.get("/")
def home() -> str:
    """What Campus is, and for a logged-in member the pages they may open — the month's
    barometer first while it is open and they have not answered it."""
    member = current_member()
    invitation = None
    if member is not None and "barometer" in current_app.blueprints:
        from web.barometer_pages import home_invitation

        invitation = home_invitation(member)
    return render_template("home.html", barometer=invitation)


@bp.get("/healthz")
def healthz() -> Response:
    """Database reachable, age of the last sync and of the last webhook (503 when not `ok`)."""
    services = current_services()
    result = health(services.engine, services.web.stale_sync_hours, services.campus.now())
    response = jsonify(result)
    response.status_code = 200 if result["status"] == "ok" else 503
    response.headers["Cache-Control"] = "no-store"
    return response
