"""Output of `campus score`: the DESIGN §3 JSON contract, CSV and the French table."""

from __future__ import annotations

import csv
import io
import json

import pytest

from analytics.scoring import expertise_map, explain, render_scores, score
from analytics.settings import ScoreWeights
from tests.support.forum_builder import ForumBuilder, ts

START, END = ts("2026-02-28T23:00Z"), ts("2026-03-31T22:00Z")


@pytest.fixture
def table():
    forum = ForumBuilder().user(1, "alice").user(2, "bob").user(3, "chloe", cooperative="coop-b")
    forum.topic(3, "2026-03-02T10:00Z", topic_id=1)  # chloe's first topic
    forum.post(1, 1, "2026-03-02T11:00Z")
    # alice: reply 2 + first 3 + newcomer 2 + cross 3.5 + 1 person 2 = 12.5; chloe: topic 1
    return score(forum.build(), ScoreWeights(), start=START, end=END)


def test_json_is_the_design_contract(table):
    records = json.loads(render_scores(table, "json"))
    assert records[0] == {
        "rank": 1,
        "username": "alice",
        "cooperative": "coop-a",
        "role": "entrepreneur",
        "score": 12.5,
        "breakdown": {
            "reply": 2,
            "first_response": 3,
            "newcomer_first_topic": 2,
            "cross_coop": 3.5,
            "solution": 0,
            "like": 0,
            "person_helped": 2,
            "topic": 0,
        },
        "activity": {
            "reply": 1,
            "first_response": 1,
            "newcomer_first_topic": 1,
            "cross_coop": 1,
            "solution": 0,
            "like": 0,
            "person_helped": 1,
            "topic": 0,
        },
    }
    assert [r["username"] for r in records] == ["alice", "chloe"]


def test_csv_has_one_line_per_person_with_english_column_names(table):
    lines = render_scores(table, "csv").splitlines()
    assert lines[0] == (
        "rank,username,cooperative,role,score,reply,first_response,newcomer_first_topic,"
        "cross_coop,solution,like,person_helped,topic,reply_count,first_response_count,"
        "newcomer_first_topic_count,cross_coop_count,solution_count,like_count,"
        "person_helped_count,topic_count"
    )
    assert lines[1] == (
        "1,alice,coop-a,entrepreneur,12.5,2.0,3.0,2.0,3.5,0.0,0.0,2.0,0.0,1,1,1,1,0,0,1,0"
    )


def test_csv_fr_opens_as_is_in_a_french_spreadsheet(table):
    text = render_scores(table, "csv-fr", lang="fr")
    assert text.startswith("\ufeff")  # the BOM: UTF-8 recognised by spreadsheets
    header, first = text[1:].split("\r\n")[:2]
    assert header.split(";")[:7] == [
        "Rang", "Nom", "Coopérative", "Rôle", "Score", "Réponses (nombre)", "Réponses (points)",
    ]  # fmt: skip
    assert first.split(";")[:7] == ["1", "alice", "coop-a", "entrepreneur", "12,5", "1", "2,0"]
    assert "3,5" in first.split(";")  # the cross-cooperative bonus, decimal comma


def test_csv_fr_cells_never_start_a_formula_either():
    forum = ForumBuilder().user(1, "=cmd|calc").user(2, "bob")
    forum.topic(2, "2026-03-02T10:00Z", topic_id=1)
    forum.post(1, 1, "2026-03-02T11:00Z")
    table = score(forum.build(), ScoreWeights(), start=START, end=END)
    for fmt in ("csv", "csv-fr"):
        assert "'=cmd|calc" in render_scores(table, fmt, lang="fr")


def test_table_shows_what_happened_beside_the_points(table):
    text = render_scores(table, "table", lang="fr")
    first = text.splitlines()[1]
    assert "1 · 2" in first  # one reply, 2 points
    assert "ce qui s'est passé · les points" in text


def test_user_explains_a_score_line_by_line(table):
    text = explain(table, "alice", ScoreWeights(), lang="fr")
    lines = text.splitlines()
    assert lines[0] == "alice (coop-a, entrepreneur) : score 12,5, rang 1."
    assert "  1 réponse dans le sujet de quelqu'un d'autre × 2 = 2" in lines
    assert "  1 première réponse à un sujet × 3 = 3" in lines
    assert any("autre coopérative" in line and "× 1,5 → +3,5" in line for line in lines)
    assert lines[-1] == "  Total : 12,5"


def test_table_has_french_headers_and_decimal_commas(table):
    text = render_scores(table, "table", lang="fr")
    header, first = text.splitlines()[:2]
    assert header.split()[:6] == ["Rang", "Nom", "Coopérative", "Rôle", "Score", "Réponses"]
    assert first.split()[:5] == ["1", "alice", "coop-a", "entrepreneur", "12,5"]


def test_table_in_english_on_request(table):
    assert render_scores(table, "table", lang="en").split()[:2] == ["Rank", "Name"]


def test_empty_period_says_so():
    forum = ForumBuilder().user(1, "alice")
    table = score(forum.build(), ScoreWeights(), start=START, end=END)
    assert (
        render_scores(table, "table", lang="fr")
        == "Aucune contribution à compter sur cette période."
    )


def test_expertise_map_json_carries_the_theme():
    forum = ForumBuilder().user(1, "alice").user(2, "bob")
    forum.topic(2, "2026-03-02T10:00Z", topic_id=1)
    forum.post(1, 1, "2026-03-02T11:00Z")
    table = expertise_map(forum.build(), ScoreWeights(), start=START, end=END)
    assert [(r["theme"], r["username"]) for r in json.loads(render_scores(table, "json"))] == [
        ("Entraide", "alice"),
        ("Entraide", "bob"),
    ]


def test_csv_cells_never_start_a_formula():
    forum = ForumBuilder().user(1, "@alice").user(2, "bob")
    forum.user(3, "-chloe", cooperative='=HYPERLINK("https://evil.example")')
    forum.topic(3, "2026-03-02T10:00Z", topic_id=1)
    forum.post(1, 1, "2026-03-02T11:00Z")
    table = score(forum.build(), ScoreWeights(), start=START, end=END)
    rows = list(csv.reader(io.StringIO(render_scores(table, "csv"))))[1:]
    assert {row[1] for row in rows} == {"'@alice", "'-chloe"}
    assert '\'=HYPERLINK("https://evil.example")' in {row[2] for row in rows}
    assert all(not cell.startswith(("=", "@", "+")) for row in rows for cell in row)
