"""Reading and validating the network's two input files: cooperatives.csv and roster.csv.

Animators export these files from a spreadsheet, so both are accepted as UTF-8 with or without a
BOM, separated by `,` or by `;` (French locales). Validation happens before anything is sent to
Discourse and reports every bad row at once, as `file:line: reason (how to fix)`, in one
`InputError` (exit status 2).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from sync.errors import InputError
from sync.i18n import translate
from sync.settings import ROLES

# Discourse group names: we keep the safe subset (lowercase letters, digits, single dashes inside)
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MIN, SLUG_MAX = 3, 20
NAME_MAX = 50  # Discourse category names are at most 50 characters
COLOR_PATTERN = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Discourse's own groups and categories: a cooperative slug must not take their names
DISCOURSE_RESERVED = frozenset(
    {"admins", "moderators", "staff", "everyone", "uncategorized"}
    | {f"trust_level_{level}" for level in range(5)}
)

COOPERATIVE_COLUMNS = ("slug", "name", "region", "color")
COOPERATIVE_REQUIRED = ("slug", "name")
ROSTER_COLUMNS = ("username", "email", "cooperative", "role")
ROSTER_REQUIRED = ROSTER_COLUMNS

MESSAGES = {
    "fr": {
        "summary": (
            "{path} : {count} ligne(s) à corriger ; rien n'a été envoyé à Discourse.\n{details}"
        ),
        "row": "{path}:{line}: {reason}",
        "missing_file": (
            "{path} : fichier introuvable (vérifiez le chemin dans campus.toml, section [network])."
        ),
        "encoding": (
            "le fichier n'est pas en UTF-8 (octet {byte} illisible) (dans le tableur, "
            "« Enregistrer sous » > CSV, jeu de caractères « Unicode (UTF-8) » ; dans Excel : "
            "« CSV UTF-8 (délimité par des virgules) »)"
        ),
        "empty": "le fichier est vide (la première ligne doit être l'en-tête : {columns})",
        "missing_columns": (
            "colonne(s) absente(s) de l'en-tête : {missing} (l'en-tête attendu est : {columns})"
        ),
        "unknown_columns": (
            "colonne(s) inconnue(s) dans l'en-tête : {unknown} (colonnes possibles : {columns})"
        ),
        "duplicate_column": "colonne « {column} » en double dans l'en-tête (gardez-en une seule)",
        "column_count": (
            "{found} colonne(s) au lieu de {expected} (vérifiez les séparateurs « {delimiter} » "
            "et les guillemets de cette ligne)"
        ),
        "malformed": (
            "ligne CSV illisible : guillemet non fermé ou mal placé (vérifiez les guillemets de "
            "cette ligne)"
        ),
        "bad_slug": (
            "slug « {slug} » invalide (3 à 20 caractères : lettres minuscules sans accent, "
            "chiffres et tirets, sans tiret au début ni à la fin, ex. « coop-alpha »)"
        ),
        "reserved_slug": (
            "slug « {slug} » déjà réservé par Discourse ou par la structure du forum "
            "(choisissez-en un autre, ex. « {slug}-coop »)"
        ),
        "duplicate_slug": (
            "slug « {slug} » déjà utilisé ligne {first} (chaque coopérative a un slug unique)"
        ),
        "missing_name": "nom manquant (renseignez la colonne name)",
        "long_name": "nom de {length} caractères (Discourse en accepte {max} au plus : abrégez-le)",
        "duplicate_name": (
            "nom « {name} » déjà utilisé ligne {first} (deux catégories ne peuvent pas porter le "
            "même nom)"
        ),
        "reserved_name": (
            "nom « {name} » déjà pris par une catégorie du réseau (choisissez un autre nom)"
        ),
        "bad_color": (
            "couleur « {color} » invalide (code hexadécimal de 6 chiffres, ex. 1B75BB, ou "
            "laissez vide pour la couleur par défaut)"
        ),
        "missing_identity": (
            "ni nom d'utilisateur ni e-mail (renseignez au moins la colonne username ou email)"
        ),
        "bad_email": "e-mail « {email} » invalide (forme attendue : prenom.nom@exemple.org)",
        "unknown_cooperative": (
            "coopérative « {cooperative} » inconnue (utilisez un slug de {cooperatives}, "
            "ex. « {example} »)"
        ),
        "missing_cooperative": "coopérative manquante (renseignez le slug de la coopérative)",
        "unknown_role": "rôle « {role} » inconnu (rôles possibles : {roles})",
        "duplicate_member": (
            "« {who} » est déjà inscrit ligne {first} dans la même coopérative (supprimez le "
            "doublon)"
        ),
    },
    "en": {
        "summary": "{path}: {count} row(s) to fix; nothing was sent to Discourse.\n{details}",
        "row": "{path}:{line}: {reason}",
        "missing_file": "{path}: file not found (check the path in campus.toml, section [network]).",
        "encoding": (
            "the file is not UTF-8 (unreadable byte {byte}) (in the spreadsheet, "
            '"Save as" > CSV with character set "Unicode (UTF-8)"; in Excel: '
            '"CSV UTF-8 (comma delimited)")'
        ),
        "empty": "the file is empty (the first line must be the header: {columns})",
        "missing_columns": "column(s) missing from the header: {missing} (expected header: {columns})",
        "unknown_columns": "unknown column(s) in the header: {unknown} (possible columns: {columns})",
        "duplicate_column": "column '{column}' appears twice in the header (keep only one)",
        "column_count": (
            "{found} column(s) instead of {expected} (check the '{delimiter}' separators and the "
            "quotes of this line)"
        ),
        "malformed": "unreadable CSV line: {reason} (check the quotes of this line)",
        "bad_slug": (
            "invalid slug '{slug}' (3 to 20 characters: lowercase unaccented letters, digits "
            "and dashes, no dash first or last, e.g. 'coop-alpha')"
        ),
        "reserved_slug": (
            "slug '{slug}' is reserved by Discourse or by the forum structure (choose another "
            "one, e.g. '{slug}-coop')"
        ),
        "duplicate_slug": "slug '{slug}' already used on line {first} (each cooperative needs its own slug)",
        "missing_name": "missing name (fill in the name column)",
        "long_name": "name of {length} characters (Discourse accepts at most {max}: shorten it)",
        "duplicate_name": (
            "name '{name}' already used on line {first} (two categories cannot share a name)"
        ),
        "reserved_name": "name '{name}' is taken by a network category (choose another name)",
        "bad_color": (
            "invalid colour '{color}' (6-digit hexadecimal code, e.g. 1B75BB, or leave empty "
            "for the default colour)"
        ),
        "missing_identity": "neither username nor email (fill in at least username or email)",
        "bad_email": "invalid email '{email}' (expected form: first.last@example.org)",
        "unknown_cooperative": (
            "unknown cooperative '{cooperative}' (use a slug of {cooperatives}, e.g. '{example}')"
        ),
        "missing_cooperative": "missing cooperative (fill in the cooperative's slug)",
        "unknown_role": "unknown role '{role}' (possible roles: {roles})",
        "duplicate_member": (
            "'{who}' is already listed on line {first} in the same cooperative (remove the "
            "duplicate)"
        ),
    },
}


def _(key: str, **values) -> str:
    return translate(MESSAGES, key, **values)


@dataclass(frozen=True)
class Cooperative:
    """One row of cooperatives.csv; `color` is 6 uppercase hex digits, or None for the default."""

    slug: str
    name: str
    region: str = ""
    color: str | None = None
    line: int = 0


@dataclass(frozen=True)
class RosterEntry:
    """One row of roster.csv: a person (username and/or lowercase email), their coop and role."""

    username: str | None
    email: str | None
    cooperative: str
    role: str
    line: int = 0

    @property
    def who(self) -> str:
        """How the person is named in messages: their username, else their email."""
        return self.username or self.email or ""


class _Problems:
    """Collects `file:line: reason` lines and raises them together."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: list[str] = []

    def add(self, line: int, key: str, **values) -> None:
        self.lines.append(_("row", path=self.path, line=line, reason=_(key, **values)))

    def raise_if_any(self) -> None:
        if self.lines:
            raise InputError(
                _("summary", path=self.path, count=len(self.lines), details="\n".join(self.lines))
            )


