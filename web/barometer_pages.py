"""The anonymous QVT barometer page, `GET|POST /barometre` (DESIGN §8, §10).

A logged-in member of one cooperative reads what happens to their answer, then answers the six
statements once for the month. The answer goes to the process's `AnswerBuffer` (memory) and
reaches the database's counts only in a batch of `min_group_size` answers of the same group:
see `sync.mirror.barometer_store` for the design and what a stop of the service can lose.

Nothing here writes to Discourse, and nothing about an answer is logged.
"""

from __future__ import annotations

import atexit
import logging
import threading

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    session,
)

from app import barometer, barometer_results
from core.i18n import _, current_lang, format_number, ngettext
from core.vocabulary import ACTION_KIND_LABELS, ACTION_STATUS_LABELS, AXES, AXIS_LABELS
from reports.formatting import Formatter
from web import access
from web.auth import Member, current_member, forbidden, login_required
from web.services import Services, current_services

bp = Blueprint("barometer", __name__)
log = logging.getLogger("campus.web.barometer")

SWEEP_SECONDS = 5.0  # how soon answers held for a month that closed are counted
THANKS = "barometer_thanks"  # session key: the month just answered, for the one thank-you page


@bp.record_once
def _attach_buffer(state) -> None:
    """One answer buffer per application, swept in the background and flushed at exit."""
    app: Flask = state.app
    services: Services = app.extensions["campus"]
    buffer = barometer.AnswerBuffer(services.engine, services.min_group_size)
    app.extensions["campus_barometer"] = buffer
    stop = threading.Event()

    def sweep_forever() -> None:
        while not stop.wait(SWEEP_SECONDS):
            try:
                buffer.sweep()
            except Exception:  # a database hiccup: the answers stay held until the next sweep
                log.warning(
                    _("Baromètre : le comptage des mois clos a échoué ; nouvel essai plus tard."),
                    exc_info=True,
                )

    def flush_at_exit() -> None:
        stop.set()
        try:
            held = buffer.flush_all()
        except Exception:
            log.warning(
                _("Baromètre : les réponses en attente n'ont pas pu être comptées à l'arrêt."),
                exc_info=True,
            )
            return
        if held:
            log.info(
                ngettext(
                    "Baromètre : {n} réponse en attente regroupée à l'arrêt.",
                    "Baromètre : {n} réponses en attente regroupées à l'arrêt.",
                    held,
                )
            )

    threading.Thread(target=sweep_forever, name="barometer-sweep", daemon=True).start()
    atexit.register(flush_at_exit)


def answer_buffer() -> barometer.AnswerBuffer:
    """The answer buffer of the application handling the request."""
    return current_app.extensions["campus_barometer"]


def _page(status: int = 200, **context) -> Response:
    services = current_services()
    settings = services.pulse
    month = context.pop("month")
    body = render_template(
        "barometre.html",
        month=month,
        axes=AXES,
        axis_labels=AXIS_LABELS[current_lang()],
        statements=settings.statements,
        scale=settings.scale(),
        contact=settings.contact,
        keep_years=settings.keep_years,
        min_group_size=services.min_group_size,
        facts=barometer.month_facts(services.campus, month),
        forum_url=services.forum_root,
        **context,
    )
    return Response(body, status=status, mimetype="text/html")


def _respondent(member: Member, services: Services) -> barometer.Respondent | None:
    return barometer.respondent_from_groups(
        member.user_id,
        member.groups,
        services.groups.cooperatives,
        services.groups.role_groups,
    )


def _refusal(
    member: Member, services: Services, month: str, posting: bool = False
) -> Response | None:
    """The page saying why this member cannot answer now, or None when they can."""
    if not services.pulse.anonymous:
        return _page(month=month, state="polls")
    if _respondent(member, services) is None:
        if access.is_animator(member):
            return _animator_page(services, month)
        return forbidden(
            _(
                "Le baromètre est réservé aux membres d'une coopérative du réseau, pour que les "
                "résultats soient comptés dans la bonne coopérative. Votre compte du forum "
                "n'appartient au groupe d'aucune coopérative : si c'est une erreur, demandez à "
                "{contact} de vous y ajouter.",
                contact=services.pulse.contact,
            )
        )
    state = barometer.month_state(services.engine, month)
    if state != "open":
        return _page(month=month, state=state)
    if barometer.has_answered(services.engine, month, member.user_id):
        if posting:
            return _page(month=month, state="already")
        # the thank-you once, right after the answer; « déjà répondu » on any later visit
        just_answered = session.pop(THANKS, None) == month
        return _page(month=month, state="thanks" if just_answered else "answered")
    return None


