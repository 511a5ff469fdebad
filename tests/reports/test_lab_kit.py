"""`campus lab kit`: French drafts for the DPO, pre-filled from the configuration."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_campus

CONFIG = """
[discourse]
url = "https://forum.cae-reseau.example"
[network]
timezone = "Europe/Paris"
[reports]
min_group_size = 7
[template]
optout_group = "sans-score"
transformers_group = "pairs-aidants"
[lab]
network_name = "Réseau des CAE Solidaires"
controller = "Union des CAE, 12 rue du Travail, 75011 Paris"
dpo_contact = "dpo@cae-reseau.example"
research_partner = "ARACT Occitanie"
retention = "24 mois"
"""


def kit(tmp_path: Path, config_text: str, out: Path):
    config = tmp_path / "campus.toml"
    config.write_text(config_text, encoding="utf-8")
    (tmp_path / "cooperatives.csv").write_text("slug,name\ncoop-alpha,Alpha\ncoop-beta,Beta\n")
    return run_campus("--config", str(config), "lab", "kit", "--out", str(out))


def test_the_four_drafts_carry_the_configuration_values(tmp_path: Path):
    result = kit(tmp_path, CONFIG, tmp_path / "kit")
    assert result.exit_code == 0, result.output
    files = sorted((tmp_path / "kit").iterdir())
    assert [p.name for p in files] == [
        "1-notice-information-membres.md",
        "2-registre-des-traitements.md",
        "3-aipd-brouillon.md",
        "4-note-cse.md",
    ]
    texts = {p.name: p.read_text(encoding="utf-8") for p in files}
    for name, text in texts.items():
        assert text.startswith(
            "> **BROUILLON pour le délégué à la protection des données (DPO)**"
        ), name
        assert "Réseau des CAE Solidaires" in text, name
        assert "dpo@cae-reseau.example" in text, name
    notice = texts["1-notice-information-membres.md"]
    for value in (
        "Union des CAE, 12 rue du Travail",
        "https://forum.cae-reseau.example",
        "ARACT Occitanie",
        "24 mois",
        "moins de 7 personnes",
        "« sans-score »",
        "« pairs-aidants »",
    ):
        assert value in notice, value
    assert "Je garde la main sur l'organisation de mon activité." in notice
    assert "des 2 coopératives du réseau" in texts["2-registre-des-traitements.md"]
    assert "Europe/Paris" in texts["2-registre-des-traitements.md"]


def test_the_drafts_cite_their_sources(tmp_path: Path):
    kit(tmp_path, CONFIG, tmp_path / "kit")
    dpia = (tmp_path / "kit" / "3-aipd-brouillon.md").read_text(encoding="utf-8")
    assert "2018-327" in dpia and "ED 6140" in dpia and "Collaborative Overload" in dpia
    cse = (tmp_path / "kit" / "4-note-cse.md").read_text(encoding="utf-8")
    assert "L2312-38" in cse and "Gollac" in cse
    notice = (tmp_path / "kit" / "1-notice-information-membres.md").read_text(encoding="utf-8")
    assert "article 14" in notice.lower() or "articles 13 et 14" in notice


def test_missing_values_are_visible_items_for_the_dpo_not_code_placeholders(tmp_path: Path):
    result = kit(tmp_path, "", tmp_path / "kit")
    assert result.exit_code == 0, result.output
    notice = (tmp_path / "kit" / "1-notice-information-membres.md").read_text(encoding="utf-8")
    assert (
        "**« à compléter par le DPO : coordonnées du DPO (adresse e-mail ou postale) »**" in notice
    )
    assert "**« à compléter par le DPO : nom du réseau »**" in notice
    for path in (tmp_path / "kit").iterdir():
        text = path.read_text(encoding="utf-8")
        for marker in ("TODO", "FIXME", "XXX", "{{", "None", "lorem"):
            assert marker not in text, (path.name, marker)


def test_an_existing_folder_is_never_overwritten(tmp_path: Path):
    (tmp_path / "kit").mkdir()
    (tmp_path / "kit" / "relu.md").write_text("relu par le DPO")
    result = kit(tmp_path, CONFIG, tmp_path / "kit")
    assert result.exit_code == 2
    assert [p.name for p in (tmp_path / "kit").iterdir()] == ["relu.md"]
