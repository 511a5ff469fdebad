"""`campus provision` against the sandbox: 74 cooperatives from scratch, idempotence, renames,
dry runs, and runs interrupted half-way (DESIGN §4)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import cli_support
from sandbox.network import generate
from sandbox.server import SandboxServer
from sync.discourse.client import DiscourseAPI
from sync.discourse.exceptions import DiscourseError
from sync.forum.structure import load_cooperatives, run_provision
from sync.settings import ForumTemplate
from tests.conftest import run_campus
from tests.support.sandbox_site import FailingClient, SandboxSite, answers_in_use, serving

pytestmark = pytest.mark.integration

TEMPLATE = ForumTemplate()
SUBCATEGORIES = {"entraide": ("Entraide", "true"), "vie": ("Vie de la coopérative", None)}


class Site(SandboxSite):
    """A sandbox forum with user accounts only, and a campus.toml + CSV files pointing at it."""

    @property
    def cooperatives_csv(self) -> Path:
        return self.folder / "cooperatives.csv"

    def provision(self, client: DiscourseAPI | None = None):
        cooperatives = load_cooperatives(self.cooperatives_csv, TEMPLATE)
        return run_provision(client or self.client(), cooperatives, TEMPLATE)


@pytest.fixture
def site(tmp_path: Path):
    network = generate(3, size="network", activity=False)
    (tmp_path / "roster.csv").write_text(network.roster_csv, encoding="utf-8")
    with serving(network, tmp_path) as server:
        yield Site(server, network, tmp_path)


def structure(server: SandboxServer) -> dict:
    """The forum's groups and categories as comparable data (ids replaced by slug paths)."""
    forum = server.state
    by_id = forum.categories
    categories = {}
    for category in by_id.values():
        parent = by_id.get(category.parent_category_id)
        key = f"{parent.slug}/{category.slug}" if parent else category.slug
        categories[key] = (
            category.name,
            category.color.upper(),
            dict(category.permissions),
            category.custom_fields.get("enable_accepted_answers"),
        )
    groups = {
        group.name: (group.full_name, group.public_admission, group.public_exit)
        for group in forum.groups.values()
        if not group.automatic
    }
    return {"categories": categories, "groups": groups}


def expected_structure(network) -> dict:
    """What cooperatives.csv and the default template ask for, written out independently."""
    categories = {
        "uncategorized": ("Uncategorized", "0088CC", {"everyone": 1}, None),
        "campus": ("Campus", "25AAE2", {"everyone": 1}, "true"),
        "labo-qvt": ("Labo QVT", "8C6238", {"everyone": 1}, "false"),
        "direction": ("Direction", "BF1E2E", {"directions": 1, "staff": 1}, "false"),
    }
    groups = {
        "entrepreneurs": (None, False, False),
        "equipes-appui": (None, False, False),
        "directions": (None, False, False),
        "transformers": (None, False, False),
        "campus-optout": (None, True, True),
        "campus-relais": (None, True, True),
    }
    for coop in network.cooperatives:
        access = {coop.slug: 1, "staff": 1}
        color = (coop.color or "0E76BD").upper()
        categories[coop.slug] = (coop.name, color, access, "false")
        for slug, (name, accepted) in SUBCATEGORIES.items():
            categories[f"{coop.slug}/{slug}"] = (name, color, access, accepted or "false")
        groups[coop.slug] = (coop.name, False, False)
    return {"categories": categories, "groups": groups}


def normalised(data: dict) -> dict:
    """Accepted answers absent and "false" mean the same thing to Discourse."""
    categories = {
        key: (name, color, permissions, accepted or "false")
        for key, (name, color, permissions, accepted) in data["categories"].items()
    }
    return {"categories": categories, "groups": data["groups"]}


def test_from_scratch_74_cooperatives_match_the_file(site):
    result = site.cli("provision", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert len(site.network.cooperatives) == 74
    assert (report["created"], report["updated"], report["unchanged"]) == (305, 0, 0)
    assert normalised(structure(site.server)) == normalised(expected_structure(site.network))


def test_from_scratch_costs_one_request_per_object_plus_two_reads(site):
    site.provision()
    stats = site.server.stats()
    assert stats["routes"] == {
        "GET /site.json": 1,
        "GET /groups.json": 1,
        "POST /admin/groups.json": 80,
        "POST /categories.json": 225,
    }


def test_second_run_sends_zero_write_requests(site):
    site.provision()
    site.server.reset_stats()
    result = site.cli("provision", "--json")
    report = json.loads(result.stdout)
    assert site.server.stats()["writes"] == 0
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, 305)


def test_second_run_prints_that_the_forum_already_matches(site):
    site.provision()
    result = site.cli("provision")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "Total : 0 à créer, 0 à modifier, 305 inchangé(s), 0 orphelin(s) (jamais supprimés).",
        "Le forum est déjà conforme : aucune écriture.",
    ]


