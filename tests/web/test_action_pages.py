"""The action log over real HTTP (DESIGN §10, §14): a director of cooperative A records and
changes A's actions (303), a director of B gets 403, bad input gets a 400 page naming the field
with nothing written, the history with its authors is for animators only."""

from __future__ import annotations

import html

import pytest

from app import actions
from tests.support.web_site import REPORT_MONTH

M = REPORT_MONTH


@pytest.fixture(scope="module")
def sessions(site):
    return {role: site.login(username) for role, username in site.roles.items()}


def log_path(site, slug: str | None = None) -> str:
    return f"/rapports/{M}/{slug or site.cooperative_a}/actions"


def post_action(site, session, slug=None, **fields):
    form = {
        "csrf_token": site.csrf(session, log_path(site, slug)),
        "axis": "intensite",
        "indicator": "after_hours",
        "kind": "deconnexion",
        "title": "Pas de messages après 20 h",
        "started": "2026-10-05",
        "status": "en_cours",
        **fields,
    }
    return session.post(
        site.url + log_path(site, slug), data=form, allow_redirects=False, timeout=30
    )


def stored(site) -> list[actions.ActionRecord]:
    return actions.cooperative_actions(site.services.campus, site.cooperative_a)


def test_a_director_records_an_action_and_finds_it_in_the_log(site, sessions):
    before = len(stored(site))
    response = post_action(site, sessions["director"], title="Charte du soir sans messages")

    assert response.status_code == 303
    assert response.headers["Location"].startswith(log_path(site))
    page = sessions["director"].get(site.url + log_path(site), timeout=30)
    assert page.status_code == 200
    assert "Charte du soir sans messages" in page.text
    assert "Droit à la déconnexion" in page.text
    assert len(stored(site)) == before + 1
    # the history and its authors are for animators only
    assert "Historique des modifications" not in page.text
    report = sessions["director"].get(site.url + f"/rapports/{M}/{site.cooperative_a}", timeout=30)
    assert log_path(site) in report.text


def test_a_director_of_another_cooperative_gets_403_and_writes_nothing(site, sessions):
    before = len(stored(site))
    other = sessions["director_b"]

    assert other.get(site.url + log_path(site), timeout=30).status_code == 403
    token = site.csrf(other, log_path(site, site.cooperative_b))
    refused = other.post(
        site.url + log_path(site),
        data={
            "csrf_token": token,
            "axis": "intensite",
            "kind": "edt",
            "title": "Essai",
            "started": "2026-10-01",
            "status": "en_cours",
        },
        allow_redirects=False,
        timeout=30,
    )
    assert refused.status_code == 403
    assert "réservé à sa direction" in refused.text
    assert sessions["entrepreneur"].get(site.url + log_path(site), timeout=30).status_code == 403
    report = other.get(site.url + f"/rapports/{M}/{site.cooperative_b}", timeout=30)
    assert log_path(site) not in report.text
    assert len(stored(site)) == before


def test_not_logged_in_is_sent_to_the_login(site):
    import requests

    response = requests.get(site.url + log_path(site), allow_redirects=False, timeout=30)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(
    ("fields", "field_label"),
    [
        ({"kind": "fete"}, "Type d'action"),
        ({"started": "2026-13-01"}, "Date de début"),
        ({"axis": "bonheur"}, "Axe"),
        ({"title": "Point avec @someone"}, "Titre"),
    ],
)
def test_bad_input_gets_a_400_page_naming_the_field(site, sessions, fields, field_label):
    before = len(stored(site))
    response = post_action(site, sessions["director"], **fields)

    assert response.status_code == 400
    assert f"Champ « {field_label} »" in html.unescape(response.text)
    assert 'aria-invalid="true"' in response.text
    assert len(stored(site)) == before


def test_a_title_naming_a_member_is_refused(site, sessions):
    before = len(stored(site))
    member = site.roles["entrepreneur"]
    response = post_action(site, sessions["director"], title=f"Soutenir {member} ce mois-ci")

    assert response.status_code == 400
    assert "nomme un membre" in response.text
    assert len(stored(site)) == before


def test_a_form_without_its_csrf_token_is_refused(site, sessions):
    before = len(stored(site))
    response = sessions["director"].post(
        site.url + log_path(site),
        data={
            "axis": "intensite",
            "kind": "edt",
            "title": "Sans jeton",
            "started": "2026-10-01",
            "status": "en_cours",
        },
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 400
    assert len(stored(site)) == before


def test_a_change_is_kept_with_its_author_shown_to_animators_only(site, sessions):
    post_action(site, sessions["director"], title="Espace de discussion trimestriel", kind="edt")
    action = next(a for a in stored(site) if a.title == "Espace de discussion trimestriel")
    director = sessions["director"]
    token = site.csrf(director, log_path(site))

    changed = director.post(
        site.url + f"/actions/{action.id}",
        data={"csrf_token": token, "status": "faite", "title": action.title, "month": M},
        allow_redirects=False,
        timeout=30,
    )
    refused = director.post(
        site.url + f"/actions/{action.id}",
        data={"csrf_token": token, "status": "oubliee", "title": action.title},
        allow_redirects=False,
        timeout=30,
    )
    other = sessions["director_b"]
    forbidden = other.post(
        site.url + f"/actions/{action.id}",
        data={
            "csrf_token": site.csrf(other, log_path(site, site.cooperative_b)),
            "status": "prevue",
        },
        allow_redirects=False,
        timeout=30,
    )

    assert changed.status_code == 303
    assert refused.status_code == 400 and "Champ « Statut »" in refused.text
    assert forbidden.status_code == 403
    assert actions.get_action(site.services.campus, action.id).status == "faite"
    animator_page = sessions["animator"].get(site.url + log_path(site), timeout=30).text
    assert "Historique des modifications" in animator_page
    assert site.roles["director"] in animator_page
    missing = director.post(
        site.url + "/actions/999999",
        data={"csrf_token": token, "status": "faite"},
        allow_redirects=False,
        timeout=30,
    )
    assert missing.status_code == 404
