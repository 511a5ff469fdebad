"""End to end: sandbox network → `campus sync` → `campus score` → `--apply --yes`, twice."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.integration

TOP = "5"
BADGE = "Transformer du réseau"  # RecognitionSettings' default


@pytest.fixture
def campus(campus_cli):
    """The CLI on a sandbox whose activity is already mirrored."""
    assert campus_cli("sync").exit_code == 0
    return campus_cli


def transformers(server) -> set[str]:
    state = server.state
    group = state.group_by_name("transformers")
    return {state.users[user_id].username for user_id in state.group_member_ids(group)}


def badge_holders(server) -> set[str]:
    state = server.state
    badge = next(b for b in state.badges.values() if b.name == BADGE)
    return {
        state.users[grant.user_id].username
        for grant in state.user_badges.values()
        if grant.badge_id == badge.id
    }


def top_usernames(campus) -> list[str]:
    result = campus("score", "--period", "all", "--top", TOP, "--format", "json")
    assert result.exit_code == 0, result.output
    return [record["username"] for record in json.loads(result.stdout)]


def test_apply_puts_exactly_the_top_n_in_transformers_with_the_badge(campus, sandbox_server):
    top = top_usernames(campus)

    result = campus("score", "--period", "all", "--top", TOP, "--apply", "--yes")

    assert result.exit_code == 0, result.output
    assert len(top) == int(TOP)
    assert transformers(sandbox_server) == set(top)
    assert badge_holders(sandbox_server) == set(top)


def test_second_apply_makes_no_write(campus, sandbox_server):
    campus("score", "--period", "all", "--top", TOP, "--apply", "--yes")
    sandbox_server.reset_stats()

    result = campus("score", "--period", "all", "--top", TOP, "--apply", "--yes")

    assert result.exit_code == 0, result.output
    assert "Rien à faire" in result.output
    assert sandbox_server.stats()["writes"] == 0
    assert transformers(sandbox_server) == set(top_usernames(campus))


def test_declining_the_confirmation_changes_nothing(campus, sandbox_server):
    result = campus("score", "--period", "all", "--top", TOP, "--apply", input="n\n")

    assert result.exit_code == 0, result.output
    assert "Annulé" in result.output
    assert transformers(sandbox_server) == set()


def test_opt_out_members_are_never_scored(campus, sandbox_server):
    state = sandbox_server.state
    optout = state.group_by_name("campus-optout")
    opted_out = {state.users[user_id].username for user_id in state.group_member_ids(optout)}

    result = campus("score", "--period", "all", "--format", "json")

    scored = {record["username"] for record in json.loads(result.stdout)}
    assert opted_out and scored and not opted_out & scored


def test_applying_keeps_stdout_for_the_json_list_and_reports_on_stderr(campus):
    top = top_usernames(campus)

    result = campus(
        "score", "--period", "all", "--top", TOP, "--format", "json", "--apply", "--yes"
    )

    assert [record["username"] for record in json.loads(result.stdout)] == top
    assert "Fait : 5 ajouts" in result.stderr


def scored(campus, *options: str) -> list[dict]:
    result = campus("score", "--period", "all", "--format", "json", *options)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_coop_lists_only_that_cooperatives_members(campus):
    everyone = scored(campus)
    coop = everyone[0]["cooperative"]

    records = scored(campus, "--coop", coop)

    assert records and {r["cooperative"] for r in records} == {coop}
    assert len(records) < len(everyone)


def test_exclude_staff_leaves_the_support_teams_out(campus):
    assert "appui" in {r["role"] for r in scored(campus)}
    assert "appui" not in {r["role"] for r in scored(campus, "--exclude-staff")}


def test_by_category_gives_the_top_helpers_of_each_theme(campus):
    records = scored(campus, "--by-category", "--top", "2")  # the alias of --by-theme

    themes = [r["theme"] for r in records]
    assert len(set(themes)) > 1
    assert all(themes.count(theme) <= 2 for theme in themes)
    assert all(r["rank"] in (1, 2) for r in records)


def cooperative_names(server) -> set[str]:
    state = server.state
    return {
        category.name
        for category in state.categories.values()
        if category.parent_category_id is None and state.group_by_name(category.slug) is not None
    }


@pytest.mark.parametrize("shape", ["objects", "names"])
def test_by_theme_uses_the_topic_tags_of_either_shape(campus_cli, sandbox_server, shape):
    sandbox_server.state.tag_shape = shape
    assert campus_cli("sync").exit_code == 0
    tagged = {tag for topic in sandbox_server.state.topics.values() for tag in topic.tags}

    themes = {r["theme"] for r in scored(campus_cli, "--by-theme", "--top", "3")}

    assert {f"#{tag}" for tag in tagged} <= themes
    assert "Entraide" in themes  # untagged questions: all the cooperatives' Entraide together
    assert not themes & cooperative_names(sandbox_server)  # never a cooperative


def test_user_explains_one_score_line(campus):
    top = scored(campus)[0]

    result = campus("score", "--period", "all", "--user", top["username"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{top['username']} (")
    assert f"rang {top['rank']}" in lines[0]
    assert len(lines) == 1 + 8 + 1  # the person, the eight components, the total


def test_csv_fr_on_the_mirror(campus):
    result = campus("score", "--period", "all", "--format", "csv-fr")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("\ufeffRang;Nom;")
