"""When a barometer month closes, each cooperative's topic gets « vous avez dit / nous avons
fait » as a reply (DESIGN §14), against the sandbox: the results where at least
`min_group_size` people answered, a sentence otherwise, the actions decided since — and nothing
in it mentions or links anyone, even a title carrying `@x`, a URL or Markdown."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from sandbox.network import generate
from sync.discourse.client import DiscourseAPI
from sync.discourse.settings import DiscourseSettings
from sync.mirror import barometer_store
from sync.mirror import store as mirror_store
from sync.mirror.db import connect
from tests.conftest import SANDBOX_TEST_KEY
from tests.support.clock import frozen_at

pytestmark = pytest.mark.integration

MONTH = "2026-11"  # the current month at FIXTURE_NOW
FIRST_OF_DECEMBER = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
HOSTILE = "@x et @here voyez https://evil.example ou www.evil.example [ici](https://evil.example) **gras** | #campus"
ANSWERS = [{"intensite": value, "autonomie": 4} for value in (2, 3, 2, 3, 2, 3)]


@pytest.fixture
def pulse_cli(campus_cli, tmp_path, frozen_clock):
    (tmp_path / "cooperatives.csv").write_text(generate(1, "small").cooperatives_csv)
    with (tmp_path / "campus.toml").open("a", encoding="utf-8") as toml:
        toml.write('[web]\nbase_url = "https://campus.reseau.test"\n')
    return campus_cli


def raw_reply(sandbox_server, topic_id: int) -> str:
    api = DiscourseAPI(
        DiscourseSettings(url=sandbox_server.url, api_key=SANDBOX_TEST_KEY, requests_per_minute=0)
    )
    posts = api.topic_with_posts(topic_id)["post_stream"]["posts"]
    assert [post["post_number"] for post in posts] == [1, 2]  # the announcement, one reply
    return api._get(f"/posts/{posts[1]['id']}.json")["raw"]


def test_closing_posts_the_summary_once_inert(pulse_cli, tmp_path, sandbox_server):
    assert pulse_cli("pulse", "post", "--month", MONTH).exit_code == 0
    engine = connect(f"sqlite:///{tmp_path / 'campus.db'}")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT cooperative, topic_id FROM barometer_announcements"))
        topics = {cooperative: topic_id for cooperative, topic_id in rows}
    answered, quiet = sorted(topics)[:2]
    barometer_store.add_batch(engine, MONTH, answered, "entrepreneur", ANSWERS)
    with engine.begin() as conn:  # written as the log's store does (the web page refuses @x)
        mirror_store.add_action(
            conn,
            cooperative=answered,
            month="2026-10",
            axis="intensite",
            indicator=None,
            kind="edt",
            title=HOSTILE,
            started=date(2026, 11, 3),
            status="en_cours",
            at=datetime(2026, 11, 3, 9, 0),
            author_id=5,
            author="directrice",
        )
    engine.dispose()

    with frozen_at(FIRST_OF_DECEMBER):
        closed = pulse_cli("pulse", "close", "--month", MONTH, "--json")
    assert closed.exit_code == 0, closed.output
    assert json.loads(closed.stdout)["summaries"] == len(topics)

    raw = raw_reply(sandbox_server, topics[answered])
    assert "Vous avez dit : les résultats du baromètre (novembre 2026)" in raw
    assert "| Intensité et temps de travail | 2,5 | 2,5 |" in raw
    assert "Espace de discussion sur le travail" in raw and "en cours" in raw
    assert "3 novembre 2026" in raw
    assert "directrice" not in raw
    # inert: no mention, no URL, no domain, no Markdown link or emphasis, no extra cell
    assert not re.search(r"@\w", raw)
    assert "https://" not in raw and "evil.example" not in raw and "www.evil" not in raw
    assert "](" not in raw.replace("\\](", "") and "**gras**" not in raw
    assert not re.search(r"(?<!\\)#campus", raw)
    line = next(line for line in raw.splitlines() if "gras" in line)
    assert line.count("|") == line.count("\\|")

    quiet_raw = raw_reply(sandbox_server, topics[quiet])
    assert "Moins de 5 personnes" in quiet_raw and "ces résultats ne sont pas montrés" in quiet_raw
    assert "| Axe | Réseau |" in quiet_raw  # the network's column only
    assert "Aucune action n'a encore été enregistrée" in quiet_raw

    sandbox_server.reset_stats()
    with frozen_at(FIRST_OF_DECEMBER):
        again = pulse_cli("pulse", "close", "--month", MONTH, "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["summaries"] == 0
    assert sandbox_server.stats()["writes"] == 0
