"""The pure planner of `campus provision` (sync.forum.structure.plan_structure) and its table."""

from __future__ import annotations

import dataclasses

import pytest

from sync.forum.inputs import Cooperative
from sync.forum.structure import (
    CATEGORY,
    CREATE,
    GROUP,
    ORPHANED,
    UNCHANGED,
    UPDATE,
    ForumState,
    _category_fields,
    desired_categories,
    desired_groups,
    plan_structure,
    read_forum_state,
    reserved_names,
)
from sync.forum.structure_text import format_plan, plan_json
from sync.settings import ForumTemplate

TEMPLATE = ForumTemplate()
COOPS = [Cooperative("coop-alpha", "Alpha", color="1B75BB"), Cooperative("coop-beta", "Beta")]


@pytest.fixture(autouse=True)
def french(monkeypatch):
    monkeypatch.setenv("CAMPUS_LANG", "fr")


def provisioned_state(cooperatives=COOPS, *, listed_permissions: bool = True) -> ForumState:
    """The forum exactly as a finished provisioning leaves it (ids in creation order)."""
    groups = {
        target.key: {"id": index, "name": target.name, "automatic": False, **target.fields}
        for index, target in enumerate(desired_groups(cooperatives, TEMPLATE), start=100)
    }
    groups["staff"] = {"id": 3, "name": "staff", "automatic": True}
    categories, ids = [], {}
    for index, target in enumerate(desired_categories(cooperatives, TEMPLATE), start=10):
        ids[target.key] = index
        categories.append(
            {
                "id": index,
                "slug": target.slug,
                "name": target.name,
                "color": target.color,
                "parent_category_id": ids[target.parent_slug] if target.parent_slug else None,
                "read_restricted": "everyone" not in target.permissions,
                "accepted_answers": target.accepted_answers,
                "permissions": dict(target.permissions) if listed_permissions else None,
            }
        )
    categories.append(
        {
            "id": 1,
            "slug": "uncategorized",
            "name": "Uncategorized",
            "color": "0088CC",
            "parent_category_id": None,
            "read_restricted": False,
            "accepted_answers": False,
            "permissions": None,
        }
    )
    return ForumState(groups=groups, categories=categories)


def category(state: ForumState, key: str) -> dict:
    by_id = {c["id"]: c for c in state.categories}
    for record in state.categories:
        parent = by_id.get(record["parent_category_id"])
        if (f"{parent['slug']}/{record['slug']}" if parent else record["slug"]) == key:
            return record
    raise KeyError(key)


def ops(plan, op):
    return [(action.kind, action.key) for action in plan.actions if action.op == op]


def test_empty_forum_plans_every_group_then_every_category_in_dependency_order():
    plan = plan_structure(ForumState(groups={}, categories=[]), COOPS, TEMPLATE)
    assert [(a.op, a.kind, a.key) for a in plan.actions] == [
        (CREATE, GROUP, "coop-alpha"),
        (CREATE, GROUP, "coop-beta"),
        (CREATE, GROUP, "entrepreneurs"),
        (CREATE, GROUP, "equipes-appui"),
        (CREATE, GROUP, "directions"),
        (CREATE, GROUP, "transformers"),
        (CREATE, GROUP, "campus-optout"),
        (CREATE, GROUP, "campus-relais"),
        (CREATE, CATEGORY, "campus"),
        (CREATE, CATEGORY, "labo-qvt"),
        (CREATE, CATEGORY, "direction"),
        (CREATE, CATEGORY, "coop-alpha"),
        (CREATE, CATEGORY, "coop-alpha/entraide"),
        (CREATE, CATEGORY, "coop-alpha/vie"),
        (CREATE, CATEGORY, "coop-beta"),
        (CREATE, CATEGORY, "coop-beta/entraide"),
        (CREATE, CATEGORY, "coop-beta/vie"),
    ]


def test_cooperative_group_carries_the_cooperative_name_as_full_name():
    targets = {t.name: t for t in desired_groups(COOPS, TEMPLATE)}
    assert targets["coop-alpha"].fields == {"full_name": "Alpha"}


