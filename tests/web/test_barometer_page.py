"""`GET|POST /barometre`: the notice first, the form, and every case where one cannot answer."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import text

from tests.support.barometer_site import ANSWER, csrf_token, log_in, make_app, this_month

pytestmark = pytest.mark.integration


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path)


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def respondents(app) -> int:
    engine = app.extensions["campus"].engine
    with engine.connect() as conn:
        return conn.execute(text("SELECT COUNT(*) FROM barometer_respondents")).scalar()


def test_a_visitor_is_sent_to_the_login(app):
    response = app.test_client().get("/barometre")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login?next=%2Fbarometre")


def test_the_notice_comes_before_the_first_statement(app):
    client = app.test_client()
    log_in(client, 11, {"coop-alpha", "entrepreneurs"})
    page = page_text(client.get("/barometre"))
    for heading in ("Qui voit quoi", "Comment l'anonymat est assuré", "À quoi il sert"):
        assert page.index(heading) < page.index("<fieldset")
    assert "Combien de temps" in page and "Contact" in page


def test_each_axis_is_a_fieldset_of_five_values_and_an_abstention(app):
    client = app.test_client()
    log_in(client, 11, {"coop-alpha", "entrepreneurs"})
    page = page_text(client.get("/barometre"))
    assert page.count("<fieldset") == 6 and page.count("<legend>") == 6
    for axis in ANSWER:
        values = re.findall(rf'name="{axis}" value="([^"]*)"', page)
        assert values == ["1", "2", "3", "4", "5", ""]
        assert f'<label for="{axis}-none">Je préfère ne pas répondre</label>' in page
    assert "Pas du tout d'accord" in page and "Tout à fait d'accord" in page
    assert "<script" not in page


def test_an_answer_is_thanked_and_a_second_refused(app):
    client = app.test_client()
    log_in(client, 11, {"coop-alpha", "entrepreneurs"})
    token = csrf_token(page_text(client.get("/barometre")))
    first = client.post("/barometre", data={**ANSWER, "csrf_token": token})
    assert first.status_code == 303
    thanks = page_text(client.get("/barometre"))
    assert "Merci, votre réponse est enregistrée" in thanks and "<fieldset" not in thanks
    second = client.post("/barometre", data={**ANSWER, "csrf_token": token})
    assert second.status_code == 409
    assert respondents(app) == 1
    assert app.extensions["campus_barometer"].pending() == 1


def test_a_form_without_its_csrf_token_records_nothing(app):
    client = app.test_client()
    log_in(client, 11, {"coop-alpha", "entrepreneurs"})
    assert client.post("/barometre", data=ANSWER).status_code == 400
    assert respondents(app) == 0


def test_a_value_off_the_scale_is_refused_and_nothing_recorded(app):
    client = app.test_client()
    log_in(client, 11, {"coop-alpha", "entrepreneurs"})
    token = csrf_token(page_text(client.get("/barometre")))
    response = client.post("/barometre", data={**ANSWER, "autonomie": "9", "csrf_token": token})
    assert response.status_code == 400
    assert "Réponse invalide pour « Autonomie »" in page_text(response)
    assert respondents(app) == 0


def test_a_member_of_no_cooperative_is_told_why(app):
    client = app.test_client()
    log_in(client, 12, {"entrepreneurs", "transformers"})
    response = client.get("/barometre")
    assert response.status_code == 403
    assert "n'appartient au groupe d'aucune coopérative" in page_text(response)


def test_an_unopened_month_says_so(tmp_path):
    client = make_app(tmp_path, opened=False).test_client()
    log_in(client, 11, {"coop-alpha", "entrepreneurs"})
    page = page_text(client.get("/barometre"))
    assert f"Le baromètre de {this_month()} n'est pas encore ouvert" in page
    assert "<fieldset" not in page


def test_a_closed_month_says_so_and_refuses_answers(app):
    from datetime import date

    from sync.mirror import barometer_store

    barometer_store.close_month(app.extensions["campus"].engine, this_month(), date.today())
    client = app.test_client()
    log_in(client, 11, {"coop-alpha", "entrepreneurs"})
    page = page_text(client.get("/barometre"))
    assert "est clos" in page
    token = csrf_token(page)
    assert client.post("/barometre", data={**ANSWER, "csrf_token": token}).status_code == 409


def test_the_polls_mode_shows_no_form_and_warns(tmp_path):
    client = make_app(tmp_path, mode="discourse_polls").test_client()
    log_in(client, 11, {"coop-alpha", "entrepreneurs"})
    page = page_text(client.get("/barometre"))
    assert "ne sont pas anonymes" in page and "<fieldset" not in page


def test_the_page_is_in_english_on_request(app, monkeypatch):
    monkeypatch.setenv("CAMPUS_LANG", "en")
    client = app.test_client()
    log_in(client, 11, {"coop-alpha", "entrepreneurs"})
    page = page_text(client.get("/barometre"))
    assert "Who sees what" in page and "I prefer not to answer" in page


def test_the_page_says_where_the_answer_is_counted(app):
    client = app.test_client()
    log_in(client, 11, {"coop-alpha", "equipes-appui"})
    page = page_text(client.get("/barometre"))
    assert "Votre réponse sera comptée dans : Coopérative Alpha · équipe d'appui." in page
