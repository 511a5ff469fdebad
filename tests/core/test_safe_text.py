"""User strings sent back to Discourse or written to CSV cannot mention, link or run formulas."""

import re

import pandas as pd
import pytest

from core.safe_text import ZERO_WIDTH_SPACE, csv_cell, csv_safe, discourse_inline

HOSTILE = [
    "@here voir https://evil.example",
    "@directions urgent",
    "contact: a@b.co",
    "[cliquez](http://evil.example)",
    "<https://evil.example>",
    "www.evil.example",
    "[url=https://evil.example]x[/url]",
    "#coop-alpha",
    "ligne 1\nligne 2 | colonne",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_no_mention_hashtag_or_link_survives(text):
    safe = discourse_inline(text)
    visible = safe.replace("\\", "")
    assert not re.search(r"[@#]\w", visible)
    assert "://" not in visible
    assert not re.search(r"\w\.\w", visible)
    assert not re.search(r"(?<!\\)[\[\]()<>|]", safe)
    assert "\n" not in safe


def test_text_reads_the_same_once_rendered():
    safe = discourse_inline("Coopérative Alpha (Bretagne) — 50 % !")
    assert (
        safe.replace("\\", "").replace(ZERO_WIDTH_SPACE, "")
        == "Coopérative Alpha (Bretagne) — 50 % !"
    )


def test_nul_and_control_characters_become_spaces():
    assert discourse_inline("a\x00b\r\nc") == "a b c"


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://x")', "+33", "-1+2", "@SUM(A1)", "\t=1"])
def test_formula_cells_are_quoted(cell):
    assert csv_cell(cell) == "'" + cell


def test_numbers_and_plain_text_are_untouched():
    assert csv_cell(-3) == -3
    assert csv_cell("Coop Alpha") == "Coop Alpha"


def test_csv_safe_quotes_text_columns_and_names():
    frame = pd.DataFrame({"name": ["=cmd", "ok"], "value": [-1.5, 2.0]})
    safe = csv_safe(frame)
    assert safe["name"].tolist() == ["'=cmd", "ok"]
    assert safe["value"].tolist() == [-1.5, 2.0]
