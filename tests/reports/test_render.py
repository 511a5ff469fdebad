"""`build_report`: the files of a month, their formats, languages, privacy and safety."""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from analytics.indicators import Activity
from bench.report_mirror import HOSTILE, fill_mirror
from core.errors import InputError
from core.safe_text import discourse_inline
from reports import render
from reports.render import build_report
from sync.mirror.db import connect
from sync.mirror.loader import load_forum

NOW = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def activity(tmp_path_factory) -> Activity:
    engine = connect(f"sqlite:///{tmp_path_factory.mktemp('mirror') / 'campus.db'}")
    fill_mirror(engine, hostile=True)
    return Activity(load_forum(engine))


@pytest.fixture(scope="module")
def french(activity, tmp_path_factory) -> Path:
    return build_report(activity, "2026-10", tmp_path_factory.mktemp("out"), now=NOW)


def test_every_file_of_the_month_is_written(french: Path):
    names = {p.relative_to(french).as_posix() for p in french.rglob("*") if p.is_file()}
    expected = {"network.html", "network.md", "indicators.csv", "indicators.json"}
    for slug in ("coop-01", "coop-02", "coop-03"):
        expected |= {f"cooperatives/{slug}.html", f"cooperatives/{slug}.md"}
    assert names == expected
    assert french.name == "2026-10"


def test_french_numbers_and_dates(french: Path):
    markdown = (french / "network.md").read_text()
    assert "octobre 2026" in markdown
    assert "1 novembre 2026 07:00" in markdown  # 06:00 UTC in Paris time
    assert re.search(r"\| \d+\s% \|", markdown)  # French percent, non-breaking space
    assert re.search(r"\d+,\d h", markdown)  # decimal comma


def test_english_on_request(activity, tmp_path: Path):
    folder = build_report(activity, "2026-10", tmp_path, lang="en", now=NOW)
    markdown = (folder / "network.md").read_text()
    assert "October 2026" in markdown
    assert "Points of attention" in markdown
    assert "infers no emotion or sentiment" in markdown
    assert re.search(r"\| \d+% \|", markdown)


def test_every_report_states_what_it_measures_and_what_it_cannot(french: Path):
    for path in [french / "network.md", *(french / "cooperatives").glob("*.md")]:
        markdown = path.read_text()
        assert "## Ce que ce rapport mesure, et ce qu'il ne peut pas dire" in markdown, path
        assert "pas un diagnostic" in markdown, path
        assert "n'infère ni émotion ni sentiment" in markdown, path


