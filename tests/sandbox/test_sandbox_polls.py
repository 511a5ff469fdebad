"""Poll BBCode parsing, option digests and the poll endpoints."""

from __future__ import annotations

from sandbox.activity import cast_votes
from sandbox.polls import option_digest, parse_polls

POLL_RAW = """Votre avis sur ce mois-ci, merci de voter.

[poll name=charge type=regular results=on_close public=false close=2026-11-30T23:00:00Z]
* Pas du tout d'accord
* Tout à fait d'accord
[/poll]
"""


def test_option_digest_matches_discourse():
    assert option_digest("I want to lead the meeting.") == "e09884fbf9b72d83e804050078847643"


def test_option_digest_is_computed_on_the_raw_option_text():
    assert option_digest("I'll not attend this meeting.") == "e539a9df8700d0d05c69356a07b768cf"


def test_option_digest_keeps_non_ascii_characters_unescaped():
    assert option_digest("Tout à fait d'accord") == "3077ffcb4e666b915b8a04ea47c9b1a0"


def test_parse_poll_attributes_and_options():
    (poll,) = parse_polls(POLL_RAW)
    assert (poll.name, poll.type, poll.results, poll.public, poll.close) == (
        "charge",
        "regular",
        "on_close",
        False,
        "2026-11-30T23:00:00Z",
    )
    assert [option.text for option in poll.options] == [
        "Pas du tout d'accord",
        "Tout à fait d'accord",
    ]


def test_parse_several_polls_with_defaults():
    polls = parse_polls("[poll]\n* a\n* b\n[/poll]\n[poll name=deux public=true]\n* c\n[/poll]")
    assert [(p.name, p.results, p.public, len(p.options)) for p in polls] == [
        ("poll", "always", False, 2),
        ("deux", "always", True, 1),
    ]


def _create_poll(api, raw=POLL_RAW, title="Pulse QVT de novembre pour tous"):
    return api.post("/posts.json", data={"title": title, "raw": raw}).json()


def test_created_post_carries_its_polls(api):
    post = _create_poll(api)
    (poll,) = post["polls"]
    assert poll["name"] == "charge"
    assert [option["id"] for option in poll["options"]] == [
        option_digest("Pas du tout d'accord"),
        option_digest("Tout à fait d'accord"),
    ]


def test_on_close_results_hidden_until_closed(api):
    post = _create_poll(api)
    option = post["polls"][0]["options"][1]["id"]
    voted = api.put(
        "/polls/vote", data={"post_id": post["id"], "poll_name": "charge", "options[]": option}
    ).json()
    assert voted["vote"] == [option]
    assert "votes" not in voted["poll"]["options"][1]
    closed = api.put(
        "/polls/toggle_status",
        data={"post_id": post["id"], "poll_name": "charge", "status": "closed"},
    )
    assert closed.json()["poll"]["options"][1]["votes"] == 1


def test_vote_on_closed_poll_is_422(api):
    post = _create_poll(api)
    api.put(
        "/polls/toggle_status",
        data={"post_id": post["id"], "poll_name": "charge", "status": "closed"},
    )
    option = post["polls"][0]["options"][0]["id"]
    response = api.put(
        "/polls/vote", data={"post_id": post["id"], "poll_name": "charge", "options[]": option}
    )
    assert response.status_code == 422


def test_voters_of_public_poll(api, sandbox_server):
    raw = "Qui vient à la plénière cette fois ?\n\n[poll name=venue public=true]\n* Oui\n* Non\n[/poll]"
    post = _create_poll(api, raw, title="Plénière de novembre : qui vient ?")
    yes = option_digest("Oui")
    sandbox_server.state.posts[post["id"]].polls[0].votes[
        sandbox_server.state.user_by_username("animation").id
    ] = [yes]
    voters = api.get(
        "/polls/voters.json", params={"post_id": post["id"], "poll_name": "venue"}
    ).json()
    assert [user["username"] for user in voters["voters"][yes]] == ["animation"]


def test_voters_of_secret_poll_is_400(api):
    post = _create_poll(api)
    response = api.get("/polls/voters.json", params={"post_id": post["id"], "poll_name": "charge"})
    assert response.status_code == 400


def test_control_votes_then_results(api, sandbox_server):
    post = _create_poll(api)
    option = option_digest("Tout à fait d'accord")
    cast_votes(sandbox_server.state, post["id"], "charge", {"animation": [option]})
    api.put(
        "/polls/toggle_status",
        data={"post_id": post["id"], "poll_name": "charge", "status": "closed"},
    )
    shown = api.get(f"/posts/{post['id']}.json").json()
    assert shown["polls"][0]["options"][1]["votes"] == 1
    assert shown["polls"][0]["voters"] == 1


def test_edit_keeps_votes_of_surviving_options(api, sandbox_server):
    raw = "Sondage rapide pour la prochaine rencontre.\n\n[poll name=jour results=always]\n* Lundi\n* Mardi\n[/poll]"
    post = _create_poll(api, raw, title="Quel jour pour la rencontre ?")
    monday = option_digest("Lundi")
    api.put("/polls/vote", data={"post_id": post["id"], "poll_name": "jour", "options[]": monday})
    edited = raw.replace("* Mardi", "* Jeudi")
    api.put(f"/posts/{post['id']}.json", json={"post": {"raw": edited}})
    poll = api.get(f"/posts/{post['id']}.json").json()["polls"][0]
    assert [(o["html"], o["votes"]) for o in poll["options"]] == [("Lundi", 1), ("Jeudi", 0)]
