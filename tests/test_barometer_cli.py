"""`campus pulse post|status|close|collect` in the barometer mode, against the sandbox."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text

from sandbox.network import generate
from sync.discourse.client import DiscourseAPI
from sync.discourse.settings import DiscourseSettings
from tests.conftest import SANDBOX_TEST_KEY
from tests.support.clock import frozen_at

pytestmark = pytest.mark.integration

MONTH = "2026-11"  # the current month at FIXTURE_NOW
# the worker's monthly run: 1 December, 00:30 in Paris (still 30 November in UTC)
FIRST_OF_DECEMBER = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)


@pytest.fixture
def pulse_cli(campus_cli, tmp_path, frozen_clock):
    """`campus` with the sandbox network's cooperatives.csv and a [web] base_url, in MONTH."""
    (tmp_path / "cooperatives.csv").write_text(generate(1, "small").cooperatives_csv)
    with (tmp_path / "campus.toml").open("a", encoding="utf-8") as toml:
        toml.write('[web]\nbase_url = "https://campus.reseau.test"\n')
    return campus_cli


def rows(tmp_path, sql: str) -> list[tuple]:
    engine = create_engine(f"sqlite:///{tmp_path / 'campus.db'}")
    with engine.connect() as conn:
        return list(conn.execute(text(sql)))


