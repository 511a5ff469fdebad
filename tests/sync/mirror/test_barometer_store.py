"""The barometer's storage keeps who answered and aggregate counts apart (DESIGN §8).

On a real SQLite file and a real PostgreSQL database: answers reach the counts only in batches of
`min_group_size` of one group, a second answer is refused, closing pools the rest and deletes the
list of who answered, and a restart loses held answers without ever counting one twice.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, event, inspect, text

from core.vocabulary import AXES
from sync.mirror import barometer_store
from sync.mirror.barometer_store import AnswerBuffer, Respondent
from sync.mirror.db import connect

MONTH = "2026-11"
TODAY = date(2026, 11, 2)
K = 5


@pytest.fixture
def engine(db_url) -> Engine:
    engine = connect(db_url)
    barometer_store.open_month(engine, MONTH, TODAY)
    yield engine
    engine.dispose()


def answers(value: int | None) -> dict[str, int | None]:
    return {axis: value for axis in AXES}


def table_rows(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every barometer table, sorted (a snapshot of what a reader could copy)."""
    names = [name for name in inspect(engine).get_table_names() if name.startswith("barometer")]
    with engine.connect() as conn:
        return {
            name: sorted(tuple(row) for row in conn.execute(text(f"SELECT * FROM {name}")))
            for name in names
        }


def counted(engine: Engine) -> dict[tuple[str, str], int]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT cooperative, role, respondents FROM barometer_cells"))
        return {(coop, role): n for coop, role, n in rows}


def test_answers_wait_until_their_group_reaches_the_batch_size(engine):
    buffer = AnswerBuffer(engine, K)
    for user in range(K - 1):
        assert buffer.submit(MONTH, Respondent(user, "coop-a", "entrepreneur"), answers(2)) == (
            "recorded"
        )
    assert counted(engine) == {}
    assert buffer.pending() == K - 1
    buffer.submit(MONTH, Respondent(99, "coop-a", "entrepreneur"), answers(4))
    assert counted(engine) == {("coop-a", "entrepreneur"): K}
    assert buffer.pending() == 0
    data = barometer_store.read_month(engine, MONTH)
    rows = data.counts[data.counts["axis"] == "autonomie"].set_index("value")["count"]
    assert rows.to_dict() == {2: K - 1, 4: 1}


def test_answers_of_other_groups_never_complete_a_batch(engine):
    buffer = AnswerBuffer(engine, K)
    groups = [("coop-a", "entrepreneur"), ("coop-a", "appui"), ("coop-b", "entrepreneur")]
    for user in range(12):
        coop, role = groups[user % 3]
        buffer.submit(MONTH, Respondent(user, coop, role), answers(3))
    assert counted(engine) == {}  # 4 answers in each of three groups: none reached 5


def test_a_second_answer_is_refused_and_not_counted(engine):
    buffer = AnswerBuffer(engine, K)
    person = Respondent(7, "coop-a", "entrepreneur")
    assert buffer.submit(MONTH, person, answers(1)) == "recorded"
    assert buffer.submit(MONTH, person, answers(5)) == "already"
    assert buffer.pending() == 1


def test_an_unopened_or_closed_month_takes_no_answer(engine):
    buffer = AnswerBuffer(engine, K)
    person = Respondent(7, "coop-a", "entrepreneur")
    assert buffer.submit("2026-12", person, answers(1)) == "unopened"
    barometer_store.close_month(engine, MONTH, date(2026, 12, 1))
    assert buffer.submit(MONTH, person, answers(1)) == "closed"
    assert table_rows(engine)["barometer_respondents"] == []


def test_abstentions_count_the_respondent_but_no_value(engine):
    buffer = AnswerBuffer(engine, K)
    for user in range(K):
        buffer.submit(MONTH, Respondent(user, "coop-a", "appui"), answers(None))
    assert counted(engine) == {("coop-a", "appui"): K}
    assert table_rows(engine)["barometer_counts"] == []


