"""`GET /barometre/resultats` (DESIGN §10, §14): « vous avez dit / nous avons fait ».

Last month's barometer is closed with the answers of 6 members of coop-alpha and none of
coop-beta; coop-alpha's direction recorded an action since. A member of coop-alpha sees
coop-alpha's and the network's means and the action (never who recorded it); a member of
coop-beta sees only the network's, and a sentence saying why not their cooperative's.
"""

from __future__ import annotations

from datetime import date

import pytest

from app import actions
from core.vocabulary import shift_month
from sync.mirror import barometer_store
from tests.support.barometer_site import COOPERATIVES, log_in, make_app, this_month

ANSWERS = [
    {"intensite": 2, "autonomie": 4, "rapports_sociaux": 5, "insecurite": None},
    {"intensite": 3, "autonomie": 4, "rapports_sociaux": 4, "insecurite": None},
    {"intensite": 2, "autonomie": 5, "rapports_sociaux": 5, "insecurite": 3},
    {"intensite": 3, "autonomie": 4, "rapports_sociaux": 4, "insecurite": None},
    {"intensite": 2, "autonomie": 3, "rapports_sociaux": 5, "insecurite": 2},
    {"intensite": 3, "autonomie": 4, "rapports_sociaux": 4, "insecurite": None},
]
TITLE = "Un <em>espace</em> de discussion sur les soirées"


def cooperatives_csv(folder) -> None:
    lines = ["slug,name"] + [f"{slug},{name}" for slug, name in COOPERATIVES.items()]
    (folder / "cooperatives.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def app(tmp_path):
    cooperatives_csv(tmp_path)
    application = make_app(tmp_path)
    campus = application.extensions["campus"].campus
    last = shift_month(this_month(), -1)
    engine = campus.engine
    barometer_store.open_month(engine, last, date.today())
    barometer_store.add_batch(engine, last, "coop-alpha", "entrepreneur", ANSWERS)
    barometer_store.close_month(engine, last, date.today())
    actions.record_action(
        campus,
        "coop-alpha",
        last,
        axis="intensite",
        indicator=None,
        kind="edt",
        title=TITLE,
        started=campus.today(),
        status="en_cours",
        author=actions.Author(99, "directrice-alpha"),
    )
    return application


def page(app, user_id: int, groups: set[str]) -> str:
    client = app.test_client()
    log_in(client, user_id, groups)
    response = client.get("/barometre/resultats")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_member_sees_their_cooperative_the_network_and_the_action(app):
    text = page(app, 1, {"coop-alpha", "entrepreneurs"})
    assert "Vous avez dit" in text and "Nous avons fait" in text
    assert '<th scope="col">Coopérative Alpha</th>' in text
    assert '<th scope="col">Réseau</th>' in text
    assert "<td>2,5</td>" in text  # intensity: (2+3+2+3+2+3) / 6
    assert "<td>4,5</td>" in text  # social relations: 27 / 6
    assert "<td>6</td>" in text  # answers
    assert "Espace de discussion sur le travail" in text
    assert "Un &lt;em&gt;espace&lt;/em&gt; de discussion sur les soirées" in text
    assert "en cours" in text
    assert "directrice-alpha" not in text  # never who recorded it
    # insecurity: 2 answers, under the size, shown as a dash
    assert "– : moins de 5 réponses sur cet axe." in text


def test_under_the_group_size_only_a_sentence_says_why(app):
    text = page(app, 2, {"coop-beta", "entrepreneurs"})
    assert "Moins de 5 personnes (Beta Entreprendre) ont répondu" in text
    assert '<th scope="col">Beta Entreprendre</th>' not in text
    assert '<th scope="col">Réseau</th>' in text
    assert TITLE not in text and "Un &lt;em&gt;espace" not in text  # coop-alpha's action
    assert "Aucune action n&#39;a encore été enregistrée" in text


def test_a_month_nobody_answered_shows_no_figure(tmp_path):
    cooperatives_csv(tmp_path)
    application = make_app(tmp_path)
    engine = application.extensions["campus"].campus.engine
    last = shift_month(this_month(), -1)
    barometer_store.open_month(engine, last, date.today())
    barometer_store.close_month(engine, last, date.today())
    text = page(application, 1, {"coop-alpha", "entrepreneurs"})
    assert "<table" not in text
    assert "Moins de 5 personnes (Coopérative Alpha) ont répondu" in text
    assert "Moins de 5 personnes (le réseau) ont répondu" in text


def test_before_any_closed_month_the_page_says_so(tmp_path):
    cooperatives_csv(tmp_path)
    text = page(make_app(tmp_path), 1, {"coop-alpha", "entrepreneurs"})
    assert "Pas encore de résultats" in text


def test_not_logged_in_is_sent_to_the_login(app):
    response = app.test_client().get("/barometre/resultats")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_the_barometer_and_home_pages_link_to_the_results(app):
    client = app.test_client()
    log_in(client, 1, {"coop-alpha", "entrepreneurs"})
    for path in ("/barometre", "/"):
        assert 'href="/barometre/resultats"' in client.get(path).get_data(as_text=True)
