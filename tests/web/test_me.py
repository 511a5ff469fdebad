"""« Mes données »: the member's own data, score line by line, opt-out, JSON download."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from analytics import scoring as score_engine
from analytics.settings import ScoreWeights
from app import member_data
from sync.mirror.loader import load_forum
from tests.support.clock import FIXTURE_NOW

# « Mes données » scores the last year up to now, and the page keeps its table between requests:
# every test of the module runs at the fixtures' date, so the table is the one they expect
# whichever test computes it first.

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("frozen_clock")]


def _table(site):
    end = FIXTURE_NOW
    return score_engine.score(
        load_forum(site.services.engine),
        ScoreWeights(),
        start=end - timedelta(days=member_data.PERIOD_DAYS),
        end=end,
    )


def _expected_row(site, username: str):
    table = _table(site)
    return table.loc[table["username"] == username].iloc[0]


def _scored_username(site) -> str:
    """The member with the highest score (one with replies, likes and people helped)."""
    return str(_table(site).iloc[0]["username"])


def test_json_download_holds_the_members_own_score_breakdown(site):
    username = _scored_username(site)
    session = site.login(username)
    response = session.get(site.url + "/moi/donnees.json")
    assert response.headers["Content-Type"].startswith("application/json")
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.json()
    expected = _expected_row(site, username)
    assert data["login"]["username"] == username
    assert data["score"]["total"] == pytest.approx(float(expected["score"]))
    points = {line["component"]: line["points"] for line in data["score"]["breakdown"]}
    for component in score_engine.COMPONENTS:
        assert points[component] == pytest.approx(float(expected[component]), abs=0.01)
    assert sum(points.values()) == pytest.approx(data["score"]["total"], abs=0.05)


def test_json_download_lists_posts_without_any_text(site):
    session = site.login(site.roles["entrepreneur"])
    data = session.get(site.url + "/moi/donnees.json").json()
    user_id = data["login"]["user_id"]
    assert data["mirror"]["account"]["id"] == user_id
    for post in data["mirror"]["posts"]:
        assert set(post) == {
            "post_id",
            "topic_id",
            "post_number",
            "created_at",
            "updated_at",
            "deleted_at",
            "like_count",
            "accepted_answer",
        }


def test_page_shows_each_component_with_what_happened(site):
    username = _scored_username(site)
    expected = _expected_row(site, username)
    page = site.login(username).get(site.url + "/moi").text
    replies = round(float(expected["reply"]) / ScoreWeights().reply)
    assert f"{replies} réponses" in page
    assert "Réponses dans le sujet de quelqu&#39;un d&#39;autre" in page


def test_optout_joins_then_leaves_the_group_on_the_forum(site):
    username = site.roles["entrepreneur"]
    forum = site.sandbox.state
    group = forum.group_by_name("campus-optout")
    user = forum.user_by_username(username)
    session = site.login(username)
    token = site.csrf(session)
    response = session.post(site.url + "/moi/retrait", data={"csrf_token": token, "retrait": "on"})
    assert response.status_code == 200
    assert user.id in forum.group_member_ids(group)
    assert "retiré·e des scores" in response.text
    assert session.get(site.url + "/moi/donnees.json").json()["score"]["opted_out"] is True
    token = site.csrf(session)
    session.post(site.url + "/moi/retrait", data={"csrf_token": token, "retrait": "off"})
    assert user.id not in forum.group_member_ids(group)
    assert session.get(site.url + "/moi/donnees.json").json()["score"]["opted_out"] is False


def test_optout_refuses_an_unknown_choice(site):
    session = site.login(site.roles["entrepreneur"])
    token = site.csrf(session)
    response = session.post(site.url + "/moi/retrait", data={"csrf_token": token, "retrait": "x"})
    assert response.status_code == 400


def test_page_speaks_the_members_words_numbers_dates_and_plurals(site):
    username = _scored_username(site)
    expected = _expected_row(site, username)
    page = site.login(username).get(site.url + "/moi").text

    assert "Votre activité sur le forum" in page and "miroir" not in page
    assert "J&#39;aime reçus" in page and "Likes" not in page
    assert "Compte créé le</dt><dd>—" not in page
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", page)  # dates in words, never ISO
    assert re.search(r"\b\d{1,2} [a-zéû]+ 20\d\d\b", page)
    assert not re.search(r"\b1 (sujets|réponses|solutions|personnes)\b", page)
    assert not re.search(r"\d\.\d", page)  # French decimals (« 21,5 ») and no « 21.0 »
    total = score_engine_total(expected["score"])
    assert f"<strong>{total}</strong>" in page


def score_engine_total(score: float) -> str:
    """The total as the page writes it: French decimal comma, no trailing « ,0 »."""
    rounded = round(float(score), 2)
    text = f"{rounded:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def test_what_happened_takes_the_singular_for_one():
    from web.me import what_happened

    assert what_happened("topic", 1) == "1 sujet"
    assert what_happened("topic", 3) == "3 sujets"
    assert what_happened("like", 2) == "2 J'aime"
    assert what_happened("cross_coop", None) == "—"