def test_dry_run_sends_no_write_request(site):
    result = site.cli("provision", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["created"] == 305
    assert site.server.stats()["writes"] == 0
    assert structure(site.server)["groups"] == {}


def test_renamed_and_recoloured_cooperative_is_updated_in_place(site):
    site.provision()
    first = site.network.cooperatives[0]
    before = set(site.server.state.categories)
    parent_id = next(c.id for c in site.server.state.categories.values() if c.slug == first.slug)
    text = site.cooperatives_csv.read_text(encoding="utf-8")
    old_row = f"{first.slug},{first.name},{first.region},{first.color}"
    new_row = f"{first.slug},Nouveau Nom,{first.region},123456"
    site.cooperatives_csv.write_text(text.replace(old_row, new_row), encoding="utf-8")
    site.server.reset_stats()
    report = json.loads(site.cli("provision", "--json", "--yes").stdout)
    assert [
        (a["op"], a["kind"], a["key"]) for a in report["actions"] if a["op"] != "unchanged"
    ] == [
        ("update", "group", first.slug),
        ("update", "category", first.slug),
        ("update", "category", f"{first.slug}/entraide"),
        ("update", "category", f"{first.slug}/vie"),
    ]
    assert site.server.stats()["writes"] == 4
    parent = site.server.state.categories[parent_id]
    assert (parent.name, parent.color) == ("Nouveau Nom", "123456")
    assert site.server.state.group_by_name(first.slug).full_name == "Nouveau Nom"
    assert set(site.server.state.categories) == before


def test_cooperative_removed_from_the_file_is_reported_orphaned_and_kept(site):
    site.provision()
    lines = site.cooperatives_csv.read_text(encoding="utf-8").splitlines()
    site.cooperatives_csv.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    site.server.reset_stats()
    report = json.loads(site.cli("provision", "--json", "--yes").stdout)
    last = site.network.cooperatives[-1].slug
    assert [a["key"] for a in report["actions"] if a["op"] == "orphaned"] == [
        last,
        last,
        f"{last}/entraide",
        f"{last}/vie",
    ]
    assert site.server.stats()["writes"] == 0


@pytest.mark.parametrize("writes_allowed", [40, 79, 80, 150])
def test_run_interrupted_half_way_then_rerun_ends_like_a_clean_run(site, writes_allowed):
    with pytest.raises(DiscourseError):
        site.provision(FailingClient(site.settings(), writes_allowed))
    site.server.reset_stats()
    plan = site.provision()
    assert plan.count("create") == 305 - writes_allowed
    assert site.server.stats()["writes"] == 305 - writes_allowed
    assert normalised(structure(site.server)) == normalised(expected_structure(site.network))


def test_faults_and_rate_limits_are_survived_without_duplicates(site):
    site.server.set_faults(bad_gateway=0.05, unavailable=0.05, rate_limit=0.05, drop=0.05)
    site.provision()
    site.server.set_faults()
    assert normalised(structure(site.server)) == normalised(expected_structure(site.network))
    assert site.server.stats()["faults"]  # the run did meet faults


def test_write_whose_answer_was_lost_is_not_duplicated(site):
    # the first write (creating the first group) is applied, but its answer is cut halfway:
    # the client sends it again and the forum answers 422 "already taken"
    site.server.set_faults(sequence=["", "", "drop"])
    plan = site.provision()
    assert plan.count("create") == 305
    assert site.server.stats()["routes"]["POST /admin/groups.json"] == 81
    assert normalised(structure(site.server)) == normalised(expected_structure(site.network))


def test_slug_taken_by_a_user_is_refused_with_discourse_reason(site):
    username = next(
        user.username
        for user in site.server.state.users.values()
        if user.id > 0 and re.fullmatch(r"[a-z0-9]{3,20}", user.username)
    )
    site.cooperatives_csv.write_text(f"slug,name\n{username},Homonyme\n", encoding="utf-8")
    result = site.cli("provision")
    assert result.exit_code == 1
    assert "POST /admin/groups (422) : Name has already been taken" in result.output
    assert site.server.state.group_by_name(username) is None


def test_progress_goes_to_stderr_with_verbose(site):
    result = site.cli("-v", "provision")
    assert result.exit_code == 0, result.output
    first = site.network.cooperatives[0].slug
    assert f"[1/305] créer groupe {first}" in result.stderr
    assert "[1/305]" not in result.stdout


def test_no_progress_when_stderr_is_not_a_terminal(site):
    result = site.cli("provision", "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


class RealListingClient(DiscourseAPI):
    """Sees `/site.json` as real Discourse serves it: no `group_permissions` per category."""

    def all_categories(self):
        categories = super().all_categories()
        for category in categories:
            category.pop("group_permissions", None)
        return categories


def real_listing_provision(site: Site, **options):
    client = RealListingClient(site.settings(), sleep=lambda seconds: None)
    cooperatives = load_cooperatives(site.cooperatives_csv, TEMPLATE)
    return run_provision(client, cooperatives, TEMPLATE, **options)


def test_second_run_on_a_real_shaped_listing_sends_zero_writes(site):
    site.provision()
    site.server.reset_stats()
    plan = real_listing_provision(site)
    assert (plan.count("unchanged"), site.server.stats()["writes"]) == (305, 0)


def test_opened_category_is_restricted_again_from_the_real_shaped_listing(site):
    site.provision()
    slug = site.network.cooperatives[0].slug
    parent = next(c for c in site.server.state.categories.values() if c.slug == slug)
    parent.permissions = {"everyone": 1}
    assert real_listing_provision(site).held[0].held == ("permissions",)  # narrows: asks first
    plan = real_listing_provision(site, confirm=lambda plan: True)
    assert [(a.key, a.changes) for a in plan.writes] == [(slug, ("permissions",))]
    assert parent.permissions == {slug: 1, "staff": 1}


def test_check_permissions_reads_each_category_and_finds_a_wrong_group(site):
    site.provision()
    first, second = (coop.slug for coop in site.network.cooperatives[:2])
    parent = next(c for c in site.server.state.categories.values() if c.slug == first)
    parent.permissions = {second: 1, "staff": 1}  # still restricted: invisible in the listing
    assert real_listing_provision(site, dry_run=True).writes == []
    site.server.reset_stats()
    plan = real_listing_provision(site, check_permissions=True, confirm=lambda plan: True)
    assert [(a.key, a.changes) for a in plan.writes] == [(first, ("permissions",))]
    # one read per category of the forum: 3 network + 74 × 3 cooperative ones + Uncategorized
    assert site.server.stats()["routes"]["GET /c/{id}/show.json"] == 226
    assert parent.permissions == {first: 1, "staff": 1}


# --- adopting an existing forum (issue 9, item 9) --------------------------------------------


@pytest.fixture
def lived_in(tmp_path: Path):
    """A forum used for years (small network with activity): each cooperative's category has
    accepted answers on, solved questions and its own colour; the template wants answers off
    there (they go in Entraide) and the cooperatives.csv colour."""
    network = generate(1, size="small")
    answers_in_use(network.forum)
    (tmp_path / "roster.csv").write_text(network.roster_csv, encoding="utf-8")
    with serving(network, tmp_path) as server:
        yield Site(server, network, tmp_path)


def parents(site: Site) -> dict[str, tuple]:
    """Each cooperative category's (colour, accepted answers)."""
    categories = structure(site.server)["categories"]
    return {
        coop.slug: (categories[coop.slug][1], categories[coop.slug][3])
        for coop in site.network.cooperatives
    }


def solved_in(site: Site, slug: str) -> int:
    forum = site.server.state
    category = forum.category_by_slug(slug)
    return sum(
        1
        for topic in forum.topics.values()
        if topic.category_id == category.id
        and forum.is_counted_topic(topic)
        and topic.accepted_answer_post_id is not None
    )


def test_plan_says_how_many_solved_topics_lose_accepted_answers(lived_in):
    result = lived_in.cli("provision", "--dry-run")
    assert result.exit_code == 0, result.output
    coop = lived_in.network.cooperatives[0]
    solved = solved_in(lived_in, coop.slug)
    assert solved > 1
    line = next(line for line in result.stdout.splitlines() if f"  {coop.name}  " in line)
    assert line.endswith(
        f"couleur AAAAAA → {coop.color.upper()} ; désactive les réponses acceptées sur une"
        f" catégorie qui compte {solved} sujets résolus"
    )


def test_feature_in_use_is_kept_without_confirmation_and_the_colour_is_applied(lived_in):
    result = lived_in.cli("provision")
    assert result.exit_code == 0, result.output
    assert parents(lived_in) == {
        coop.slug: (coop.color.upper(), "true") for coop in lived_in.network.cooperatives
    }
    assert "6 changements retenus" in result.stdout
    assert "Relancez avec --yes" in result.stdout


def test_feature_in_use_is_removed_when_confirmed_with_yes(lived_in):
    result = lived_in.cli("provision", "--yes")
    assert result.exit_code == 0, result.output
    assert {answers for _colour, answers in parents(lived_in).values()} == {"false"}


def test_adopt_existing_keeps_the_forum_as_it_is_even_with_yes(lived_in):
    with (lived_in.folder / "campus.toml").open("a", encoding="utf-8") as config:
        config.write("[template]\nadopt_existing = true\n")
    result = lived_in.cli("provision", "--yes", "--json")
    assert result.exit_code == 0, result.output
    assert {answers for _colour, answers in parents(lived_in).values()} == {"true"}
    assert json.loads(result.stdout)["held"] == len(lived_in.network.cooperatives)


@pytest.mark.parametrize(
    ("answer", "expected"), [("y\n", "false"), ("n\n", "true"), ("\n", "true")]
)
def test_a_person_at_a_terminal_is_asked_and_no_is_the_default(
    lived_in, monkeypatch, answer, expected
):
    monkeypatch.setattr(cli_support, "stdin_is_terminal", lambda: True)
    env = {"CAMPUS_DISCOURSE_API_KEY": lived_in.server.api_key}
    config = ["--config", str(lived_in.folder / "campus.toml")]
    result = run_campus(*config, "provision", env=env, input=answer)
    assert result.exit_code == 0, result.output
    assert "6 changements touchent à ce que les membres utilisent :" in result.stderr
    assert "Appliquer aussi ces changements ? [y/N]" in result.stderr
    assert {answers for _colour, answers in parents(lived_in).values()} == {expected}