def test_post_opens_the_month_and_announces_it_once_per_cooperative(pulse_cli, tmp_path):
    result = pulse_cli("pulse", "post", "--month", MONTH, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["opened"] is True and len(data["posted"]) == 6
    assert rows(tmp_path, "SELECT month, closed_on FROM barometer_months") == [(MONTH, None)]


def test_the_announcement_links_to_the_barometer_page(pulse_cli, tmp_path, sandbox_server):
    pulse_cli("pulse", "post", "--month", MONTH)
    topic_id = rows(tmp_path, "SELECT topic_id FROM barometer_announcements")[0][0]
    api = DiscourseAPI(DiscourseSettings(url=sandbox_server.url, api_key=SANDBOX_TEST_KEY))
    first = api.topic_with_posts(topic_id)["post_stream"]["posts"][0]
    assert "https://campus.reseau.test/barometre" in first["cooked"]
    assert "poll" not in first["cooked"]


def test_a_second_post_writes_nothing(pulse_cli, sandbox_server):
    pulse_cli("pulse", "post", "--month", MONTH)
    sandbox_server.reset_stats()
    again = pulse_cli("pulse", "post", "--month", MONTH, "--json")
    assert json.loads(again.stdout)["posted"] == []
    assert sandbox_server.stats()["writes"] == 0


def test_the_announcement_says_the_month_in_words_and_a_retitled_one_is_not_posted_again(
    pulse_cli, tmp_path, sandbox_server
):
    pulse_cli("pulse", "post", "--month", MONTH)
    topic_ids = [row[0] for row in rows(tmp_path, "SELECT topic_id FROM barometer_announcements")]
    topics = sandbox_server.state.topics
    assert all("novembre 2026" in topics[topic_id].title for topic_id in topic_ids)
    for topic_id in topic_ids:  # an animator renames the topics on the forum
        topics[topic_id].title = f"Baromètre de novembre, sujet {topic_id}"

    again = pulse_cli("pulse", "post", "--month", MONTH, "--json")

    assert json.loads(again.stdout)["posted"] == []
    assert not any("novembre 2026" in topic.title for topic in topics.values())


def test_status_of_an_open_month_without_answers_is_all_null(pulse_cli):
    pulse_cli("pulse", "post", "--month", MONTH)
    result = pulse_cli("pulse", "status", "--month", MONTH, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["month"] == MONTH and data["open"] is True
    assert data["network"]["respondents"] is None
    assert len(data["cooperatives"]) == 6
    assert all(scope["axes"]["autonomie"] is None for scope in data["cooperatives"].values())


def test_close_freezes_the_month(pulse_cli, tmp_path):
    pulse_cli("pulse", "post", "--month", MONTH)
    with frozen_at(FIRST_OF_DECEMBER):
        result = pulse_cli("pulse", "close", "--month", MONTH, "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["closed"] is True
        status = json.loads(pulse_cli("pulse", "status", "--month", MONTH, "--json").stdout)
        assert status["open"] is False and status["state"] == "closed"
        again = json.loads(pulse_cli("pulse", "close", "--month", MONTH, "--json").stdout)
        assert again["closed"] is False


def test_a_month_already_closed_is_said_so_and_exits_0(pulse_cli):
    pulse_cli("pulse", "post", "--month", MONTH)
    with frozen_at(FIRST_OF_DECEMBER):
        pulse_cli("pulse", "close", "--month", MONTH)
        again = pulse_cli("pulse", "close", "--month", MONTH)
    assert again.exit_code == 0, again.output
    assert "Baromètre novembre 2026 déjà clos" in again.output


@pytest.mark.parametrize("month", ["2020-01", "2026-10", "2026-12", "2030-01"])
def test_post_opens_only_the_current_month(pulse_cli, tmp_path, sandbox_server, month):
    sandbox_server.reset_stats()
    result = pulse_cli("pulse", "post", "--month", month)
    assert result.exit_code == 2, result.output
    assert "seul celui du mois en cours (2026-11) s'ouvre" in result.output
    assert "Traceback" not in result.output
    assert sandbox_server.stats()["writes"] == 0
    assert not (tmp_path / "campus.db").exists()  # refused before the mirror is even opened


@pytest.mark.parametrize("month", ["2026-11", "2026-12", "2030-01"])
def test_close_refuses_the_current_or_a_future_month(pulse_cli, tmp_path, month):
    pulse_cli("pulse", "post", "--month", MONTH)
    result = pulse_cli("pulse", "close", "--month", month)
    assert result.exit_code == 2, result.output
    assert f"Le baromètre {month} ne peut pas être clos" in result.output
    assert "le mois en cours est 2026-11" in result.output
    assert rows(tmp_path, "SELECT month, closed_on FROM barometer_months") == [(MONTH, None)]


def test_on_the_first_the_worker_closes_last_month_and_opens_this_one(pulse_cli, tmp_path):
    """What the worker's monthly run calls, at 00:30 in Paris when UTC still says November."""
    pulse_cli("pulse", "post", "--month", MONTH)
    with frozen_at(FIRST_OF_DECEMBER):
        closed = pulse_cli("pulse", "close", "--json")
        posted = pulse_cli("pulse", "post", "--json")
    assert closed.exit_code == 0, closed.output
    assert json.loads(closed.stdout)["month"] == MONTH and json.loads(closed.stdout)["closed"]
    assert posted.exit_code == 0, posted.output
    assert json.loads(posted.stdout)["month"] == "2026-12"
    assert rows(tmp_path, "SELECT month, closed_on FROM barometer_months ORDER BY month") == [
        (MONTH, "2026-12-01"),
        ("2026-12", None),
    ]


def test_status_text_says_the_month_is_not_open(pulse_cli):
    result = pulse_cli("pulse", "status", "--month", "2026-12")
    assert result.exit_code == 0
    assert "pas ouvert" in result.output


def test_a_malformed_month_exits_2(pulse_cli):
    result = pulse_cli("pulse", "status", "--month", "2026-13")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_collect_is_refused_in_the_anonymous_mode(pulse_cli):
    result = pulse_cli("pulse", "collect", "--month", MONTH)
    assert result.exit_code == 2
    assert 'mode = "discourse_polls"' in result.output and "pas anonyme" in result.output


def test_an_unknown_mode_is_a_bad_setting(pulse_cli, tmp_path):
    with (tmp_path / "campus.toml").open("a", encoding="utf-8") as toml:
        toml.write('[pulse]\nmode = "sondage"\n')
    result = pulse_cli("pulse", "status")
    assert result.exit_code == 2
    assert "[pulse] mode = 'sondage'" in result.output


def test_the_polls_mode_warns_that_it_is_not_anonymous(pulse_cli, tmp_path):
    with (tmp_path / "campus.toml").open("a", encoding="utf-8") as toml:
        toml.write('[pulse]\nmode = "discourse_polls"\n')
    result = pulse_cli("pulse", "post", "--month", MONTH)
    assert result.exit_code == 0, result.output
    assert "n'est pas anonyme" in result.output
    assert "Sondages novembre 2026 : 6 sujets publiés" in result.output


def test_a_retention_below_one_year_is_a_bad_setting(pulse_cli, tmp_path):
    with (tmp_path / "campus.toml").open("a", encoding="utf-8") as toml:
        toml.write("[pulse]\nkeep_years = 0\n")
    result = pulse_cli("pulse", "status")
    assert result.exit_code == 2
    assert "[pulse] keep_years = 0" in result.output
