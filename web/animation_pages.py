"""The animators' dashboard, `GET /animation` (DESIGN §10): Discourse admins only.

What it shows is gathered by `app.animation.dashboard` in one call; this blueprint checks who
asks, and makes its tables sortable and searchable through query parameters (`web.tables`).
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from app import animation
from core.i18n import _
from web import access
from web.auth import current_member, forbidden, login_required
from web.services import current_services
from web.tables import Column, table_view

bp = Blueprint("animation", __name__)


@bp.get("/animation")
@login_required
def dashboard() -> Response | str:
    """Sync and webhooks, last runs, barometer participation, relay, candidates, reports."""
    if not access.is_animator(current_member()):
        return forbidden(
            _(
                "Le tableau de bord de l'animation est réservé aux animateur·rices du réseau"
                " (les administrateurs du forum)."
            )
        )
    services = current_services()
    data = animation.dashboard(services.campus, services.groups.cooperatives)
    barometer = table_view(
        "barometre",
        data.barometer_rows,
        [
            Column("name", _("Coopérative"), searched=True),
            Column("respondents", _("Réponses"), numeric=True),
        ],
        default_sort="name",
    )
    reports = table_view(
        "rapports",
        data.reports,
        [
            Column("month", _("Mois"), searched=True, shown="month_label"),
            Column("name", _("Rapport"), searched=True),
            Column("active", _("Points de vigilance"), numeric=True),
            Column("fresh", _("dont nouveaux ou aggravés"), numeric=True),
        ],
        default_sort="active",
        default_descending=True,
    )
    candidates = table_view(
        "candidats",
        data.candidates,
        [
            Column("rank", _("Rang"), numeric=True),
            Column("username", _("Membre"), searched=True),
            Column("cooperative_name", _("Coopérative"), searched=True),
            Column("score", _("Score"), numeric=True),
        ],
        default_sort="rank",
    )
    return render_template(
        "animation.html",
        data=data,
        barometer=barometer,
        reports=reports,
        candidates=candidates,
    )