def test_no_snapshot_pair_around_one_answer_shows_that_answer(engine):
    """Copies of the database just before and just after each answer differ in the counts
    either not at all or by a whole batch of at least min_group_size answers."""
    buffer = AnswerBuffer(engine, K)
    (key,) = {key for _month, key in table_rows(engine)["barometer_keys"]}
    for user in range(13):
        before = table_rows(engine)
        value = user % 5 + 1
        buffer.submit(MONTH, Respondent(user, "coop-a", "entrepreneur"), answers(value))
        after = table_rows(engine)
        added = sum(n for *_, n in after["barometer_cells"]) - sum(
            n for *_, n in before["barometer_cells"]
        )
        assert added in (0, K)
        if added == 0:
            assert after["barometer_counts"] == before["barometer_counts"]
        # what changed about this person is only that they answered
        new_people = set(after["barometer_respondents"]) - set(before["barometer_respondents"])
        assert [row[1] for row in new_people] == [barometer_store.member_tag(key, user)]


def test_closing_pools_the_rest_by_cooperative_then_network_and_drops_the_too_few(engine):
    buffer = AnswerBuffer(engine, K)
    for user in range(3):  # coop-a: 3 entrepreneurs + 3 support = 6 ≥ 5: pooled in coop-a
        buffer.submit(MONTH, Respondent(user, "coop-a", "entrepreneur"), answers(2))
        buffer.submit(MONTH, Respondent(100 + user, "coop-a", "appui"), answers(4))
    for user in range(3):  # coop-b: 3, coop-c: 2 → 5 pooled in the network
        buffer.submit(MONTH, Respondent(200 + user, "coop-b", "entrepreneur"), answers(1))
    for user in range(2):
        buffer.submit(MONTH, Respondent(300 + user, "coop-c", "direction"), answers(5))
    barometer_store.close_month(engine, MONTH, date(2026, 12, 1))
    assert barometer_store.uncounted(engine, MONTH) == 11
    assert buffer.sweep() == 11
    assert counted(engine) == {("coop-a", ""): 6, ("", ""): 5}
    assert barometer_store.uncounted(engine, MONTH) == 0
    assert table_rows(engine)["barometer_respondents"] == []  # who answered: deleted


def test_a_rest_too_small_for_the_network_pool_is_dropped_and_said(engine):
    buffer = AnswerBuffer(engine, K)
    for user in range(3):
        buffer.submit(MONTH, Respondent(user, "coop-a", "entrepreneur"), answers(2))
    barometer_store.close_month(engine, MONTH, date(2026, 12, 1))
    buffer.sweep()
    data = barometer_store.read_month(engine, MONTH)
    assert (data.answered, data.lost, data.cells.empty, data.counts.empty) == (3, 3, True, True)


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("fr", "Baromètre novembre 2026 : 3 réponses, trop peu pour être comptées anonymement"),
        ("en", "Barometer November 2026: 3 answers, too few to be counted anonymously"),
    ],
)
def test_the_dropped_answers_are_said_in_the_users_language(
    engine, caplog, monkeypatch, lang, said
):
    monkeypatch.setenv("CAMPUS_LANG", lang)
    buffer = AnswerBuffer(engine, K)
    for user in range(3):
        buffer.submit(MONTH, Respondent(user, "coop-a", "entrepreneur"), answers(2))
    barometer_store.close_month(engine, MONTH, date(2026, 12, 1))
    with caplog.at_level("WARNING", logger="campus.barometer"):
        buffer.sweep()
    assert said in caplog.text


