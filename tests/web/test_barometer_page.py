"""`GET|POST /barometre`: the notice first, the form, and every case where one cannot answer."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import text

from core.vocabulary import AXES, AXIS_LABELS
from reports.formatting import Formatter
from tests.support.barometer_site import ANSWER, csrf_token, log_in, make_app, this_month

pytestmark = pytest.mark.integration


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path)


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def month_words() -> str:
    """This month as the pages write it (« décembre 2026 »)."""
    return Formatter("fr").month(this_month())


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
    assert f"Le baromètre de {month_words()} n'est pas encore ouvert" in page
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


def test_nothing_is_checked_before_the_member_chooses(app):
    client = app.test_client()
    log_in(client, 11, {"coop-alpha", "entrepreneurs"})
    page = page_text(client.get("/barometre"))
    assert page.count('type="radio"') == 36
    assert " checked" not in page


def test_an_untouched_form_is_shown_again_naming_every_statement_and_spends_nothing(app):
    client = app.test_client()
    log_in(client, 11, {"coop-alpha", "entrepreneurs"})
    token = csrf_token(page_text(client.get("/barometre")))
    response = client.post("/barometre", data={"csrf_token": token})
    page = page_text(response)
    assert response.status_code == 400
    assert "Il manque 6 réponses : rien n'a été enregistré." in page
    for axis in AXES:
        assert f'<a href="#{axis}">{AXIS_LABELS["fr"][axis]}</a>' in page
    assert page.count('class="statement missing"') == 6 and "<fieldset" in page
    assert respondents(app) == 0 and app.extensions["campus_barometer"].pending() == 0
    # the month is not spent: the member can still answer
    assert client.post("/barometre", data={**ANSWER, "csrf_token": token}).status_code == 303


def test_one_statement_left_blank_is_named_and_the_other_choices_are_kept(app):
    client = app.test_client()
    log_in(client, 11, {"coop-alpha", "entrepreneurs"})
    token = csrf_token(page_text(client.get("/barometre")))
    partial = {axis: value for axis, value in ANSWER.items() if axis != "autonomie"}
    response = client.post("/barometre", data={**partial, "csrf_token": token})
    page = page_text(response)
    assert response.status_code == 400
    assert "Il manque une réponse" in page and '<a href="#autonomie">Autonomie</a>' in page
    assert 'aria-describedby="autonomie-error"' in page
    assert page.count('class="statement missing"') == 1
    assert 'id="intensite-2" name="intensite" value="2" checked' in page
    assert 'id="insecurite-none" name="insecurite" value="" checked' in page  # the abstention
    assert respondents(app) == 0


def test_the_thank_you_says_what_happens_next_once_then_already_answered(app):
    client = app.test_client()
    log_in(client, 11, {"coop-alpha", "entrepreneurs"})
    token = csrf_token(page_text(client.get("/barometre")))
    assert client.post("/barometre", data={**ANSWER, "csrf_token": token}).status_code == 303
    thanks = page_text(client.get("/barometre"))
    assert "Merci, votre réponse est enregistrée" in thanks
    assert "Et maintenant ?" in thanks and "Les résultats paraîtront le 1" in thanks
    assert '<a href="/barometre/resultats">' in thanks
    assert '<a class="button" href="http://forum.test">Retour au forum</a>' in thanks
    later = page_text(client.get("/barometre"))
    assert "Vous avez déjà répondu ce mois-ci" in later
    assert f"votre réponse de {month_words()} est comptée" in later
    assert "Merci, votre réponse est enregistrée" not in later
    assert '<a href="/barometre/resultats">' in later and "Retour au forum" in later


def test_the_home_page_announces_the_open_barometer_until_the_member_answers(app):
    client = app.test_client()
    log_in(client, 11, {"coop-alpha", "entrepreneurs"})
    home = page_text(client.get("/"))
    assert f"Le baromètre de {month_words()} est ouvert" in home
    assert '<a class="button" href="/barometre">Répondre au baromètre</a>' in home
    token = csrf_token(page_text(client.get("/barometre")))
    client.post("/barometre", data={**ANSWER, "csrf_token": token})
    after = page_text(client.get("/"))
    assert "Répondre au baromètre" not in after
    assert f"Baromètre de {month_words()} : merci, vous avez répondu" in after


def test_the_home_page_says_nothing_of_a_barometer_one_cannot_answer(tmp_path):
    client = make_app(tmp_path, opened=False).test_client()
    log_in(client, 11, {"coop-alpha", "entrepreneurs"})
    assert "Répondre au baromètre" not in page_text(client.get("/"))
    log_in(client, 12, {"entrepreneurs"})  # no cooperative
    assert "Baromètre QVT" not in page_text(client.get("/"))
