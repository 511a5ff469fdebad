"""`report --publish`: a user-provided string never mentions nor links anyone (DESIGN §7, §13).

End to end: cooperative categories renamed on the sandbox forum with a mention, a URL, a
formula, a table pipe and a line break are mirrored, reported, published, and read back.
"""

from __future__ import annotations

import re

import pytest

from sandbox.network import generate
from sync.discourse.client import DiscourseAPI
from sync.discourse.settings import DiscourseSettings
from tests.conftest import SANDBOX_TEST_KEY

pytestmark = pytest.mark.integration

MENTION = "@here voir https://evil.example"
FORMULA = '=HYPERLINK("https://evil.example/x";"ici")'
BROKEN = "Coop | [lien](https://evil.example)\n| fausse | ligne |"


def test_published_report_mentions_and_links_nobody(campus_cli, sandbox_server, tmp_path):
    network = generate(1, "small")
    (tmp_path / "cooperatives.csv").write_text(network.cooperatives_csv, encoding="utf-8")
    api = DiscourseAPI(
        DiscourseSettings(url=sandbox_server.url, api_key=SANDBOX_TEST_KEY, requests_per_minute=0)
    )
    slugs = [coop.slug for coop in network.cooperatives][:3]
    tops = {c["slug"]: c["id"] for c in api.all_categories() if not c.get("parent_category_id")}
    for slug, name in zip(slugs, (MENTION, FORMULA, BROKEN), strict=True):
        api._put(f"/categories/{tops[slug]}.json", name=name)

    assert campus_cli("sync").exit_code == 0
    result = campus_cli("report", "--month", "2026-10", "--publish")
    assert result.exit_code == 0, result.output
    topic_id = int(re.search(r"sujet (\d+)", result.output).group(1))
    first = api.topic_with_posts(topic_id)["post_stream"]["posts"][0]
    raw = api._get(f"/posts/{first['id']}.json")["raw"]

    assert "@here" not in raw  # no mention
    assert "https://" not in raw and "evil.example" not in raw  # no bare URL or domain
    assert "](" not in raw.replace("\\](", "")  # no Markdown link
    for table in re.findall(r"(?:^\|.*\n)+", raw, flags=re.MULTILINE):  # cells per row
        cells = {line.count("|") - line.count("\\|") for line in table.splitlines()}
        assert len(cells) == 1, table
    assert not any(line.startswith("| fausse") for line in raw.splitlines())
    assert "HYPERLINK" in raw  # the name is still shown, inert
