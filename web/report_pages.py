"""Report pages: what `campus report` wrote in `reports_dir`, shown with DESIGN §10's rules.

`/rapports` lists the months and the reports the member may read; `/rapports/<YYYY-MM>/reseau`
and `/rapports/<YYYY-MM>/<slug>` frame the self-contained report file, served at `…/document`
under a CSP of its own (its inline style allowed, no script at all, framed only by Campus).
Months and slugs are matched against strict patterns and known cooperatives before any path is
built, so no request reaches a file outside the reports folder.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, Response, abort, render_template, send_file

from app import duerp as duerp_app
from core.errors import InputError
from core.i18n import _, current_lang
from reports.duerp import MIME_TYPE
from web import access
from web.auth import Member, current_member, forbidden, login_required
from web.services import current_services

bp = Blueprint("reports", __name__)

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
SLUG = re.compile(r"^[a-z0-9-]{3,20}$")
NETWORK = "reseau"
DOCUMENT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox"
)


def available_months(reports_dir: Path) -> list[str]:
    """Months with a network report, newest first."""
    if not reports_dir.is_dir():
        return []
    months = [
        entry.name
        for entry in reports_dir.iterdir()
        if MONTH.match(entry.name) and (entry / "network.html").is_file()
    ]
    return sorted(months, reverse=True)


def _report_file(month: str, scope: str) -> Path:
    """The report file for a checked `month` and `scope` (`reseau` or a cooperative slug)."""
    folder = current_services().reports_dir / month
    if scope == NETWORK:
        return folder / "network.html"
    return folder / "cooperatives" / f"{scope}.html"


def _allowed(member: Member, month: str, scope: str) -> Response | Path:
    """The report's path if `member` may read it, else the refusal (404 or 403 page)."""
    services = current_services()
    if not MONTH.match(month) or not (scope == NETWORK or SLUG.match(scope)):
        abort(404)
    if scope != NETWORK and scope not in services.groups.cooperatives:
        abort(404)
    if not access.can_read_reports(member, services.groups):
        return forbidden(
            _(
                "Les rapports QVT sont réservés aux directions des coopératives et aux"
                " animateur·rices du réseau."
            )
        )
    if scope != NETWORK and scope not in access.readable_cooperatives(member, services.groups):
        return forbidden(
            _(
                "Le rapport de la coopérative « {slug} » est réservé à sa direction et aux"
                " animateur·rices du réseau.",
                slug=scope,
            )
        )
    path = _report_file(month, scope)
    if not path.is_file():
        abort(404)
    return path


@bp.get("/rapports")
@login_required
def index() -> Response | str:
    """The months and, for each, the reports this member may open."""
    member = current_member()
    services = current_services()
    if not access.can_read_reports(member, services.groups):
        return forbidden(
            _(
                "Les rapports QVT sont réservés aux directions des coopératives et aux"
                " animateur·rices du réseau."
            )
        )
    slugs = access.readable_cooperatives(member, services.groups)
    months = []
    for month in available_months(services.reports_dir):
        folder = services.reports_dir / month / "cooperatives"
        present = [slug for slug in slugs if (folder / f"{slug}.html").is_file()]
        months.append({"month": month, "cooperatives": present})
    return render_template(
        "reports_index.html",
        months=months,
        names=services.groups.cooperatives,
        own=[
            services.groups.cooperatives.get(slug, slug)
            for slug in services.groups.cooperatives_of(member.groups)
        ],
    )


@bp.get("/rapports/<month>/<scope>")
@login_required
def report(month: str, scope: str) -> Response | str:
    """One report, framed in Campus's layout."""
    found = _allowed(current_member(), month, scope)
    if isinstance(found, Response):
        return found
    names = current_services().groups.cooperatives
    title = (
        _("Rapport du réseau — {month}", month=month)
        if scope == NETWORK
        else _("Rapport de {name} — {month}", name=names.get(scope, scope), month=month)
    )
    pdf = scope == NETWORK and (found.parent / "network.pdf").is_file()
    action_log = scope != NETWORK and scope in access.action_log_cooperatives(
        current_member(), current_services().groups
    )
    return render_template(
        "report.html",
        title=title,
        month=month,
        scope=scope,
        pdf=pdf,
        action_log=action_log,
        duerp=scope != NETWORK,
    )


@bp.get("/rapports/<month>/<scope>/document")
@login_required
def document(month: str, scope: str) -> Response:
    """The report file itself, under a CSP that forbids every script."""
    found = _allowed(current_member(), month, scope)
    if isinstance(found, Response):
        return found
    response = send_file(found, mimetype="text/html", max_age=0)
    response.headers["Content-Security-Policy"] = DOCUMENT_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/rapports/<month>/reseau/pdf")
@login_required
def network_pdf(month: str) -> Response:
    """The network report as PDF, when `campus report --pdf` wrote it."""
    found = _allowed(current_member(), month, NETWORK)
    if isinstance(found, Response):
        return found
    pdf = found.parent / "network.pdf"
    if not pdf.is_file():
        abort(404)
    return send_file(
        pdf,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"rapport-qvt-reseau-{month}.pdf",
        max_age=0,
    )


@bp.get("/rapports/<month>/<slug>/duerp.odt")
@login_required
def duerp(month: str, slug: str) -> Response:
    """The cooperative's DUERP draft (DESIGN §14), written afresh (the action log changes) into
    `<reports>/<month>/duerp/<slug>.odt` and downloaded: for its directors and the animators."""
    services = current_services()
    if not MONTH.match(month) or not SLUG.match(slug) or slug not in services.groups.cooperatives:
        abort(404)
    if slug not in access.readable_cooperatives(current_member(), services.groups):
        return forbidden(
            _(
                "Le projet de DUERP de la coopérative « {slug} » est réservé à sa direction et aux"
                " animateur·rices du réseau.",
                slug=slug,
            )
        )
    try:
        path = duerp_app.draft(services.campus, month, slug, lang=current_lang())
    except InputError as error:  # a month the mirror does not cover, a bad input file
        body = render_template(
            "error.html", title=_("Pas de projet de DUERP"), message=str(error), status=404
        )
        return Response(body, status=404, mimetype="text/html")
    return send_file(
        path,
        mimetype=MIME_TYPE,
        as_attachment=True,
        download_name=f"duerp-{slug}-{month}.odt",
        max_age=0,
    )
