"""Thirty sandbox members answer the barometer through the real web flow (issue 11, done when).

Each logs in with DiscourseConnect against the sandbox provider and posts the form to Campus on
waitress, over HTTP. Then the whole database is inspected — every table, every column — and
`campus pulse status --json` is read before and after `pulse close`.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import DateTime, Time, inspect, text

from core.vocabulary import AXES, current_month
from sync.mirror import barometer_store
from tests.conftest import run_campus
from tests.support.web_site import TZ, start_site

pytestmark = pytest.mark.integration

# The five members of cooperative A answer these (None: « je préfère ne pas répondre »)
COOP_A = [
    {"intensite": 1, "exigences_emotionnelles": 5, "autonomie": 2, "rapports_sociaux": 1,
     "conflits_valeurs": 3, "insecurite": None},
    {"intensite": 2, "exigences_emotionnelles": 5, "autonomie": 2, "rapports_sociaux": 1,
     "conflits_valeurs": 3, "insecurite": None},
    {"intensite": 3, "exigences_emotionnelles": 5, "autonomie": 4, "rapports_sociaux": 1,
     "conflits_valeurs": 3, "insecurite": None},
    {"intensite": 4, "exigences_emotionnelles": 5, "autonomie": 4, "rapports_sociaux": 2,
     "conflits_valeurs": 3, "insecurite": 1},
    {"intensite": 5, "exigences_emotionnelles": 5, "autonomie": None, "rapports_sociaux": 2,
     "conflits_valeurs": 4, "insecurite": None},
]  # fmt: skip
COOP_A_MEANS = {
    "intensite": 3.0,
    "exigences_emotionnelles": 5.0,
    "autonomie": None,  # 4 answers: fewer than 5
    "rapports_sociaux": 1.4,
    "conflits_valeurs": 3.2,
    "insecurite": None,
}
PERSON_COLUMNS = {"user_id", "username", "name", "email", "external_id"}
ANSWER_COLUMNS = {"value", "answer", "answers", *AXES}


def snapshot(engine, prefix: str = "") -> dict[str, list[tuple]]:
    """Every row of every table of the database (whose name starts with `prefix`)."""
    with engine.connect() as conn:
        return {
            name: sorted(map(tuple, conn.execute(text(f'SELECT * FROM "{name}"'))), key=repr)
            for name in inspect(engine).get_table_names()
            if name.startswith(prefix)
        }


def members_of(forum, slug: str, others: set[str], entrepreneurs: bool = False) -> list:
    """Active members of cooperative `slug` who belong to no other cooperative (and only to
    the entrepreneurs' role group, if asked: they are then counted in one group)."""
    ids = set(forum.group_member_ids(forum.group_by_name(slug)))
    for other in others - {slug}:
        ids -= set(forum.group_member_ids(forum.group_by_name(other)))
    if entrepreneurs:
        ids &= set(forum.group_member_ids(forum.group_by_name("entrepreneurs")))
        for role_group in ("equipes-appui", "directions"):
            ids -= set(forum.group_member_ids(forum.group_by_name(role_group)))
    users = [forum.users[i] for i in sorted(ids)]
    return [u for u in users if u.id > 0 and u.active and not u.staged and not u.suspended_till]


def answer(site, username: str, values: dict) -> int:
    """Log in as `username` through the forum, open the page, send the form: the status."""
    session = site.login(username, "/barometre")
    page = session.get(site.url + "/barometre", timeout=30)
    assert page.status_code == 200 and "<fieldset" in page.text, page.text[:300]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    form = {axis: "" if value is None else str(value) for axis, value in values.items()}
    response = session.post(site.url + "/barometre", data={**form, "csrf_token": token}, timeout=30)
    return response.status_code


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    """Thirty members answer (five in A, four in B, the rest elsewhere); one tries twice."""
    folder = tmp_path_factory.mktemp("barometer")
    site = start_site(folder)
    engine = site.services.engine
    month = current_month(TZ)
    barometer_store.open_month(engine, month, date.today())
    forum = site.sandbox.state
    slugs = set(site.services.groups.cooperatives)
    order = sorted(slugs, key=lambda slug: -len(members_of(forum, slug, slugs)))
    coop_a, coop_b, *others = order
    plan = [(u, COOP_A[i]) for i, u in enumerate(members_of(forum, coop_a, slugs)[:5])]
    plan += [(u, dict.fromkeys(AXES, 2)) for u in members_of(forum, coop_b, slugs)[:4]]
    rest = [u for slug in others for u in members_of(forum, slug, slugs, True)[:6]][:21]
    plan += [(u, dict.fromkeys(AXES, 3)) for u in rest]
    assert len(plan) == 30
    site.sandbox.reset_stats()
    before = snapshot(engine)
    statuses, steps = [], []
    for user, values in plan:  # a copy of the barometer's tables just before and after each
        just_before = snapshot(engine, "barometer_")
        statuses.append(answer(site, user.username, values))
        steps.append((just_before, snapshot(engine, "barometer_")))
    again = site.login(plan[0][0].username, "/barometre")
    token = re.search(r'name="csrf_token" value="([^"]+)"', again.get(site.url + "/").text)
    second = again.post(
        site.url + "/barometre",
        data={**dict.fromkeys(AXES, "5"), "csrf_token": token.group(1)},
        timeout=30,
    )
    after = snapshot(engine)
    state = {
        "site": site,
        "month": month,
        "coop_a": coop_a,
        "coop_b": coop_b,
        "plan": plan,
        "statuses": statuses,
        "steps": steps,
        "second": second,
        "before": before,
        "after": after,
        "forum_stats": site.sandbox.stats(),
        "folder": folder,
    }
    yield state
    site.stop()


def pulse_status(flow) -> dict:
    folder: Path = flow["folder"]
    coops = folder / "cooperatives.csv"
    coops.write_text(
        "slug,name,region,color\n"
        + "".join(
            f"{slug},{name},,\n" for slug, name in flow["site"].services.groups.cooperatives.items()
        ),
        encoding="utf-8",
    )
    config = folder / "campus.toml"
    config.write_text(
        f'[database]\nurl = "{flow["site"].services.engine.url}"\n'
        f'[network]\ncooperatives = "{coops}"\n',
        encoding="utf-8",
    )
    result = run_campus("--config", str(config), "pulse", "status", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_every_member_answered_through_the_web(flow):
    assert flow["statuses"] == [200] * 30  # the 303 after the post leads to the thanks page


def test_a_second_answer_is_refused(flow):
    assert flow["second"].status_code == 409
    assert "cette seconde réponse n'a pas été comptée" in flow["second"].text.replace("&#39;", "'")


def test_no_copy_around_one_answer_shows_that_answer(flow):
    """Between the copies just before and after an answer, the counts did not move, or moved
    by a whole batch of at least five answers of one group."""
    batches = 0
    for before, after in flow["steps"]:
        added = sum(row[-1] for row in after["barometer_cells"]) - sum(
            row[-1] for row in before["barometer_cells"]
        )
        assert added == 0 or added >= 5
        batches += added > 0
        if added == 0:
            assert after["barometer_counts"] == before["barometer_counts"]
        new_rows = set(after["barometer_respondents"]) - set(before["barometer_respondents"])
        assert len(new_rows) == 1  # what is new about this person: that they answered
    assert batches  # some groups did reach five while the month was open


def test_no_table_holds_a_person_and_an_answer_value(flow):
    engine = flow["site"].services.engine
    for table in inspect(engine).get_table_names():
        columns = {column["name"] for column in inspect(engine).get_columns(table)}
        assert not (columns & PERSON_COLUMNS and columns & ANSWER_COLUMNS), table


def test_no_table_gained_a_row_per_respondent_but_the_list_of_who_answered(flow):
    grown = {
        table: len(rows) - len(flow["before"].get(table, []))
        for table, rows in flow["after"].items()
    }
    per_person = {table for table, n in grown.items() if n >= 30}
    assert per_person == {"barometer_respondents"}
    columns = {
        c["name"]
        for c in inspect(flow["site"].services.engine).get_columns("barometer_respondents")
    }
    assert columns == {"month", "member", "cooperative", "role"}  # member: an HMAC, no id


def test_nothing_the_answers_changed_keeps_a_time_finer_than_the_day(flow):
    engine = flow["site"].services.engine
    changed = [t for t in flow["after"] if flow["after"][t] != flow["before"].get(t)]
    assert changed and all(table.startswith("barometer_") for table in changed)
    for table in changed:
        for column in inspect(engine).get_columns(table):
            assert not isinstance(column["type"], DateTime | Time), (table, column["name"])


def test_nothing_about_answers_was_sent_to_discourse(flow):
    stats = flow["forum_stats"]
    assert stats["writes"] == 0
    assert all("sso_provider" in route for route in stats["routes"]), stats["routes"]


def test_status_while_open_hides_the_cooperative_of_four(flow):
    status = pulse_status(flow)
    assert status["open"] is True
    assert status["network"]["respondents"] == 30
    assert status["cooperatives"][flow["coop_b"]]["respondents"] is None
    assert status["cooperatives"][flow["coop_a"]]["respondents"] == 5


def test_after_closing_the_cooperative_of_five_shows_its_exact_means(flow):
    engine = flow["site"].services.engine
    barometer_store.close_month(engine, flow["month"], date.today())
    flow["site"].app.extensions["campus_barometer"].sweep()
    status = pulse_status(flow)
    assert status["open"] is False
    coop_a = status["cooperatives"][flow["coop_a"]]
    assert coop_a["respondents"] == 5
    for axis, mean in COOP_A_MEANS.items():
        assert coop_a["axes"][axis] == (None if mean is None else pytest.approx(mean)), axis
    coop_b = status["cooperatives"][flow["coop_b"]]
    assert coop_b == {
        "respondents": None,
        "counted": None,
        "axes": dict.fromkeys(AXES),
        "roles": None,
    }
    data = barometer_store.read_month(engine, flow["month"])
    assert data.answered == 30  # the second answer was not one more
    assert int(data.cells["respondents"].sum()) + data.lost == 30
    with engine.connect() as conn:  # who answered is gone once the month is closed
        assert conn.execute(text("SELECT COUNT(*) FROM barometer_respondents")).scalar() == 0