def test_a_restart_loses_held_answers_but_never_counts_one_twice(engine):
    first = AnswerBuffer(engine, K)
    for user in range(3):
        first.submit(MONTH, Respondent(user, "coop-a", "entrepreneur"), answers(2))
    restarted = AnswerBuffer(engine, K)  # the held answers died with the first process
    for user in range(3):  # the same people cannot answer again
        assert restarted.submit(MONTH, Respondent(user, "coop-a", "entrepreneur"), answers(5)) == (
            "already"
        )
    for user in range(3, 8):
        restarted.submit(MONTH, Respondent(user, "coop-a", "entrepreneur"), answers(3))
    barometer_store.close_month(engine, MONTH, date(2026, 12, 1))
    restarted.sweep()
    assert counted(engine) == {("coop-a", "entrepreneur"): 5}
    assert barometer_store.uncounted(engine, MONTH) == 3  # the three held by the first process


def test_a_clean_stop_pools_what_is_held(engine):
    buffer = AnswerBuffer(engine, K)
    for user in range(6):
        role = "entrepreneur" if user % 2 else "appui"
        buffer.submit(MONTH, Respondent(user, "coop-a", role), answers(3))
    assert buffer.flush_all() == 6
    assert counted(engine) == {("coop-a", ""): 6}


def test_membership_of_several_cooperatives_counts_in_the_network_pool():
    roles = {"entrepreneur": "entrepreneurs", "appui": "equipes-appui", "direction": "directions"}
    one = barometer_store.respondent_from_groups(1, {"coop-a", "entrepreneurs"}, ["coop-a"], roles)
    two = barometer_store.respondent_from_groups(
        2, {"coop-a", "coop-b", "equipes-appui"}, ["coop-a", "coop-b"], roles
    )
    none = barometer_store.respondent_from_groups(3, {"entrepreneurs"}, ["coop-a"], roles)
    assert one == Respondent(1, "coop-a", "entrepreneur")
    assert two == Respondent(2, "", "appui")
    assert none is None


def test_a_value_outside_the_scale_names_its_field():
    every = {axis: "" for axis in AXES}
    with pytest.raises(ValueError, match="autonomie"):
        barometer_store.clean_answers({**every, "autonomie": "6"})
    assert barometer_store.clean_answers({**every, "intensite": "2"})["intensite"] == 2
    assert barometer_store.clean_answers(every)["insecurite"] is None  # « je préfère ne pas… »


def test_a_statement_left_without_a_choice_is_named_not_taken_as_an_abstention():
    with pytest.raises(barometer_store.UnansweredStatements) as raised:
        barometer_store.clean_answers({"intensite": "2", "autonomie": ""})
    assert raised.value.axes == [axis for axis in AXES if axis not in {"intensite", "autonomie"}]
    with pytest.raises(barometer_store.UnansweredStatements) as untouched:
        barometer_store.clean_answers({})
    assert untouched.value.axes == list(AXES)


def test_purge_removes_months_past_retention(engine):
    barometer_store.open_month(engine, "2020-01", date(2020, 1, 1))
    assert barometer_store.purge_before(engine, "2021-12") == 1
    assert barometer_store.month_state(engine, "2020-01") == "unopened"
    assert barometer_store.month_state(engine, MONTH) == "open"


def test_who_answered_does_not_survive_closing_in_the_sqlite_file(tmp_path):
    """Even where SQLite only frees deleted rows by default (Debian's build overwrites them)."""
    path = tmp_path / "campus.db"
    engine = connect(f"sqlite:///{path}")
    engine.dispose()

    @event.listens_for(engine, "connect")
    def _plain_delete(dbapi_connection, _record) -> None:
        dbapi_connection.execute("PRAGMA secure_delete = OFF")

    barometer_store.open_month(engine, MONTH, TODAY)
    buffer = AnswerBuffer(engine, K)
    for user in range(3):
        buffer.submit(MONTH, Respondent(user, "coop-zzz-unique", "entrepreneur"), answers(3))
    barometer_store.close_month(engine, MONTH, date(2026, 12, 1))
    for file in tmp_path.iterdir():  # closing checkpointed and emptied the WAL itself
        assert b"coop-zzz-unique" not in file.read_bytes(), file.name
    engine.dispose()
