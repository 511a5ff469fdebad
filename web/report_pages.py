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

from core.i18n import _
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
# the report with Campus's bar: the bar's stylesheet is Campus's own file; no script at all
# (default-src 'none'), never framed (tools that check pages run in the browser's own context)
REPORT_POLICY = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)
TITLE_END = re.compile(r"</title\s*>", re.IGNORECASE)


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


def with_bar(document: str, bar: str, stylesheet: str, icon: str) -> str:
    """The report file's HTML with Campus's `bar` first in its body, the bar's `stylesheet` and
    Campus's `icon` linked at the end of its head, and « · Campus » after its title as on every
    page of Campus (all Campus's own markup; the report is otherwise left as written)."""
    link = (
        f'<link rel="stylesheet" href="{stylesheet}">\n'
        f'<link rel="icon" href="{icon}" type="image/svg+xml">\n'
    )
    document = TITLE_END.sub(lambda end: " · Campus" + end.group(0), document, count=1)
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
        _("Rapport du réseau — {month}", month=month)
        if scope == NETWORK
        else _("Rapport de {name} — {month}", name=names.get(scope, scope), month=month)
    )
    pdf = scope == NETWORK and (found.parent / "network.pdf").is_file()
    bar = render_template("report.html", title=title, month=month, scope=scope, pdf=pdf)
    page = with_bar(
        found.read_text(encoding="utf-8"),
        bar,
        url_for("static", filename="report-bar.css"),
        url_for("static", filename="favicon.svg"),
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
