"""Report pages: what `campus report` wrote in `reports_dir`, shown with DESIGN §10's rules.

`/rapports` lists the months and the reports the member may read; `/rapports/<YYYY-MM>/reseau`
and `/rapports/<YYYY-MM>/<slug>` show the self-contained report file itself, with Campus's
navigation bar put at the top of its body (one page, one scroll, readable on a phone: no frame),
under a CSP of its own (its inline style allowed, no script at all, never framed); `…/document`
is the file alone, to print.
Months and slugs are matched against strict patterns and known cooperatives before any path is
built, so no request reaches a file outside the reports folder.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, Response, abort, render_template, send_file, url_for

from app import duerp as duerp_app
from app import report_index
from core.errors import InputError
from core.i18n import _, current_lang, format_month
from reports.duerp import MIME_TYPE
from web import access
from web.auth import Member, current_member, forbidden, login_required
from web.services import current_services
from web.tables import Column, table_view

bp = Blueprint("reports", __name__)

MONTH = report_index.MONTH
SLUG = re.compile(r"^[a-z0-9-]{3,20}$")
NETWORK = report_index.NETWORK
DOCUMENT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox"
)
# the report with Campus's bar: the bar's stylesheet is Campus's own file; still no script
REPORT_POLICY = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox allow-same-origin"
)
BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)


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
    """The reports this member may open, one row per month and report, with their vigilance
    counts: searchable and sortable (an animator's list holds every cooperative, every month)."""
    member = current_member()
    services = current_services()
    if not access.can_read_reports(member, services.groups):
        return forbidden(
            _(
                "Les rapports QVT sont réservés aux directions des coopératives et aux"
                " animateur·rices du réseau."
            )
        )
    rows = report_index.report_rows(
        services.reports_dir,
        services.groups.cooperatives,
        access.readable_cooperatives(member, services.groups),
    )
    reports = table_view(
        "rapports",
        rows,
        [
            Column("month", _("Mois"), searched=True, shown="month_label"),
            Column("name", _("Rapport"), searched=True),
            Column("active", _("Points de vigilance"), numeric=True),
            Column("fresh", _("dont nouveaux ou aggravés"), numeric=True),
        ],
        default_sort="month",
        default_descending=True,
    )
    return render_template(
        "reports_index.html",
        reports=reports,
        own=[
            services.groups.cooperatives.get(slug, slug)
            for slug in services.groups.cooperatives_of(member.groups)
        ],
    )


def with_bar(document: str, bar: str, stylesheet: str) -> str:
    """The report file's HTML with Campus's `bar` first in its body and the bar's `stylesheet`
    linked at the end of its head (both Campus's own markup; the report is left as written)."""
    link = f'<link rel="stylesheet" href="{stylesheet}">\n'
    document = HEAD_END.sub(lambda end: link + end.group(0), document, count=1)
    body = BODY.search(document)
    if body is None:  # not a file `campus report` wrote: the bar still comes first
        return bar + document
    return document[: body.end()] + "\n" + bar + document[body.end() :]


@bp.get("/rapports/<month>/<scope>")
@login_required
def report(month: str, scope: str) -> Response:
    """One report as one page: the report itself, with Campus's navigation bar at its top."""
    found = _allowed(current_member(), month, scope)
    if isinstance(found, Response):
        return found
    names = current_services().groups.cooperatives
    title = (
        _("Rapport du réseau — {month}", month=format_month(month))
        if scope == NETWORK
        else _(
            "Rapport de {name} — {month}", name=names.get(scope, scope), month=format_month(month)
        )
    )
    pdf = scope == NETWORK and (found.parent / "network.pdf").is_file()
    action_log = scope != NETWORK and scope in access.action_log_cooperatives(
        current_member(), current_services().groups
    )
    bar = render_template(
        "report.html",
        title=title,
        month=month,
        scope=scope,
        pdf=pdf,
        action_log=action_log,
        duerp=scope != NETWORK,
    )
    page = with_bar(
        found.read_text(encoding="utf-8"), bar, url_for("static", filename="report-bar.css")
    )
    response = Response(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = REPORT_POLICY
    response.headers["Cache-Control"] = "no-store"
    return response


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
