"""The home page and the health check."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template

from app.health import health
from web.services import current_services

bp = Blueprint("pages", __name__)


@bp.get("/")
def home() -> str:
    """What Campus is, and for a logged-in member the pages they may open."""
    return render_template("home.html")


@bp.get("/healthz")
def healthz() -> Response:
    """Database reachable, age of the last sync and of the last webhook (503 when not `ok`)."""
    services = current_services()
    result = health(services.engine, services.web.stale_sync_hours, services.campus.now())
    response = jsonify(result)
    response.status_code = 200 if result["status"] == "ok" else 503
    response.headers["Cache-Control"] = "no-store"
    return response
