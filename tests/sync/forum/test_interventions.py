"""Reading and validating interventions.csv (sync.forum.interventions)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import InputError
from core.vocabulary import Intervention
from sync.forum.inputs import Cooperative
from sync.forum.interventions import find_intervention, read_interventions

COOPS = [Cooperative(slug, slug.title()) for slug in ("coop-alpha", "coop-beta", "coop-gamma")]
HEADER = "name,cooperatives,start,end,description\n"


@pytest.fixture(autouse=True)
def french(monkeypatch):
    monkeypatch.setenv("CAMPUS_LANG", "fr")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "interventions.csv"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        read_interventions(path, COOPS)
    assert caught.value.exit_code == 2
    return str(caught.value)


def test_reads_interventions_with_optional_end_and_staggered_starts(tmp_path):
    path = write(
        tmp_path,
        HEADER
        + "relais,coop-alpha coop-beta:2026-05,2026-03,,Relais des questions\n"
        + "edt,COOP-GAMMA,2026-01,2026-06,Espaces de discussion\n",
    )
    assert read_interventions(path, COOPS) == [
        Intervention(
            "relais", {"coop-alpha": "2026-03", "coop-beta": "2026-05"}, "2026-03", None,
            "Relais des questions", 2,
        ),
        Intervention("edt", {"coop-gamma": "2026-01"}, "2026-01", "2026-06", "Espaces de discussion", 3),
    ]  # fmt: skip


def test_french_spreadsheet_export_with_semicolons_and_bom(tmp_path):
    path = tmp_path / "interventions.csv"
    path.write_bytes(
        "\ufeffname;cooperatives;start;end;description\r\nx;coop-alpha coop-beta;2026-02;;d\r\n".encode()
    )
    assert read_interventions(path, COOPS)[0].cooperatives == ["coop-alpha", "coop-beta"]


def test_every_bad_row_is_reported_with_its_line(tmp_path):
    path = write(
        tmp_path,
        HEADER
        + "a,coop-nope,2026-01,,\n"  # 2: unknown cooperative
        + "b,coop-alpha,2026-13,,\n"  # 3: bad month
        + "c,coop-alpha,2026-05,2026-02,\n"  # 4: end before start
        + "A,coop-beta,2026-01,,\n"  # 5: duplicate name (case-insensitive)
        + ",coop-beta,2026-01,,\n"  # 6: missing name
        + "d,,2026-01,,\n"  # 7: no cooperative
        + "e,coop-alpha coop-alpha,2026-01,,\n"  # 8: listed twice
        + "f,coop-alpha:2026-1,2026-01,,\n"  # 9: bad own start
        + "g,coop-alpha,2026-01,demain,\n",  # 10: bad end
    )
    message = error_of(path)
    assert "9 lignes à corriger" in message
    for line, words in {
        2: "coop-nope",
        3: "2026-13",
        4: "fin 2026-02 avant le début 2026-05",
        5: "déjà déclarée ligne 2",
        6: "nom manquant",
        7: "aucune coopérative",
        8: "citée deux fois",
        9: "slug:AAAA-MM",
        10: "demain",
    }.items():
        assert f"interventions.csv:{line}: " in message and words in message, (line, words)


def test_a_header_without_required_columns_is_refused(tmp_path):
    message = error_of(write(tmp_path, "name,start\nx,2026-01\n"))
    assert "cooperatives" in message


def test_a_missing_file_names_the_setting(tmp_path):
    message = error_of(tmp_path / "absent.csv")
    assert "[lab] interventions" in message


def test_find_intervention_is_case_insensitive_and_lists_known_names(tmp_path):
    found = read_interventions(write(tmp_path, HEADER + "Relais,coop-alpha,2026-01,,\n"), COOPS)
    assert find_intervention(found, "relais").name == "Relais"
    with pytest.raises(InputError) as caught:
        find_intervention(found, "autre")
    assert "Relais" in str(caught.value) and caught.value.exit_code == 2
