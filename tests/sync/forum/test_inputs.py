"""Reading and validating cooperatives.csv and roster.csv (sync.forum.inputs)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.errors import InputError
from sync.forum.inputs import Cooperative, normalize_color, read_cooperatives, read_roster

FIXTURES = Path(__file__).parents[1] / "fixtures"
COOPS = [Cooperative("coop-alpha", "Alpha"), Cooperative("coop-beta", "Beta")]


@pytest.fixture(autouse=True)
def french(monkeypatch):
    monkeypatch.setenv("CAMPUS_LANG", "fr")


def write(tmp_path: Path, text: str, name: str = "file.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def error_of(call, *args) -> str:
    with pytest.raises(InputError) as caught:
        call(*args)
    assert caught.value.exit_code == 2
    return str(caught.value)


# --- cooperatives.csv: good files ---------------------------------------------------------


def test_reads_cooperatives_with_normalised_colours():
    coops = read_cooperatives(FIXTURES / "cooperatives.csv")
    assert [(c.slug, c.name, c.region, c.color, c.line) for c in coops] == [
        ("coop-alpha", "Coopérative Alpha", "Bretagne", "1B75BB", 2),
        ("coop-beta", "Beta Entreprendre", "Occitanie", None, 3),
        ("coop-gamma", "Gamma Services", "Grand Est", "FF8800", 4),
    ]


def test_reads_french_excel_export_with_bom_semicolons_crlf_and_blank_rows():
    coops = read_cooperatives(FIXTURES / "cooperatives_excel_fr.csv")
    assert [(c.slug, c.name) for c in coops] == [
        ("coop-alpha", "Coopérative Alpha"),
        ("coop-beta", "Beta; Entreprendre"),
    ]


def test_region_and_color_columns_are_optional(tmp_path):
    coops = read_cooperatives(write(tmp_path, "slug,name\ncoop-alpha,Alpha\n"))
    assert coops == [Cooperative("coop-alpha", "Alpha", "", None, 2)]


def test_header_is_case_and_space_insensitive(tmp_path):
    coops = read_cooperatives(write(tmp_path, " Slug , NAME \ncoop-alpha,Alpha\n"))
    assert [c.slug for c in coops] == ["coop-alpha"]


def test_normalize_color_accepts_short_and_hash_forms():
    assert normalize_color("#1b75bb") == "1B75BB"
    assert normalize_color("f80") == "FF8800"
    assert normalize_color("") is None


# --- cooperatives.csv: every error is reported with file and line --------------------------


def test_every_bad_cooperative_row_is_reported_at_once():
    path = FIXTURES / "cooperatives_bad.csv"
    message = error_of(read_cooperatives, path)
    assert message.splitlines() == [
        f"{path} : 5 lignes à corriger ; rien n'a été envoyé à Discourse.",
        f"{path}:2: slug « Coop_Alpha » invalide (3 à 20 caractères : lettres minuscules sans "
        "accent, chiffres et tirets, sans tiret au début ni à la fin, ex. « coop-alpha »)",
        f"{path}:3: nom manquant (renseignez la colonne name)",
        f"{path}:4: slug « coop-beta » déjà utilisé ligne 3 (chaque coopérative a un slug unique)",
        f"{path}:4: couleur « bleu » invalide (code hexadécimal de 6 chiffres, ex. 1B75BB, ou "
        "laissez vide pour la couleur par défaut)",
        f"{path}:5: 3 colonne(s) au lieu de 4 (vérifiez les séparateurs « , » et les guillemets "
        "de cette ligne)",
    ]


@pytest.mark.parametrize(
    "slug", ["ab", "a" * 21, "coop alpha", "-coop", "coop-", "coop--a", "coopé"]
)
def test_slug_breaking_discourse_group_name_rule_is_refused(tmp_path, slug):
    message = error_of(read_cooperatives, write(tmp_path, f"slug,name\n{slug},Alpha\n"))
    assert f":2: slug « {slug} » invalide" in message


@pytest.mark.parametrize("slug", ["abc", "a" * 20, "coop-1-b"])
def test_slug_within_the_rule_is_accepted(tmp_path, slug):
    assert read_cooperatives(write(tmp_path, f"slug,name\n{slug},Alpha\n"))[0].slug == slug


def test_slug_taken_by_the_forum_structure_is_refused(tmp_path):
    path = write(tmp_path, "slug,name\ndirections,Alpha\nstaff,Beta\n")
    message = error_of(read_cooperatives, path, ["directions"])
    assert ":2: slug « directions » déjà réservé" in message
    assert ":3: slug « staff » déjà réservé" in message


def test_name_of_a_network_category_is_refused(tmp_path):
    path = write(tmp_path, "slug,name\ncoop-alpha,campus\n")
    message = error_of(read_cooperatives, path, (), ["Campus"])
    assert ":2: nom « campus » déjà pris par une catégorie du réseau" in message


def test_duplicate_name_is_refused(tmp_path):
    path = write(tmp_path, "slug,name\ncoop-alpha,Alpha\ncoop-beta,ALPHA\n")
    assert ":3: nom « ALPHA » déjà utilisé ligne 2" in error_of(read_cooperatives, path)


def test_name_longer_than_discourse_allows_is_refused(tmp_path):
    path = write(tmp_path, f"slug,name\ncoop-alpha,{'x' * 51}\n")
    assert ":2: nom de 51 caractères" in error_of(read_cooperatives, path)


def test_missing_header_column_is_reported_on_line_1(tmp_path):
    path = write(tmp_path, "slug,region\ncoop-alpha,Bretagne\n")
    message = error_of(read_cooperatives, path)
    assert f"{path}:1: colonne(s) absente(s) de l'en-tête : name" in message


def test_unknown_header_column_is_reported_by_its_position(tmp_path):
    path = write(tmp_path, "slug,name,colour\ncoop-alpha,Alpha,123456\n")
    message = error_of(read_cooperatives, path)
    assert ":1: colonne(s) inconnue(s) dans l'en-tête : n° 3" in message
    assert "colour" not in message


@pytest.mark.parametrize("reader", [read_cooperatives, lambda path: read_roster(path, COOPS)])
def test_a_file_that_is_not_a_csv_of_campus_is_never_echoed(tmp_path, reader):
    # like /etc/passwd: the first line of a file nobody meant to show
    path = write(tmp_path, "PRIVATEroot:x:0:0:root:/root:/bin/bash\nPRIVATEdaemon:x:1:1\n")
    message = error_of(reader, path)
    assert "PRIVATE" not in message and "/bin/bash" not in message
    assert "colonne(s) inconnue(s)" in message


def test_a_directory_is_refused(tmp_path):
    message = error_of(read_cooperatives, tmp_path)
    assert f"{tmp_path} : ce n'est pas un fichier" in message


def test_a_special_file_is_refused_without_reading_it(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)  # reading it would wait forever
    assert f"{fifo} : ce n'est pas un fichier" in error_of(read_cooperatives, fifo)


def test_empty_file_is_reported(tmp_path):
    assert ":1: le fichier est vide" in error_of(read_cooperatives, write(tmp_path, ""))


def test_unterminated_quote_is_reported_as_malformed(tmp_path):
    path = write(tmp_path, 'slug,name\ncoop-alpha,"Alpha\n')
    message = error_of(read_cooperatives, path)
    assert f"{path}:2: ligne CSV illisible : guillemet non fermé ou mal placé" in message
    assert "unexpected" not in message  # Python's English reason stays out of the French text


def test_latin1_file_is_refused_with_line_and_how_to_re_export(tmp_path):
    path = write(tmp_path, "slug,name\ncoop-alpha,Coopérative\n", encoding="latin-1")
    message = error_of(read_cooperatives, path)
    assert f"{path}:2: le fichier n'est pas en UTF-8 (octet 0xE9 illisible)" in message
    assert "Unicode (UTF-8)" in message


def test_missing_file_is_reported(tmp_path):
    message = error_of(read_cooperatives, tmp_path / "absent.csv")
    assert "absent.csv : fichier introuvable" in message


def test_messages_are_available_in_english(tmp_path, monkeypatch):
    monkeypatch.setenv("CAMPUS_LANG", "en")
    path = write(tmp_path, "slug,name\ncoop-alpha,\n")
    assert f"{path}:2: missing name (fill in the name column)" in error_of(read_cooperatives, path)


# --- roster.csv ---------------------------------------------------------------------------


def test_reads_roster_with_username_or_email():
    entries = read_roster(FIXTURES / "roster.csv", COOPS)
    assert [(e.username, e.email, e.cooperative, e.role, e.line) for e in entries] == [
        ("marie.durand", "marie.durand@example.org", "coop-alpha", "entrepreneur", 2),
        (None, "jules.martin@example.org", "coop-alpha", "appui", 3),
        ("karim.benali", None, "coop-beta", "direction", 4),
    ]


def test_every_bad_roster_row_is_reported_at_once():
    path = FIXTURES / "roster_bad.csv"
    message = error_of(read_roster, path, COOPS)
    assert message.splitlines() == [
        f"{path} : 3 lignes à corriger ; rien n'a été envoyé à Discourse.",
        f"{path}:2: coopérative « coop-zeta » inconnue (utilisez un slug de cooperatives.csv, "
        "ex. « coop-alpha »)",
        f"{path}:3: rôle « stagiaire » inconnu (rôles possibles : entrepreneur, appui, direction)",
        f"{path}:4: ni nom d'utilisateur ni e-mail (renseignez au moins la colonne username ou "
        "email)",
    ]


def test_cooperative_and_role_are_case_insensitive(tmp_path):
    path = write(tmp_path, "username,email,cooperative,role\nmarie,,Coop-Alpha,Appui\n")
    entry = read_roster(path, COOPS)[0]
    assert (entry.cooperative, entry.role) == ("coop-alpha", "appui")


def test_bad_email_is_refused(tmp_path):
    path = write(tmp_path, "username,email,cooperative,role\n,marie@,coop-alpha,appui\n")
    assert ":2: e-mail « marie@ » invalide" in error_of(read_roster, path, COOPS)


def test_same_person_twice_in_one_cooperative_is_refused(tmp_path):
    path = write(
        tmp_path,
        "username,email,cooperative,role\n"
        "marie,marie@example.org,coop-alpha,appui\n"
        ",MARIE@example.org,coop-alpha,direction\n",
    )
    assert ":3: « marie@example.org » est déjà inscrit ligne 2" in error_of(
        read_roster, path, COOPS
    )


def test_same_person_in_two_cooperatives_is_accepted(tmp_path):
    path = write(
        tmp_path,
        "username,email,cooperative,role\nmarie,,coop-alpha,appui\nmarie,,coop-beta,appui\n",
    )
    assert [e.cooperative for e in read_roster(path, COOPS)] == ["coop-alpha", "coop-beta"]


def test_roster_needs_all_four_columns(tmp_path):
    path = write(tmp_path, "username,cooperative,role\nmarie,coop-alpha,appui\n")
    assert ":1: colonne(s) absente(s) de l'en-tête : email" in error_of(read_roster, path, COOPS)


def test_roster_with_semicolons_is_read(tmp_path):
    path = write(tmp_path, "username;email;cooperative;role\nmarie;;coop-alpha;appui\n")
    assert read_roster(path, COOPS)[0].username == "marie"


def test_the_employees_column_is_optional_and_gives_the_head_count(tmp_path):
    coops = read_cooperatives(
        write(
            tmp_path,
            "slug,name,employees\ncoop-alpha,Alpha,42\ncoop-beta,Beta,\ncoop-gamma,Gamma,1 200\n",
        )
    )
    assert [(c.slug, c.employees) for c in coops] == [
        ("coop-alpha", 42),
        ("coop-beta", None),
        ("coop-gamma", 1200),
    ]


@pytest.mark.parametrize("value", ["quarante", "-3", "12.5", "4,2", "1000000"])
def test_a_bad_head_count_names_file_line_and_field(tmp_path, value):
    path = write(tmp_path, f'slug,name,employees\ncoop-alpha,Alpha,10\ncoop-beta,Beta,"{value}"\n')
    with pytest.raises(InputError) as raised:
        read_cooperatives(path)
    message = str(raised.value)
    assert f"{path}:3: effectif (colonne employees) « {value} » invalide" in message
    assert "nombre entier" in message and ":2:" not in message