def _animator_page(services: Services, month: str) -> Response:
    """An animator outside every cooperative does not answer: what they can do here instead."""
    body = render_template(
        "barometre_animateur.html",
        month=month,
        state=barometer.month_state(services.engine, month),
        min_group_size=services.min_group_size,
    )
    return Response(body, status=200, mimetype="text/html")


def home_invitation(member: Member) -> dict | None:
    """What the home page says of this month's barometer to `member`: its facts in words, its
    state and whether they answered; None when they cannot answer it (no cooperative, or the
    network still uses the forum's polls)."""
    services = current_services()
    if not services.pulse.anonymous or _respondent(member, services) is None:
        return None
    return barometer.invitation(services.campus, member.user_id)


@bp.get("/barometre")
@login_required
def page() -> Response:
    """The notice, then the form (or why the member cannot answer now)."""
    services = current_services()
    member = current_member()
    month = services.campus.current_month()
    refusal = _refusal(member, services, month)
    if refusal is not None:
        return refusal
    respondent = _respondent(member, services)
    return _page(month=month, state="form", group=_group_label(respondent, services), values={})


def _group_label(respondent: barometer.Respondent, services: Services) -> str:
    """Where the member's answer is counted, in their words: cooperative's name and role."""
    roles = {
        "entrepreneur": _("entrepreneur·e"),
        "appui": _("équipe d'appui"),
        "direction": _("direction"),
    }
    place = services.groups.cooperatives.get(respondent.cooperative) or _(
        "le réseau (vous êtes dans plusieurs coopératives)"
    )
    role = roles.get(respondent.role)
    return f"{place} · {role}" if role else place


@bp.post("/barometre")
@login_required
def answer() -> Response:
    """Record one answer for the month (once), then show the thanks page.

    Every statement needs a choice (a value 1–5, or the empty value of « je préfère ne pas
    répondre »): a form with one left blank is shown again, saying which, and spends nothing."""
    services = current_services()
    member = current_member()
    month = services.campus.current_month()
    refusal = _refusal(member, services, month, posting=True)
    if refusal is not None:
        if refusal.status_code == 200:  # answered already, closed, unopened: nothing recorded
            refusal.status_code = 409
        return refusal
    respondent = _respondent(member, services)
    try:
        answers = barometer.clean_answers(request.form)
    except barometer.UnansweredStatements as error:  # shown again, choices kept, nothing spent
        return _page(
            400,
            month=month,
            state="form",
            group=_group_label(respondent, services),
            values=request.form,
            missing=error.axes,
        )
    except ValueError as error:
        return _page(
            400,
            month=month,
            state="form",
            group=_group_label(respondent, services),
            values=request.form,
            invalid=str(error),
        )
    outcome = answer_buffer().submit(month, respondent, answers)
    if outcome != "recorded":
        return _page(409, month=month, state=outcome)
    session[THANKS] = month
    return redirect("/barometre", code=303)


@bp.get("/barometre/resultats")
@login_required
def results() -> str:
    """« Vous avez dit / nous avons fait »: the last closed month's results, the network's and
    the member's own cooperative's (each only where enough people answered), and the actions
    its direction decided since (DESIGN §10, §14)."""
    services = current_services()
    member = current_member()
    names = services.groups.cooperatives
    found = barometer_results.results(
        services.campus, None, services.groups.cooperatives_of(member.groups), names
    )
    lang = current_lang()
    fmt = Formatter(lang)

    def mean(value: float | None) -> str:
        return "–" if value is None else format_number(value, 1)

    scopes = [(names.get(slug, slug), scope) for slug, scope in found.cooperatives.items()]
    if found.network is not None:
        scopes.append((_("Réseau"), found.network))

    return render_template(
        "barometre_resultats.html",
        results=found,
        shown=[(name, scope) for name, scope in scopes if scope.shown],
        hidden=[
            names.get(slug, slug) for slug, scope in found.cooperatives.items() if not scope.shown
        ]
        + ([_("le réseau")] if found.network is not None and not found.network.shown else []),
        month=fmt.month(found.month) if found.month else None,
        axes=AXES,
        axis_labels=AXIS_LABELS[lang],
        kinds=ACTION_KIND_LABELS[lang],
        statuses=ACTION_STATUS_LABELS[lang],
        mean=mean,
        number=lambda n: format_number(n, 0),
        day=fmt.day,
        names=names,
    )