def _read_text(path: Path) -> str:
    """The file decoded as UTF-8 (BOM dropped), or an InputError naming the line of a bad byte."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(_("missing_file", path=path)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        reason = _("encoding", byte=f"0x{data[error.start]:02X}")
        detail = _("row", path=path, line=line, reason=reason)
        raise InputError(_("summary", path=path, count=1, details=detail)) from None


def _sniff_delimiter(header_line: str) -> str:
    """`;` when the header has more semicolons than commas (French spreadsheet export), else `,`."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _rows(
    path: Path, columns: tuple[str, ...], required: Collection[str], problems: _Problems
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield `(line, {column: stripped value})` for each non-blank data row of a CSV file.

    Header problems stop the reading (rows cannot be understood without it); row problems are
    recorded in `problems` and the row is skipped.
    """
    text = _read_text(path)
    header_line = text.split("\n", 1)[0]
    delimiter = _sniff_delimiter(header_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    expected = ",".join(columns)
    try:
        header = next(reader, None)
    except csv.Error as error:
        problems.add(1, "malformed", reason=error)
        return
    if header is None or not any(cell.strip() for cell in header):
        problems.add(1, "empty", columns=expected)
        return
    names = [cell.strip().lower() for cell in header]
    unknown = [name for name in names if name not in columns]
    missing = [name for name in required if name not in names]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if unknown:
        problems.add(1, "unknown_columns", unknown=", ".join(unknown), columns=expected)
    if missing:
        problems.add(1, "missing_columns", missing=", ".join(missing), columns=expected)
    for name in duplicates:
        problems.add(1, "duplicate_column", column=name)
    if unknown or missing or duplicates:
        return
    previous_end = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problems.add(previous_end + 1, "malformed", reason=error)
            return
        line, previous_end = previous_end + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(names):
            problems.add(
                line, "column_count", found=len(row), expected=len(names), delimiter=delimiter
            )
            continue
        values = {name: cell.strip() for name, cell in zip(names, row, strict=True)}
        yield line, {column: values.get(column, "") for column in columns}


def normalize_color(text: str) -> str | None:
    """`#1b75bb` → `1B75BB`, `f00` → `FF0000`, `` → None; ValueError when not a hex colour."""
    if not text:
        return None
    match = COLOR_PATTERN.match(text)
    if not match:
        raise ValueError(text)
    digits = match.group(1).upper()
    return "".join(digit * 2 for digit in digits) if len(digits) == 3 else digits


def read_cooperatives(
    path: Path,
    reserved_slugs: Collection[str] = (),
    reserved_names: Collection[str] = (),
) -> list[Cooperative]:
    """The cooperatives of `path`, or one InputError listing every bad row.

    `reserved_slugs` are names the forum structure already uses (role groups, network category
    slugs…) and `reserved_names` the network categories' names: a cooperative may take neither.
    """
    path = Path(path)
    problems = _Problems(path)
    reserved = DISCOURSE_RESERVED | {slug.lower() for slug in reserved_slugs}
    taken_names = {name.casefold() for name in reserved_names}
    cooperatives: list[Cooperative] = []
    slug_lines: dict[str, int] = {}
    name_lines: dict[str, int] = {}
    for line, row in _rows(path, COOPERATIVE_COLUMNS, COOPERATIVE_REQUIRED, problems):
        errors_before = len(problems.lines)
        slug, name = row["slug"], row["name"]
        if not (SLUG_MIN <= len(slug) <= SLUG_MAX and SLUG_PATTERN.match(slug)):
            problems.add(line, "bad_slug", slug=slug)
        elif slug in reserved:
            problems.add(line, "reserved_slug", slug=slug)
        elif slug in slug_lines:
            problems.add(line, "duplicate_slug", slug=slug, first=slug_lines[slug])
        else:
            slug_lines[slug] = line
        if not name:
            problems.add(line, "missing_name")
        elif len(name) > NAME_MAX:
            problems.add(line, "long_name", length=len(name), max=NAME_MAX)
        elif name.casefold() in taken_names:
            problems.add(line, "reserved_name", name=name)
        elif name.casefold() in name_lines:
            problems.add(line, "duplicate_name", name=name, first=name_lines[name.casefold()])
        else:
            name_lines[name.casefold()] = line
        try:
            color = normalize_color(row["color"])
        except ValueError:
            problems.add(line, "bad_color", color=row["color"])
            color = None
        if len(problems.lines) == errors_before:
            cooperatives.append(Cooperative(slug, name, row["region"], color, line))
    problems.raise_if_any()
    return cooperatives


def read_roster(path: Path, cooperatives: Collection[Cooperative]) -> list[RosterEntry]:
    """The members listed in `path`, or one InputError listing every bad row.

    Usernames keep their case (Discourse matches them case-insensitively); emails are lowercased;
    cooperative slugs and roles are matched case-insensitively.
    """
    path = Path(path)
    problems = _Problems(path)
    slugs = {cooperative.slug for cooperative in cooperatives}
    example = min(slugs) if slugs else "coop-alpha"
    entries: list[RosterEntry] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in _rows(path, ROSTER_COLUMNS, ROSTER_REQUIRED, problems):
        errors_before = len(problems.lines)
        username = row["username"].lstrip("@") or None
        email = row["email"].lower() or None
        cooperative = row["cooperative"].lower()
        role = row["role"].lower()
        if username is None and email is None:
            problems.add(line, "missing_identity")
        if email is not None and not EMAIL_PATTERN.match(email):
            problems.add(line, "bad_email", email=row["email"])
        if not cooperative:
            problems.add(line, "missing_cooperative")
        elif cooperative not in slugs:
            problems.add(
                line,
                "unknown_cooperative",
                cooperative=row["cooperative"],
                cooperatives="cooperatives.csv",
                example=example,
            )
        if role not in ROLES:
            problems.add(line, "unknown_role", role=row["role"], roles=", ".join(ROLES))
        if len(problems.lines) != errors_before:
            continue
        entry = RosterEntry(username, email, cooperative, role, line)
        keys = [(f"u:{username.lower()}", cooperative)] if username else []
        keys += [(f"e:{email}", cooperative)] if email else []
        first = next((seen[key] for key in keys if key in seen), None)
        if first is not None:
            problems.add(line, "duplicate_member", who=entry.who, first=first)
            continue
        seen.update(dict.fromkeys(keys, line))
        entries.append(entry)
    problems.raise_if_any()
    return entries
