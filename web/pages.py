"""The home page and the health check."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template

from app.health import alive, fresh, health
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


def _health_response(passing) -> Response:
    services = current_services()
    result = health(services.engine, services.web.stale_sync_hours, services.campus.now())
    response = jsonify(result)
    response.status_code = 200 if passing(result) else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz() -> Response:
    """Liveness: 200 while the database can be read and written (`busy` included), else 503;
    the freshness of the sync, webhooks and jobs in the body, never a reason to fail."""
    return _health_response(alive)


@bp.get("/healthz/fresh")
def healthz_fresh() -> Response:
    """For monitoring, never a proxy's health check: 503 when the last successful sync is
    older than `[web] stale_sync_hours` (or the database is down)."""
    return _health_response(fresh)