def test_relay_group_is_open_to_join_and_leave():
    targets = {target.name: target for target in desired_groups(COOPS, TEMPLATE)}
    assert targets["campus-relais"].fields == {"public_admission": True, "public_exit": True}


def test_optout_group_is_open_to_join_and_leave():
    targets = {t.name: t for t in desired_groups(COOPS, TEMPLATE)}
    assert targets["campus-optout"].fields == {"public_admission": True, "public_exit": True}


def test_cooperative_categories_are_restricted_to_its_group_and_staff():
    targets = {t.key: t for t in desired_categories(COOPS, TEMPLATE)}
    assert targets["coop-alpha"].permissions == {"coop-alpha": 1, "staff": 1}
    assert targets["coop-alpha/entraide"].permissions == {"coop-alpha": 1, "staff": 1}
    assert targets["coop-alpha/vie"].permissions == {"coop-alpha": 1, "staff": 1}


def test_accepted_answers_follow_the_template():
    targets = {t.key: t for t in desired_categories(COOPS, TEMPLATE)}
    accepted = sorted(key for key, t in targets.items() if t.accepted_answers)
    assert accepted == ["campus", "coop-alpha/entraide", "coop-beta/entraide"]


def test_network_categories_have_their_permissions_and_everyone_by_default():
    targets = {t.key: t for t in desired_categories(COOPS, TEMPLATE)}
    assert targets["campus"].permissions == {"everyone": 1}
    assert targets["direction"].permissions == {"directions": 1, "staff": 1}


def test_cooperative_without_colour_gets_the_template_default():
    targets = {t.key: t for t in desired_categories(COOPS, TEMPLATE)}
    assert (targets["coop-alpha"].color, targets["coop-beta"].color) == ("1B75BB", "0E76BD")


def test_provisioned_forum_plans_no_write():
    plan = plan_structure(provisioned_state(), COOPS, TEMPLATE)
    assert plan.writes == []
    assert plan.count(UNCHANGED) == 17


def test_renamed_cooperative_updates_its_group_and_parent_category_in_place():
    renamed = [Cooperative("coop-alpha", "Alpha Nouvelle", color="1B75BB"), COOPS[1]]
    plan = plan_structure(provisioned_state(), renamed, TEMPLATE)
    assert [(a.kind, a.key, a.changes, a.forum_id) for a in plan.writes] == [
        (GROUP, "coop-alpha", ("full_name",), 100),
        (CATEGORY, "coop-alpha", ("name",), 13),
    ]


def test_new_colour_updates_the_cooperative_and_its_subcategories():
    recoloured = [Cooperative("coop-alpha", "Alpha", color="00FF00"), COOPS[1]]
    plan = plan_structure(provisioned_state(), recoloured, TEMPLATE)
    assert [(a.key, a.changes) for a in plan.writes] == [
        ("coop-alpha", ("color",)),
        ("coop-alpha/entraide", ("color",)),
        ("coop-alpha/vie", ("color",)),
    ]


class ListingClient:
    """Answers `read_forum_state` like real Discourse: no group permissions in `/site.json`."""

    def __init__(self, categories, groups):
        self.categories, self.groups, self.shown = categories, groups, []

    def all_categories(self):
        return self.categories

    def iter_groups(self):
        yield self.groups

    def category(self, category_id):
        self.shown.append(category_id)
        permissions = [{"permission_type": 1, "group_name": "staff", "group_id": 3}]
        return {"category": {"id": category_id, "group_permissions": permissions}}


SITE_CATEGORY = {
    "id": 7,
    "slug": "coop-alpha",
    "name": "Alpha",
    "color": "1b75bb",
    "read_restricted": True,
    "custom_fields": {"enable_accepted_answers": "true"},
}


def test_forum_state_normalises_colour_and_accepted_answers_from_the_listing():
    state = read_forum_state(ListingClient([SITE_CATEGORY], [{"id": 100, "name": "Coop-Alpha"}]))
    record = state.categories[0]
    assert (record["color"], record["accepted_answers"], record["permissions"]) == (
        "1B75BB",
        True,
        None,
    )
    assert list(state.groups) == ["coop-alpha"]


