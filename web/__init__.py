"""Campus's companion web service (DESIGN §10): Discourse login, reports, « Mes données »…

`create_app` is the application factory; `cli.py` builds the `Services` and calls it.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, Response, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from core.i18n import _, current_lang, ngettext
from web.access_log import AccessLog
from web.extensions import csrf, limiter
from web.proxies import TrustedProxies
from web.services import Services

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000"  # a year; no includeSubDomains: the forum's other hosts are not Campus's


def create_app(services: Services, *, testing: bool = False) -> Flask:
    """The Flask application of Campus, every blueprint registered."""
    app = Flask(__name__)
    web = services.web
    app.config.update(
        SECRET_KEY=services.web_secret,
        TESTING=testing,
        SESSION_COOKIE_NAME="campus_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=web.secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=web.session_hours),
        WTF_CSRF_TIME_LIMIT=web.session_hours * 3600,
        MAX_CONTENT_LENGTH=4 * 1024 * 1024,
        PREFERRED_URL_SCHEME="https" if web.secure else "http",
    )
    app.wsgi_app = TrustedProxies(app.wsgi_app, web.trusted_proxies)  # type: ignore[method-assign]
    app.wsgi_app = AccessLog(app.wsgi_app)  # type: ignore[method-assign]
    app.extensions["campus"] = services
    app.jinja_env.globals.update(_=_, ngettext=ngettext, lang=current_lang)
    csrf.init_app(app)
    limiter.init_app(app)

    from web import action_pages, auth, me, pages, report_pages

    app.register_blueprint(auth.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(report_pages.bp)
    app.register_blueprint(me.bp)
    app.register_blueprint(action_pages.bp)
    # the webhooks and barometer blueprints are registered here by their branches
    from web import webhooks

    app.register_blueprint(webhooks.bp)

    from web.barometer_pages import bp as barometer_bp

    app.register_blueprint(barometer_bp)

    from web import animation_pages

    app.register_blueprint(animation_pages.bp)

    app.context_processor(_page_context)
    app.after_request(_security_headers)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _server_error)
    return app


def _page_context() -> dict:
    """What every template may use: the member, what they may open, which pages exist."""
    from web import access
    from web.auth import current_member

    member = current_member()
    services: Services = current_app.extensions["campus"]
    return {
        "member": member,
        "can_read_reports": access.can_read_reports(member, services.groups),
        "is_animator": access.is_animator(member),
        "has_barometer": "barometer" in current_app.blueprints,
    }


def _security_headers(response: Response) -> Response:
    """CSP without inline scripts, no framing, no sniffing, no referrer leaving Campus; over
    https, browsers are told to never come back over http (HSTS)."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if current_app.extensions["campus"].web.secure:
        response.headers["Strict-Transport-Security"] = HSTS
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


ERROR_TEXTS = {
    400: ("Requête invalide", "Cette demande est incomplète ou mal formée."),
    403: ("Accès refusé", "Vous n'avez pas accès à cette page."),
    404: ("Page introuvable", "Cette page n'existe pas (ou plus)."),
    405: ("Méthode refusée", "Cette page ne s'utilise pas ainsi."),
    413: ("Requête trop grosse", "Cette demande dépasse la taille acceptée."),
    429: (
        "Trop de demandes",
        "Trop de demandes en peu de temps depuis votre adresse : réessayez dans une minute.",
    ),
}


def _error_page(status: int, title: str, message: str) -> Response:
    body = render_template("error.html", title=title, message=message, status=status)
    return Response(body, status=status, mimetype="text/html")


def _http_error(error: HTTPException) -> Response:
    """Every HTTP error as a page of Campus in the member's words (never a traceback)."""
    status = error.code or 500
    title, message = ERROR_TEXTS.get(status, ("Erreur", "La demande n'a pas abouti."))
    response = _error_page(status, _(title), _(message))
    if status == 405 and error.valid_methods:  # type: ignore[attr-defined]
        response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
    return response


def _csrf_error(_error: CSRFError) -> Response:
    return _error_page(
        400,
        _("Formulaire expiré"),
        _("Ce formulaire a expiré ou ne vient pas de Campus : rechargez la page et réessayez."),
    )


def _server_error(error: Exception) -> Response:
    """An unexpected failure: logged for the animator, a plain page for the member."""
    current_app.logger.exception("%s %s failed", request.method, request.path, exc_info=error)
    return _error_page(
        500,
        _("Erreur interne"),
        _("Campus n'a pas pu répondre. L'équipe d'animation a été prévenue par le journal."),
    )
