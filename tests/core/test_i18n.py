"""The one translation mechanism: French source strings, English catalogue, plural forms."""

from core.i18n import _, ngettext


def test_french_is_the_source_text():
    assert _("Bonjour {name}", lang="fr", name="Ana") == "Bonjour Ana"


def test_french_plural_takes_singular_for_zero_and_one():
    assert (
        ngettext("{n} personne écrit", "{n} personnes écrivent", 0, lang="fr") == "0 personne écrit"
    )
    assert (
        ngettext("{n} personne écrit", "{n} personnes écrivent", 2, lang="fr")
        == "2 personnes écrivent"
    )


def test_missing_english_falls_back_to_french():
    assert _("Texte sans traduction", lang="en") == "Texte sans traduction"


def test_every_french_string_has_its_english_translation():
    """Each `_`/`ngettext` string in code or templates using the mechanism is in the en catalogue."""
    missing = sorted(untranslated_messages())
    assert not missing, "sans traduction anglaise dans campus.po : " + "; ".join(missing[:20])


def untranslated_messages() -> set[str]:
    import re
    from pathlib import Path

    from babel.messages.extract import extract
    from babel.messages.pofile import read_po

    from core.i18n import catalogue_path

    with catalogue_path("en").open("rb") as handle:
        english = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.string}
    root = Path(__file__).resolve().parents[2]
    uses_mechanism = re.compile(r"from (core|sandbox)\.i18n import [^\n]*\b(_|ngettext)\b")
    missing: set[str] = set()
    sources = [root / "cli.py", *root.glob("*/**/*.py")]
    for path in sources:
        if ".venv" in path.parts or "tests" in path.parts[len(root.parts) :][:1]:
            continue
        text = path.read_text(encoding="utf-8")
        if not uses_mechanism.search(text):
            continue
        with path.open("rb") as handle:
            for _lineno, message, _comments, _context in extract("python", handle):
                msgid = message if isinstance(message, str) else message[0]
                if msgid and msgid not in english:
                    missing.add(f"{path.relative_to(root)}: {msgid}")
    for path in root.glob("*/templates/**/*"):
        if path.suffix not in {".html", ".j2", ".md", ".txt"} or "_(" not in path.read_text():
            continue
        with path.open("rb") as handle:
            for _lineno, message, _comments, _context in extract(
                "jinja2.ext:babel_extract", handle
            ):
                msgid = message if isinstance(message, str) else message[0]
                if msgid and msgid not in english:
                    missing.add(f"{path.relative_to(root)}: {msgid}")
    return missing