def test_json_and_csv_hold_every_indicator_of_every_scope(french: Path):
    data = json.loads((french / "indicators.json").read_text())
    assert [scope["scope"] for scope in data["scopes"]] == [
        "network", "coop-01", "coop-02", "coop-03",
    ]  # fmt: skip
    count = len(data["definitions"])
    assert all(len(scope["indicators"]) == count for scope in data["scopes"])
    with (french / "indicators.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4 * count


def test_figures_about_four_voters_are_suppressed_and_marked(french: Path):
    data = json.loads((french / "indicators.json").read_text())
    coop_01 = next(scope for scope in data["scopes"] if scope["scope"] == "coop-01")
    pulse = next(row for row in coop_01["indicators"] if row["id"] == "pulse_autonomie")
    assert pulse == pulse | {"n": None, "suppressed": True, "value": None}
    coop_02 = next(scope for scope in data["scopes"] if scope["scope"] == "coop-02")
    shown = next(row for row in coop_02["indicators"] if row["id"] == "pulse_autonomie")
    assert shown["n"] >= 5 and shown["value"] is not None
    assert "masqué" in (french / "cooperatives" / "coop-01.md").read_text()


def test_no_hidden_pulse_result_can_be_worked_out_from_the_network(french: Path):
    data = json.loads((french / "indicators.json").read_text())
    rows = {
        scope["scope"]: next(r for r in scope["indicators"] if r["id"] == "pulse_autonomie")
        for scope in data["scopes"]
    }
    assert rows["coop-01"]["suppressed"]
    shown = [row for scope, row in rows.items() if scope != "network" and not row["suppressed"]]
    assert rows["network"]["n"] == sum(row["n"] for row in shown)
    assert rows["network"]["value"] == pytest.approx(
        sum(row["value"] * row["n"] for row in shown) / rows["network"]["n"]
    )


def test_suppressed_figures_are_empty_and_flagged_in_the_csv(french: Path):
    with (french / "indicators.csv").open() as handle:
        rows = [
            row
            for row in csv.DictReader(handle)
            if row["scope"] == "coop-01" and row["indicator"].startswith("pulse_")
        ]
    assert len(rows) == 6
    for row in rows:
        assert (row["value"], row["n"], row["suppressed"]) == ("", "", "true")
        assert (row["previous"], row["previous_n"], row["previous_suppressed"]) == ("", "", "true")
        assert row["mean_3m"] == ""


def test_the_size_of_a_group_under_five_is_withheld_in_csv_and_json(tiny: Path):
    # the cooperative's 4 members: the value of `members` is its n, so both are withheld
    data = json.loads((tiny / "indicators.json").read_text())
    coop = next(scope for scope in data["scopes"] if scope["scope"] == "coop-01")
    members = next(row for row in coop["indicators"] if row["id"] == "members")
    assert (members["value"], members["n"], members["suppressed"]) == (None, None, True)
    with (tiny / "indicators.csv").open() as handle:
        row = next(
            r
            for r in csv.DictReader(handle)
            if (r["scope"], r["indicator"]) == ("coop-01", "members")
        )
    assert (row["value"], row["n"], row["previous_n"]) == ("", "", "")


def test_suppressed_figures_are_marked_in_the_html(french: Path):
    html = (french / "cooperatives" / "coop-01.html").read_text()
    row = re.search(r"<td>Baromètre[^<]*</td>(.*?)</tr>", html, re.DOTALL).group(1)
    assert '<td class="num suppressed">masqué</td>' in row
    assert "&lt; 5" in row


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    """The reports of a network of four members: every figure is about fewer than five people."""
    engine = connect(f"sqlite:///{tmp_path_factory.mktemp('tiny') / 'campus.db'}")
    fill_mirror(engine, cooperatives=1, members_per_coop=4, topics=30)
    return build_report(load_forum(engine), "2026-10", tmp_path_factory.mktemp("out"), now=NOW)


def test_charts_about_fewer_than_five_people_are_not_drawn(tiny: Path):
    html = (tiny / "network.html").read_text()
    assert html.count("Graphique masqué : moins de 5 personnes concernées.") == 2
    charts = html[html.index('id="graphiques"') : html.index('id="detail"')]
    assert charts.count("<svg") == 1  # the key figures, with every panel empty
    assert charts.count("Trop peu de données") == 8


def test_a_cooperative_of_four_members_has_its_size_hidden(tiny: Path):
    markdown = (tiny / "network.md").read_text()
    assert "| Coopérative 1 | *masqué* | 0 |" in markdown


@pytest.mark.parametrize("page", ["network.html", "cooperatives/coop-01.html"])
def test_html_escapes_cooperative_names(french: Path, page: str):
    html = (french / page).read_text()
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<script" not in html
    assert "onerror=alert" not in html.replace("&lt;img src=x onerror=alert(1)&gt;", "")


def test_no_member_name_nor_topic_title_in_any_report(french: Path):
    # every file: network and cooperative reports, HTML and Markdown, CSV and JSON
    paths = sorted(french.rglob("*.*"))
    assert len(paths) == 10
    for path in paths:
        text = path.read_text()
        assert not re.search(r"membre\d", text), path  # usernames are membre1 … membre75
        # titles are HOSTILE + " <number>", in raw, HTML-escaped or Markdown-escaped form
        assert not re.search(r"alert\\?\(1\\?\)(>|&gt;|\\>) \d", text), path


def test_html_references_no_external_address(french: Path):
    for path in [french / "network.html", *(french / "cooperatives").glob("*.html")]:
        html = path.read_text()
        assert not re.search(r"(?i)(https?:)?//[a-z0-9]", html), path
        assert not re.search(r"(?i)<(script|link|iframe|img)\b", html), path


def test_network_report_has_its_four_inline_charts_with_text_alternatives(french: Path):
    html = (french / "network.html").read_text()
    charts = html[html.index('id="graphiques"') : html.index('id="detail"')]
    assert charts.count("<svg") == 4  # key figures, first responses, load, barometer
    assert charts.count("<figcaption>") == 4
    assert charts.count('role="img" aria-label="') == 4


@pytest.mark.parametrize("page", ["network.md", "cooperatives/coop-01.md"])
def test_markdown_escapes_cooperative_names(french: Path, page: str):
    markdown = (french / page).read_text()
    assert "\\<script\\>alert\\(" in markdown
    assert "<script>" not in markdown
    assert discourse_inline("a|b<c>") == "a\\|b\\<c\\>"


def test_annex_defines_every_indicator(french: Path):
    html = (french / "network.html").read_text()
    assert "Délai médian de première réponse" in html
    # one row per indicator, the six barometer axes sharing one (« Chacun des six axes »)
    assert html.count("<tr><td>") >= 27


def test_unknown_cooperative_is_refused(activity, tmp_path: Path):
    with pytest.raises(InputError, match="coop-zz"):
        build_report(activity, "2026-10", tmp_path, only="coop-zz", now=NOW)


def test_one_cooperative_only(activity, tmp_path: Path):
    folder = build_report(activity, "2026-10", tmp_path, only="coop-02", now=NOW)
    assert sorted(p.name for p in (folder / "cooperatives").iterdir()) == [
        "coop-02.html", "coop-02.md",
    ]  # fmt: skip


def test_a_failed_run_keeps_the_previous_reports(activity, tmp_path: Path, monkeypatch):
    folder = build_report(activity, "2026-10", tmp_path, now=NOW)
    before = (folder / "network.md").read_text()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(render, "write_csv", broken)
    with pytest.raises(RuntimeError):
        build_report(activity, "2026-10", tmp_path, lang="en", now=NOW)
    assert (folder / "network.md").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-10"]


def test_a_malformed_month_is_refused(activity, tmp_path: Path):
    with pytest.raises(InputError):
        build_report(activity, "2026-13", tmp_path, now=NOW)


def test_no_data_is_not_marked_as_hidden(activity, tmp_path: Path):
    folder = build_report(
        activity, "2026-11", tmp_path, only="coop-02", now=NOW, partial=True
    )  # no poll yet
    markdown = (folder / "cooperatives" / "coop-02.md").read_text()
    assert "| Baromètre : réponse moyenne (1–5) | – | 0 |" in markdown


def _barometer(html: str) -> str:
    return html[html.index('id="barometre"') : html.index('id="detail"')]


def test_a_cooperative_shows_its_barometer_as_distributions_over_months(french: Path):
    section = _barometer((french / "cooperatives" / "coop-02.html").read_text())
    assert section.count("<svg") == 1
    assert "Réponses au baromètre par axe et par mois" in section  # the text alternative
    assert section.count("<figcaption>") == 1


def test_a_cooperative_barometer_under_five_voters_is_not_drawn(french: Path):
    section = _barometer((french / "cooperatives" / "coop-01.html").read_text())  # 4 voters
    assert "<svg" not in section
    assert "Pas encore de résultat du baromètre à montrer" in section


def test_a_cooperative_draws_its_key_figures_beside_the_network(french: Path):
    html = (french / "cooperatives" / "coop-02.html").read_text()
    charts = html[html.index('id="graphiques"') : html.index('id="barometre"')]
    assert charts.count("<svg") == 1
    assert "réseau (taux et délais)" in charts  # the legend, below the panels
    alt = re.search(r'aria-label="([^"]*)"', charts).group(1)
    shares = re.search(r"Taux de participation : [^;]*", alt).group(0)
    members = re.search(r"Membres actifs : [^;]*", alt).group(0)
    assert "(réseau : " in shares  # a share is compared with the network's …
    assert "réseau" not in members  # … a head count is not


def test_pages_drawn_by_several_processes_are_the_same_files(activity, tmp_path: Path):
    """A big network's pages are drawn on every core (`write_report(jobs=…)`): the files are
    byte for byte those drawn by one process."""
    from analytics.indicators import Activity
    from reports.render import build_model, write_report

    report = build_model(Activity(activity.forum), "2026-10", now=NOW)
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir(), two.mkdir()
    write_report(report, one, "fr", jobs=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("reports.render.PAGES_PER_WORKER", 1)
        write_report(report, two, "fr", jobs=2)
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file())
    assert all((one / f).read_bytes() == (two / f).read_bytes() for f in files)