def test_checking_permissions_reads_each_unlisted_category():
    client = ListingClient([SITE_CATEGORY], [])
    state = read_forum_state(client, check_permissions=True)
    assert client.shown == [7]
    assert state.categories[0]["permissions"] == {"staff": 1}


def test_changed_permissions_are_restored():
    state = provisioned_state()
    category(state, "coop-beta/vie")["permissions"] = {"everyone": 1}
    plan = plan_structure(state, COOPS, TEMPLATE)
    assert [(a.key, a.changes) for a in plan.writes] == [("coop-beta/vie", ("permissions",))]


def test_unlisted_permissions_are_compared_through_read_restricted():
    state = provisioned_state(listed_permissions=False)
    assert plan_structure(state, COOPS, TEMPLATE).writes == []
    category(state, "coop-beta")["read_restricted"] = False
    plan = plan_structure(state, COOPS, TEMPLATE)
    assert [(a.key, a.changes) for a in plan.writes] == [("coop-beta", ("permissions",))]


def test_disabled_accepted_answers_are_enabled_again():
    state = provisioned_state()
    category(state, "coop-alpha/entraide")["accepted_answers"] = False
    plan = plan_structure(state, COOPS, TEMPLATE)
    assert [(a.key, a.changes) for a in plan.writes] == [
        ("coop-alpha/entraide", ("accepted_answers",))
    ]


def test_half_done_provisioning_plans_only_what_is_missing():
    state = provisioned_state()
    del state.groups["transformers"]
    state.categories = [
        c for c in state.categories if c["id"] != category(state, "coop-beta/vie")["id"]
    ]
    plan = plan_structure(state, COOPS, TEMPLATE)
    assert ops(plan, CREATE) == [(GROUP, "transformers"), (CATEGORY, "coop-beta/vie")]
    assert ops(plan, UPDATE) == []


def test_subcategory_is_matched_under_its_own_parent_only():
    state = provisioned_state([COOPS[0]])
    plan = plan_structure(state, COOPS, TEMPLATE)
    assert (CATEGORY, "coop-beta/entraide") in ops(plan, CREATE)


def test_cooperative_left_out_of_the_file_is_reported_orphaned_never_deleted():
    plan = plan_structure(provisioned_state(), [COOPS[0]], TEMPLATE)
    assert ops(plan, ORPHANED) == [
        (GROUP, "coop-beta"),
        (CATEGORY, "coop-beta"),
        (CATEGORY, "coop-beta/entraide"),
        (CATEGORY, "coop-beta/vie"),
    ]
    assert plan.writes == []


def test_automatic_groups_and_uncategorized_are_never_orphaned():
    plan = plan_structure(provisioned_state(), COOPS, TEMPLATE)
    assert ops(plan, ORPHANED) == []


def test_reserved_names_cover_template_groups_and_network_categories():
    slugs, names = reserved_names(TEMPLATE)
    assert {"entrepreneurs", "directions", "transformers", "campus-optout", "direction"} <= slugs
    assert names == {"Campus", "Labo QVT", "Direction"}


def test_json_has_the_design_keys_and_one_entry_per_action():
    plan = plan_structure(ForumState(groups={}, categories=[]), COOPS, TEMPLATE)
    data = plan_json(plan, dry_run=True, requests=2, writes=0)
    assert (data["created"], data["updated"], data["unchanged"]) == (17, 0, 0)
    assert data["actions"][0] == {
        "op": "create",
        "kind": "group",
        "name": "coop-alpha",
        "key": "coop-alpha",
    }


def test_table_is_french_and_hides_unchanged_rows_by_default():
    renamed = [Cooperative("coop-alpha", "Alpha Nouvelle", color="1B75BB"), COOPS[1]]
    table = format_plan(plan_structure(provisioned_state(), renamed, TEMPLATE))
    assert table.splitlines() == [
        "Opération  Type       Nom             Détail",
        "---------  ---------  --------------",
        "modifier   groupe     coop-alpha      renomme le groupe « Alpha » en « Alpha Nouvelle »",
        "modifier   catégorie  Alpha Nouvelle  renomme « Alpha » en « Alpha Nouvelle » (catégorie de 0 sujet)",
        "Total : 0 à créer, 2 à modifier, 15 inchangé(s), 0 orphelin(s) (jamais supprimés).",
    ]


