"""One declaration per indicator: everything that describes an indicator follows from it.

A fixture indicator is declared once, through `register`, and must then be in the report's
per-scope indicators, in the vigilance rules and the `[indicators]` settings, and among the lab's
outcomes, with nothing else written for it.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

import pytest

from analytics.catalogue import CATALOGUE, register
from analytics.indicator_spec import IndicatorSpec, Threshold
from analytics.indicators import Activity, Figure
from analytics.lab_estimator import default_outcomes, outcome_panel
from analytics.settings import IndicatorSettings, threshold_settings
from analytics.vigilance import vigilance_rules
from bench.report_mirror import fill_mirror
from core.errors import InputError
from core.i18n import _
from core.settings import POSITIVE
from reports.render import build_report
from sync.mirror.db import connect
from sync.mirror.loader import load_forum

NOW = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
NIGHT_POSTS_MAX = Threshold(
    "night_posts_max", "max", 1, POSITIVE, "nombre maximal de messages écrits entre minuit et 5 h"
)


def night_posts(activity: Activity, month: str) -> dict[str | None, Figure]:
    """Posts written by members between 00:00 and 05:00; n = their authors."""
    posts, _topics = activity.month_rows(month)
    posts = posts[posts["author_coop"].notna()]
    night = posts[posts["created_at"].dt.tz_convert(activity.tz).dt.hour < 5]
    figures = {None: Figure(len(night), night["user_id"].nunique())}
    for slug, rows in night.groupby("author_coop"):
        figures[slug] = Figure(len(rows), rows["user_id"].nunique())
    return figures


NIGHT_POSTS = IndicatorSpec(
    "night_posts",
    "intensite",
    "count",
    "working_time",
    label="Messages écrits entre minuit et 5 h",
    definition="Messages du mois écrits par les membres entre 0 h et 5 h. n = leurs auteurs.",
    better="down",
    threshold=NIGHT_POSTS_MAX,
    guidance="after_hours",
    lab_outcome=99,
    empty_value=0,
    compute=night_posts,
)


@pytest.fixture
def night():
    """The catalogue with the fixture indicator, restored afterwards."""
    register(NIGHT_POSTS)
    yield NIGHT_POSTS
    CATALOGUE.remove(NIGHT_POSTS.id)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    engine = connect(f"sqlite:///{tmp_path_factory.mktemp('mirror') / 'campus.db'}")
    fill_mirror(engine)
    return engine


def test_a_registered_indicator_is_in_the_report_the_vigilance_and_the_lab(night, engine, tmp_path):
    activity = Activity(load_forum(engine))
    expected = night_posts(activity, "2026-10")[None]
    assert expected.n >= 5 and expected.value > 1  # enough authors to show, past the threshold

    thresholds = threshold_settings(CATALOGUE)()
    assert thresholds.night_posts_max == 1
    folder = build_report(activity, "2026-10", tmp_path, now=NOW, thresholds=thresholds)

    data = json.loads((folder / "indicators.json").read_text())
    assert data["definitions"]["night_posts"]["better"] == "down"
    for scope in data["scopes"]:
        assert "night_posts" in [row["id"] for row in scope["indicators"]], scope["scope"]
    network = data["scopes"][0]
    row = next(row for row in network["indicators"] if row["id"] == "night_posts")
    assert (row["value"], row["n"], row["axis"]) == (expected.value, expected.n, "intensite")
    network_cards = [card for card in data["vigilance"] if card["scope"] == "network"]
    assert "night_posts" in [key for card in network_cards for key in card["indicators"]]
    assert "Messages écrits entre minuit et 5 h" in (folder / "network.md").read_text()

    rule = next(rule for rule in vigilance_rules() if rule.indicator == "night_posts")
    assert (rule.field, rule.kind) == ("night_posts_max", "max")

    assert default_outcomes()[-1] == "night_posts"
    panel = outcome_panel(activity, ["2026-10"], default_outcomes())
    assert "night_posts" in panel.columns


def test_the_fixture_indicator_is_gone_once_its_test_ends():
    assert "night_posts" not in CATALOGUE
    assert "night_posts" not in default_outcomes()


def test_every_label_and_definition_has_its_english_translation():
    for key, spec in CATALOGUE.items():
        assert _(spec.definition, lang="en") != spec.definition, key
        if spec.label != "Questions":  # the same word in both languages
            assert _(spec.label, lang="en") != spec.label, key


def test_the_settings_are_the_declared_thresholds():
    names = [f.name for f in dataclasses.fields(IndicatorSettings)]
    assert names == [threshold.setting for threshold in CATALOGUE.thresholds()]
    defaults = IndicatorSettings()
    for threshold in CATALOGUE.thresholds():
        assert getattr(defaults, threshold.setting) == threshold.default


@pytest.mark.parametrize("threshold", CATALOGUE.thresholds(), ids=lambda t: t.setting)
def test_a_threshold_outside_its_declared_bounds_is_refused(threshold):
    bounds = threshold.bounds
    below = bounds.low if not bounds.low_included else bounds.low - 1
    with pytest.raises(InputError, match=threshold.setting) as error:
        IndicatorSettings(**{threshold.setting: below})
    assert bounds.text in str(error.value)


def test_an_indicator_cannot_be_declared_twice():
    with pytest.raises(ValueError, match="twice"):
        register(CATALOGUE["members"])
    assert len([key for key in CATALOGUE if key == "members"]) == 1


def test_a_follower_must_be_an_indicator():
    stray = dataclasses.replace(NIGHT_POSTS, id="stray", followers=("nowhere",))
    with pytest.raises(ValueError, match="nowhere"):
        register(stray)
    assert "stray" not in CATALOGUE


def test_a_shared_threshold_is_declared_once():
    other = dataclasses.replace(CATALOGUE["after_hours"].threshold, default=0.5)
    clash = dataclasses.replace(NIGHT_POSTS, id="clash", threshold=other)
    with pytest.raises(ValueError, match="after_hours_max"):
        register(clash)
    assert "clash" not in CATALOGUE
