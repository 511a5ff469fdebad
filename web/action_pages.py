"""A cooperative's action log (DESIGN §10, §14): what its direction decided, and its changes.

`GET|POST /rapports/<YYYY-MM>/<slug>/actions` shows the cooperative's actions (all of them; the
month only picks which report's vigilance cards are offered) and records a new one;
`POST /actions/<id>` changes an action's status or title. Directors of that cooperative and the
animators only; the history of changes with its authors is shown to animators alone. A refused
field gives a 400 page that names it, with nothing written; a POST that succeeds answers 303.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Blueprint, Response, abort, redirect, render_template, request

from analytics.catalogue import CATALOGUE
from app import actions
from app.actions import ActionInputError, ActionRecord, Author
from core.i18n import _, current_lang
from core.vocabulary import (
    ACTION_KIND_LABELS,
    ACTION_KINDS,
    ACTION_STATUS_LABELS,
    ACTION_STATUSES,
    AXES,
    AXIS_LABELS,
)
from reports.formatting import Formatter
from web import access
from web.auth import Member, current_member, forbidden, login_required
from web.services import current_services

bp = Blueprint("actions", __name__)

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
SLUG = re.compile(r"^[a-z0-9-]{3,20}$")
FORM_FIELDS = ("axis", "indicator", "kind", "title", "started", "status")

# the form's names of the fields, for the message of a 400 page
FIELD_LABELS = {
    "axis": "Axe",
    "indicator": "Indicateur",
    "kind": "Type d'action",
    "title": "Titre",
    "started": "Date de début",
    "status": "Statut",
    "cooperative": "Coopérative",
    "month": "Mois",
}


@dataclass(frozen=True)
class Words:
    """The labels a page of the log shows, in the member's language."""

    lang: str

    def axis(self, axis: str) -> str:
        return AXIS_LABELS[self.lang].get(axis, axis)

    def indicator(self, key: str | None) -> str:
        return CATALOGUE[key].label_in(self.lang) if key in CATALOGUE else ""

    def kind(self, kind: str) -> str:
        return ACTION_KIND_LABELS[self.lang].get(kind, kind)

    def status(self, status: str) -> str:
        return ACTION_STATUS_LABELS[self.lang].get(status, status)

    def field(self, field: str) -> str:
        return _(FIELD_LABELS.get(field, field))


def _refusal(member: Member, slug: str) -> Response | None:
    """None if `member` may read and write `slug`'s log, else the 403 page that says why."""
    groups = current_services().groups
    if slug in access.action_log_cooperatives(member, groups):
        return None
    return forbidden(
        _(
            "Le plan d'actions de la coopérative « {slug} » est réservé à sa direction et aux"
            " animateur·rices du réseau.",
            slug=slug,
        )
    )


def _checked(month: str, slug: str) -> None:
    """404 unless `month` is a month and `slug` a known cooperative."""
    if not MONTH.match(month) or not SLUG.match(slug):
        abort(404)
    if slug not in current_services().groups.cooperatives:
        abort(404)


def _author(member: Member) -> Author:
    return Author(user_id=member.user_id, username=member.username)


def _page(
    month: str,
    slug: str,
    member: Member,
    *,
    values: dict[str, str] | None = None,
    error: ActionInputError | None = None,
    status: int = 200,
) -> Response:
    """The log page of `slug` with the cards of `month`'s report (a refused form refilled)."""
    services = current_services()
    campus = services.campus
    lang = current_lang()
    listed = actions.cooperative_actions(campus, slug)
    history = actions.action_history(campus, [a.id for a in listed]) if member.admin else {}
    cards = actions.report_cards(campus, month, slug)
    chosen = dict(values or {})
    if not values:
        chosen = {
            "axis": request.args.get("axis", ""),
            "indicator": request.args.get("indicator", ""),
            "status": "en_cours",
            "started": campus.today().isoformat(),
        }
    body = render_template(
        "actions.html",
        month=month,
        slug=slug,
        name=services.groups.cooperatives.get(slug, slug),
        actions=listed,
        history=history,
        cards=cards,
        axes=AXES,
        indicators_by_axis={
            axis: [key for key, spec in CATALOGUE.items() if spec.axis == axis] for axis in AXES
        },
        kinds=ACTION_KINDS,
        statuses=ACTION_STATUSES,
        words=Words(lang),
        fmt=Formatter(lang, services.timezone),
        values=chosen,
        error=error,
        title_max=actions.TITLE_MAX,
    )
    return Response(body, status=status, mimetype="text/html")


@bp.get("/rapports/<month>/<slug>/actions")
@login_required
def log(month: str, slug: str) -> Response:
    """The cooperative's actions, and the form to record one for a card of `month`'s report."""
    _checked(month, slug)
    member = current_member()
    refused = _refusal(member, slug)
    if refused is not None:
        return refused
    return _page(month, slug, member)


@bp.post("/rapports/<month>/<slug>/actions")
@login_required
def record(month: str, slug: str) -> Response:
    """Record an action; 303 back to the log, or the log again with a 400 naming the field."""
    _checked(month, slug)
    member = current_member()
    refused = _refusal(member, slug)
    if refused is not None:
        return refused
    values = {name: request.form.get(name, "") for name in FORM_FIELDS}
    try:
        action = actions.record_action(
            current_services().campus,
            slug,
            month,
            axis=values["axis"],
            indicator=values["indicator"] or None,
            kind=values["kind"],
            title=values["title"],
            started=values["started"],
            status=values["status"],
            author=_author(member),
        )
    except ActionInputError as error:
        return _page(month, slug, member, values=values, error=error, status=400)
    return redirect(f"/rapports/{month}/{slug}/actions#action-{action.id}", code=303)


@bp.post("/actions/<int:action_id>")
@login_required
def change(action_id: int) -> Response:
    """Change an action's status and/or title; 303 back to its log, 400 naming a refused field."""
    member = current_member()
    services = current_services()
    action: ActionRecord | None = actions.get_action(services.campus, action_id)
    if action is None:
        abort(404)
    refused = _refusal(member, action.cooperative)
    if refused is not None:
        return refused
    back = request.form.get("month", "")
    month = back if MONTH.match(back) else action.month
    status = request.form.get("status")
    title = request.form.get("title")
    try:
        actions.change_action(
            services.campus,
            action_id,
            author=_author(member),
            status=status or None,
            title=title if title is not None else None,
        )
    except ActionInputError as error:
        words = Words(current_lang())
        body = render_template(
            "error.html",
            title=_("Modification refusée"),
            message=_(
                "Champ « {field} » : {reason} Rien n'a été modifié.",
                field=words.field(error.field),
                reason=str(error),
            ),
            status=400,
            back=f"/rapports/{month}/{action.cooperative}/actions",
        )
        return Response(body, status=400, mimetype="text/html")
    return redirect(f"/rapports/{month}/{action.cooperative}/actions#action-{action_id}", code=303)