# --- adopting an existing forum (issue 9, item 9) --------------------------------------------


def adopted_state() -> ForumState:
    """A forum used for years: coop-alpha's Entraide has 312 solved topics but accepted answers
    off in the template's view of the forum, its parent is open to everyone and was renamed."""
    state = provisioned_state()
    entraide = category(state, "coop-alpha/entraide")
    entraide.update(topic_count=540, solved_count=312)
    parent = category(state, "coop-alpha")
    parent.update(name="Alpha historique", color="000000", topic_count=75)
    parent["permissions"] = {"everyone": 1}
    return state


ADOPT_TEMPLATE = dataclasses.replace(
    TEMPLATE,
    coop_subcategories=tuple(
        dataclasses.replace(spec, accepted_answers=False) for spec in TEMPLATE.coop_subcategories
    ),
)


def test_turning_off_accepted_answers_says_how_many_solved_topics_it_affects():
    plan = plan_structure(adopted_state(), COOPS, ADOPT_TEMPLATE)
    entraide = next(a for a in plan.writes if a.key == "coop-alpha/entraide")
    assert [effect.text for effect in entraide.effects] == [
        "désactive les réponses acceptées sur une catégorie qui compte 312 sujets résolus"
    ]
    assert entraide.sensitive[0].sensitive == "feature_removed"


def test_turning_off_accepted_answers_nobody_used_is_not_sensitive():
    state = adopted_state()
    category(state, "coop-beta/entraide")["solved_count"] = 0
    plan = plan_structure(state, COOPS, ADOPT_TEMPLATE)
    beta = next(a for a in plan.writes if a.key == "coop-beta/entraide")
    assert beta.sensitive == ()


def test_rename_and_narrowed_access_are_sensitive_colour_is_not():
    plan = plan_structure(adopted_state(), COOPS, TEMPLATE)
    parent = next(a for a in plan.writes if a.key == "coop-alpha")
    assert {effect.change: effect.sensitive for effect in parent.effects} == {
        "name": "renamed",
        "color": None,
        "permissions": "access_narrowed",
    }
    assert parent.effects[2].text == (
        "restreint l'accès (aujourd'hui : tout le monde ; après : coop-alpha, staff)"
        " à une catégorie de 75 sujets"
    )


def test_held_plan_sends_the_colour_and_keeps_name_permissions_and_answers():
    plan = plan_structure(adopted_state(), COOPS, TEMPLATE).hold_sensitive()
    parent = next(a for a in plan.writes if a.key == "coop-alpha")
    assert parent.pending == ("color",)
    fields = _category_fields(parent.target, None, parent)
    assert fields["name"] == "Alpha historique"
    assert "permissions" not in fields and "custom_fields" not in fields
    assert plan.sensitive == []


def test_adopt_existing_setting_holds_every_sensitive_change():
    template = dataclasses.replace(ADOPT_TEMPLATE, adopt_existing=True)
    plan = plan_structure(adopted_state(), COOPS, template)
    assert plan.sensitive == []
    assert {a.key: a.held for a in plan.held} == {
        "coop-alpha": ("name", "permissions"),
        "coop-alpha/entraide": ("accepted_answers",),
        "coop-beta/entraide": ("accepted_answers",),  # solved topics not counted: kept too
    }
    assert "retenu, le forum garde l'existant" in format_plan(plan)


def test_renaming_a_group_members_know_is_sensitive_naming_a_new_one_is_not():
    state = provisioned_state()
    state.groups["coop-beta"]["full_name"] = None
    renamed = [Cooperative("coop-alpha", "Alpha Nouvelle", color="1B75BB"), COOPS[1]]
    plan = plan_structure(state, renamed, TEMPLATE)
    effects = {a.key: a.effects for a in plan.writes if a.kind == GROUP}
    assert [(e.text, e.sensitive) for e in effects["coop-alpha"]] == [
        ("renomme le groupe « Alpha » en « Alpha Nouvelle »", "renamed")
    ]
    assert [(e.text, e.sensitive) for e in effects["coop-beta"]] == [("nom complet « Beta »", None)]
