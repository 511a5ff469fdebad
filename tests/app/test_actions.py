"""The directors' action log (DESIGN §14): actions recorded and changed with their authors, on a
mirror synced from the sandbox (a SQLite file, then PostgreSQL); bad fields and titles that name
a member are refused with the field and the reason, and nothing is written."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import actions
from app.actions import ActionInputError, Author
from sandbox.server import SandboxServer
from sync.mirror.db import connect
from sync.mirror.pull import SyncOptions, sync_mirror
from sync.mirror.schema import Action, ActionChange
from tests.support.campus import make_campus
from tests.support.mirror import make_api
from tests.support.relay_forum import RelayForum

NOW = datetime(2026, 11, 5, 9, 0, tzinfo=UTC)
DIRECTOR = Author(user_id=7, username="dir-a")


@pytest.fixture
def campus(tmp_path: Path, db_url):
    """Two cooperatives, their directors and members (one with a full name), synced."""
    built = RelayForum()
    built.groups["directions"] = built.forum.add_group("directions")
    built.person("dir-a", "coop-a", "directions")
    built.person("bob", "coop-a")
    member = built.person("camille92", "coop-a")
    built.forum.update_user(member, name="Hélène Dupont-Martin")
    (tmp_path / "cooperatives.csv").write_text(
        "slug,name\ncoop-a,Coop A\ncoop-b,Coop B\n", encoding="utf-8"
    )
    with SandboxServer(built.forum, rate_limit_per_minute=0) as server:
        engine = connect(db_url)
        sync_mirror(engine, make_api(server.url, server.api_key), SyncOptions(reconcile_days=3650))
        campus = make_campus(tmp_path, engine=engine)
        campus.clock = lambda: NOW
        yield campus
        engine.dispose()


def record(campus, **changes) -> actions.ActionRecord:
    fields = {
        "axis": "intensite",
        "indicator": "after_hours",
        "kind": "deconnexion",
        "title": "Charte de déconnexion le soir",
        "started": "2026-10-01",
        "status": "en_cours",
        "author": DIRECTOR,
    }
    fields.update(changes)
    cooperative = fields.pop("cooperative", "coop-a")
    month = fields.pop("month", "2026-09")
    return actions.record_action(campus, cooperative, month, **fields)


def counts(campus) -> tuple[int, int]:
    with campus.engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(Action)).scalar_one(),
            conn.execute(select(func.count()).select_from(ActionChange)).scalar_one(),
        )


def test_an_action_is_recorded_listed_and_changed_with_its_history(campus):
    first = record(campus)
    record(campus, cooperative="coop-b", kind="edt", title="Espace de discussion mensuel")

    assert (first.cooperative, first.month, first.axis, first.indicator) == (
        "coop-a",
        "2026-09",
        "intensite",
        "after_hours",
    )
    assert (first.kind, first.status, first.started) == (
        "deconnexion",
        "en_cours",
        date(2026, 10, 1),
    )
    assert [a.id for a in actions.cooperative_actions(campus, "coop-a")] == [first.id]
    assert len(actions.all_actions(campus)) == 2

    later = Author(user_id=8, username="animatrice")
    changed = actions.change_action(
        campus, first.id, author=later, status="faite", title="Charte   de déconnexion"
    )
    assert (changed.status, changed.title) == ("faite", "Charte de déconnexion")
    same = actions.change_action(campus, first.id, author=later, status="faite")
    assert same == changed  # nothing new: no step added

    steps = actions.action_history(campus, [first.id])[first.id]
    assert [(s.author, s.status, s.title) for s in steps] == [
        ("dir-a", "en_cours", "Charte de déconnexion le soir"),
        ("animatrice", "faite", "Charte de déconnexion"),
    ]
    frame = actions.actions_frame(actions.all_actions(campus))
    assert list(frame["cooperative"]) == ["coop-a", "coop-b"]
    assert list(frame["start_month"]) == ["2026-10", "2026-10"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"axis": "bonheur"}, "axis"),
        ({"indicator": "no_such_figure"}, "indicator"),
        ({"indicator": "answered_48h"}, "indicator"),  # an indicator of another axis
        ({"kind": "fete"}, "kind"),
        ({"status": "finie"}, "status"),
        ({"started": "01/10/2026"}, "started"),
        ({"started": "2026-02-30"}, "started"),
        ({"started": "2026-12-01"}, "started"),  # under way but starts after today
        ({"started": "2031-01-01", "status": "prevue"}, "started"),
        ({"title": "  "}, "title"),
        ({"title": "x" * 141}, "title"),
        ({"title": "Point avec @bob"}, "title"),
        ({"title": "Merci @équipe"}, "title"),
        ({"title": "Entretien avec BOB demain"}, "title"),  # a whole-word username
        ({"title": "Soutien à camille92."}, "title"),
        ({"title": "Parler avec hélène dupont-martin"}, "title"),  # a full name
        ({"cooperative": "coop-z"}, "cooperative"),
        ({"month": "2026-13"}, "month"),
    ],
)
def test_a_bad_field_is_refused_with_its_name_and_nothing_is_written(campus, changes, field):
    with pytest.raises(ActionInputError) as refused:
        record(campus, **changes)

    assert refused.value.field == field
    assert refused.value.exit_code == 2
    assert str(refused.value)
    assert counts(campus) == (0, 0)


def test_words_that_only_contain_a_username_are_accepted(campus):
    """`bob` is a member, but « bobine » and « Bobo » are not him; a planned action may start later."""
    action = record(campus, title="Atelier bobine et Bobo", status="prevue", started="2027-01-04")

    assert action.title == "Atelier bobine et Bobo"


def test_a_change_that_names_a_member_is_refused_and_nothing_is_written(campus):
    action = record(campus)

    with pytest.raises(ActionInputError) as refused:
        actions.change_action(campus, action.id, author=DIRECTOR, title="Voir avec bob")
    with pytest.raises(ActionInputError):
        actions.change_action(campus, action.id, author=DIRECTOR, status="oubliee")
    with pytest.raises(actions.UnknownAction):
        actions.change_action(campus, action.id + 100, author=DIRECTOR, status="faite")

    assert refused.value.field == "title"
    assert actions.get_action(campus, action.id) == action
    assert counts(campus) == (1, 1)


def test_the_lab_starts_a_kind_at_each_cooperatives_first_started_action(campus):
    record(campus, kind="edt", started="2026-08-20", status="faite")
    record(campus, kind="edt", started="2026-06-03", status="abandonnee")
    record(campus, kind="edt", started="2026-03-03", status="prevue")  # never started
    record(campus, cooperative="coop-b", kind="edt", started="2026-09-01")
    record(campus, cooperative="coop-b", kind="formation", started="2026-01-01")

    starts = actions.kind_starts(actions.all_actions(campus), "edt")

    assert starts == {"coop-a": "2026-06", "coop-b": "2026-09"}


def test_directors_recording_and_changing_at_once_all_succeed(campus):
    """Real threads write at the same time (the web service's waitress threads): every record
    and every change lands, none is refused by a busy database."""
    import threading

    first = record(campus)
    failures: list[BaseException] = []

    def work(index: int) -> None:
        try:
            mine = record(campus, title=f"Atelier numéro {index}", kind="formation")
            actions.change_action(campus, mine.id, author=DIRECTOR, status="faite")
            actions.change_action(campus, first.id, author=DIRECTOR, title=f"Charte v{index}")
        except BaseException as error:  # noqa: BLE001 - collected for the assertion
            failures.append(error)

    threads = [threading.Thread(target=work, args=(index,)) for index in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    listed = actions.cooperative_actions(campus, "coop-a")
    assert len(listed) == 13
    assert all(a.status == "faite" for a in listed if a.kind == "formation")
    assert counts(campus) == (13, 1 + 12 * 2 + 12)
