"""« Mes données » (`/moi`): what Campus holds about the member, their score, opt-out, download."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
)

from app import member_data
from core.errors import CampusError
from core.i18n import _, format_day, format_number, ngettext
from web.auth import Member, current_member, login_required
from web.services import current_services

bp = Blueprint("me", __name__)


def _scores() -> member_data.ScoreCache:
    """The application's score cache (one per app, shared by its threads)."""
    return current_app.extensions.setdefault("campus_scores", member_data.ScoreCache())


def role_labels() -> dict[str, str]:
    """The roles of the network, as a member reads them."""
    return {
        "entrepreneur": _("entrepreneur·e salarié·e"),
        "appui": _("équipe d'appui"),
        "direction": _("direction"),
    }


def component_labels() -> dict[str, str]:
    """Each score component: what it counts (in the member's language)."""
    return {
        "reply": _("Réponses dans le sujet de quelqu'un d'autre"),
        "first_response": _("Premières réponses à une question"),
        "newcomer_first_topic": _("Réponses au premier sujet d'un nouveau membre"),
        "cross_coop": _("Bonus : réponses à une autre coopérative"),
        "solution": _("Solutions acceptées"),
        "like": _("J'aime reçus (5 au plus par message)"),
        "person_helped": _("Personnes aidées"),
        "topic": _("Sujets ouverts"),
    }


def what_happened(component: str, count: int | None) -> str:
    """How many times a component happened, in words with the right plural (« 1 sujet »,
    « 3 sujets »); an em dash for the bonus, which has no count of its own."""
    if count is None:
        return "—"
    units = {
        "reply": lambda n: ngettext("{n} réponse", "{n} réponses", n),
        "first_response": lambda n: ngettext("{n} première réponse", "{n} premières réponses", n),
        "newcomer_first_topic": lambda n: ngettext("{n} réponse", "{n} réponses", n),
        "solution": lambda n: ngettext("{n} solution", "{n} solutions", n),
        "like": lambda n: ngettext("{n} J'aime", "{n} J'aime", n),
        "person_helped": lambda n: ngettext("{n} personne", "{n} personnes", n),
        "topic": lambda n: ngettext("{n} sujet", "{n} sujets", n),
    }
    return units[component](count) if component in units else format_number(count, 0)


def _day(iso: str | None) -> str | None:
    """An ISO date or time of the mirror as a day in words (« 15 octobre 2026 »), or None."""
    return format_day(date.fromisoformat(iso[:10])) if iso else None


def _member_view(member: Member) -> dict:
    """Everything `/moi` and its JSON download show, for this member only."""
    services = current_services()
    opted_out = services.groups.optout in member.groups
    row = (
        None
        if opted_out
        else _scores().row(
            services.engine,
            services.score,
            services.groups.optout,
            member.user_id,
            services.campus.now,
        )
    )
    return {
        "held": member_data.held_data(services.engine, member.user_id),
        "opted_out": opted_out,
        "score": None if row is None else round(float(row["score"]), 2),
        "lines": member_data.score_lines(row, services.score),
        "period_days": member_data.PERIOD_DAYS,
    }


@bp.get("/moi")
@login_required
def page() -> str:
    """The member's own data, score line by line, and the opt-out switch."""
    member = current_member()
    services = current_services()
    return render_template(
        "me.html",
        view=_member_view(member),
        cooperatives=[
            services.groups.cooperatives.get(slug, slug)
            for slug in services.groups.cooperatives_of(member.groups)
        ],
        role=role_labels().get(services.groups.role_of(member.groups) or "", ""),
        optout_group=services.groups.optout,
        labels=component_labels(),
        what_happened=what_happened,
        number=format_number,
        day=_day,
    )


@bp.get("/moi/donnees.json")
@login_required
def download() -> Response:
    """The same data as a JSON file (right to data portability)."""
    member = current_member()
    view = _member_view(member)
    data = {
        "exported_at": current_services().campus.now().isoformat(),
        "login": {
            "user_id": member.user_id,
            "username": member.username,
            "name": member.name,
            "admin": member.admin,
            "groups": sorted(member.groups),
        },
        "mirror": view["held"],
        "score": {
            "period_days": view["period_days"],
            "opted_out": view["opted_out"],
            "total": view["score"],
            "breakdown": [
                {"component": line.component, "count": line.count, "points": line.points}
                for line in view["lines"]
            ],
        },
        "not_kept": _(
            "Campus ne garde pas le texte des messages : seulement leurs dates et leur structure."
        ),
    }
    body = json.dumps(data, ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="campus-mes-donnees.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/moi/retrait")
@login_required
def optout() -> Response:
    """Join (`retrait=on`) or leave (`retrait=off`) the opt-out group through the forum's API."""
    member = current_member()
    services = current_services()
    wanted = request.form.get("retrait")
    if wanted not in ("on", "off"):
        return _bad_request()
    group_name = services.groups.optout
    try:
        client = services.client_factory()
        group = member_data.group_id(services.engine, group_name)
        if group is None:
            found = client.group(group_name)
            group = int((found.get("group") or found)["id"])
        if wanted == "on":
            client.add_group_members_by_id(group, [member.username])
        else:
            client.remove_group_members_by_id(group, [member.username])
    except CampusError:
        current_app.logger.exception("opt-out change failed for user %s", member.user_id)
        body = render_template(
            "error.html",
            title=_("Le forum n'a pas répondu"),
            message=_(
                "Votre choix n'a pas pu être enregistré sur le forum : rien n'a changé."
                " Réessayez dans quelques minutes."
            ),
            status=502,
        )
        return Response(body, status=502, mimetype="text/html")
    member_data.record_membership(services.engine, group, member.user_id, wanted == "on")
    groups = member.groups | {group_name} if wanted == "on" else member.groups - {group_name}
    session["member"] = replace(member, groups=frozenset(groups)).as_session()
    flash(
        _("C'est fait : vous n'êtes plus compté·e dans les scores.")
        if wanted == "on"
        else _("C'est fait : vous êtes de nouveau compté·e dans les scores.")
    )
    return redirect("/moi", code=303)


def _bad_request() -> Response:
    body = render_template(
        "error.html",
        title=_("Requête invalide"),
        message=_("Choix attendu : retrait=on ou retrait=off."),
        status=400,
    )
    return Response(body, status=400, mimetype="text/html")
