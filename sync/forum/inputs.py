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

from core.errors import InputError
from core.files import read_regular_file
from core.i18n import _, format_number, ngettext
from core.vocabulary import ROLES

# Discourse group names: we keep the safe subset (lowercase letters, digits, single dashes inside)
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MIN, SLUG_MAX = 3, 20
NAME_MAX = 50  # Discourse category names are at most 50 characters
COLOR_PATTERN = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
CONTROL_PATTERN = re.compile(r"[\x00-\x1f\x7f]")  # NUL, tabs, bells… (never in a name)
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# a head count as spreadsheets write it: digits, optionally grouped by spaces (« 1 200 »)
EMPLOYEES_PATTERN = re.compile(r"^\d{1,3}(?:[ \u00a0\u202f]?\d{3})*$")
EMPLOYEES_MAX = 100_000

# Discourse's own groups and categories: a cooperative slug must not take their names
DISCOURSE_RESERVED = frozenset(
    {"admins", "moderators", "staff", "everyone", "uncategorized"}
    | {f"trust_level_{level}" for level in range(5)}
)

COOPERATIVE_COLUMNS = ("slug", "name", "region", "color", "employees")
COOPERATIVE_REQUIRED = ("slug", "name")
ROSTER_COLUMNS = ("username", "email", "cooperative", "role")
ROSTER_REQUIRED = ROSTER_COLUMNS


@dataclass(frozen=True)
class Cooperative:
    """One row of cooperatives.csv; `color` is 6 uppercase hex digits, or None for the default;
    `employees` the head count the optional column gives (the DUERP's), or None."""

    slug: str
    name: str
    region: str = ""
    color: str | None = None
    line: int = 0
    employees: int | None = None


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


def _summary(path: Path, lines: list[str]) -> str:
    """The message of a bad file: how many lines to fix, then one line per problem."""
    head = ngettext(
        "{path} : {n} ligne à corriger ; rien n'a été envoyé à Discourse.",
        "{path} : {n} lignes à corriger ; rien n'a été envoyé à Discourse.",
        len(lines),
        path=path,
    )
    return "\n".join([head, *lines])


class _Problems:
    """Collects `file:line: reason` lines and raises them together."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: list[str] = []

    def add(self, line: int, reason: str) -> None:
        """Record what is wrong with `line` (and how to fix it), in the user's words."""
        self.lines.append(f"{self.path}:{line}: {reason}")

    def raise_if_any(self) -> None:
        if self.lines:
            raise InputError(_summary(self.path, self.lines))


def _read_text(path: Path) -> str:
    """The file decoded as UTF-8 (BOM dropped), or an InputError naming the line of a bad byte.

    A folder or a special file (a pipe, a device) is refused before anything is read."""
    data = read_regular_file(path, _("vérifiez le chemin dans campus.toml, section [network]"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        reason = _(
            "le fichier n'est pas en UTF-8 (octet {byte} illisible) (dans le tableur, « Enregistrer sous » > CSV, jeu de caractères « Unicode (UTF-8) » ; dans Excel : « CSV UTF-8 (délimité par des virgules) »)",
            byte=f"0x{data[error.start]:02X}",
        )
        raise InputError(_summary(path, [f"{path}:{line}: {reason}"])) from None


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
        problems.add(
            1,
            _(
                "ligne CSV illisible : guillemet non fermé ou mal placé (vérifiez les guillemets de cette ligne)",
                reason=error,
            ),
        )
        return
    if header is None or not any(cell.strip() for cell in header):
        problems.add(
            1,
            _(
                "le fichier est vide (la première ligne doit être l'en-tête : {columns})",
                columns=expected,
            ),
        )
        return
    names = [cell.strip().lower() for cell in header]
    unknown = [name for name in names if name not in columns]
    missing = [name for name in required if name not in names]
    duplicates = sorted({name for name in names if name in columns and names.count(name) > 1})
    if unknown:  # named by position: the header of a wrong file is never echoed
        problems.add(
            1,
            _(
                "colonne(s) inconnue(s) dans l'en-tête : n° {unknown} (colonnes possibles : {columns})",
                unknown=", ".join(str(i) for i, name in enumerate(names, 1) if name in unknown),
                columns=expected,
            ),
        )
    if missing:
        problems.add(
            1,
            _(
                "colonne(s) absente(s) de l'en-tête : {missing} (l'en-tête attendu est : {columns})",
                missing=", ".join(missing),
                columns=expected,
            ),
        )
    for name in duplicates:
        problems.add(
            1, _("colonne « {column} » en double dans l'en-tête (gardez-en une seule)", column=name)
        )
    if unknown or missing or duplicates:
        return
    previous_end = reader.line_num
    data_rows = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            if not data_rows:  # a header alone would read as "nobody is listed any more"
                problems.add(
                    1,
                    _(
                        "aucune ligne sous l'en-tête : le fichier doit lister au moins une ligne "
                        "(un fichier vide ferait croire que tout le monde a été retiré)"
                    ),
                )
            return
        except csv.Error as error:
            problems.add(
                previous_end + 1,
                _(
                    "ligne CSV illisible : guillemet non fermé ou mal placé (vérifiez les guillemets de cette ligne)",
                    reason=error,
                ),
            )
            return
        line, previous_end = previous_end + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        data_rows += 1
        if len(row) != len(names):
            problems.add(
                line,
                _(
                    "{found} colonne(s) au lieu de {expected} (vérifiez les séparateurs « {delimiter} » et les guillemets de cette ligne)",
                    found=len(row),
                    expected=len(names),
                    delimiter=delimiter,
                ),
            )
            continue
        values = {name: cell.strip() for name, cell in zip(names, row, strict=True)}
        invisible = [name for name, cell in values.items() if CONTROL_PATTERN.search(cell)]
        if invisible:
            problems.add(
                line,
                _(
                    "caractère invisible (de contrôle) dans la colonne {columns} : retapez la "
                    "valeur dans le tableur",
                    columns=", ".join(invisible),
                ),
            )
            continue
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


def parse_employees(text: str) -> int | None:
    """The head count of the `employees` cell (« 42 », « 1 200 »), None when empty; ValueError
    when it is not a whole number between 0 and `EMPLOYEES_MAX`."""
    if not text:
        return None
    if not EMPLOYEES_PATTERN.match(text):
        raise ValueError(text)
    value = int(re.sub(r"\D", "", text))
    if value > EMPLOYEES_MAX:
        raise ValueError(text)
    return value


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
            problems.add(
                line,
                _(
                    "slug « {slug} » invalide (3 à 20 caractères : lettres minuscules sans accent, chiffres et tirets, sans tiret au début ni à la fin, ex. « coop-alpha »)",
                    slug=slug,
                ),
            )
        elif slug in reserved:
            problems.add(
                line,
                _(
                    "slug « {slug} » déjà réservé par Discourse ou par la structure du forum (choisissez-en un autre, ex. « {slug}-coop »)",
                    slug=slug,
                ),
            )
        elif slug in slug_lines:
            problems.add(
                line,
                _(
                    "slug « {slug} » déjà utilisé ligne {first} (chaque coopérative a un slug unique)",
                    slug=slug,
                    first=slug_lines[slug],
                ),
            )
        else:
            slug_lines[slug] = line
        if not name:
            problems.add(line, _("nom manquant (renseignez la colonne name)"))
        elif len(name) > NAME_MAX:
            problems.add(
                line,
                _(
                    "nom de {length} caractères (Discourse en accepte {max} au plus : abrégez-le)",
                    length=len(name),
                    max=NAME_MAX,
                ),
            )
        elif name.casefold() in taken_names:
            problems.add(
                line,
                _(
                    "nom « {name} » déjà pris par une catégorie du réseau (choisissez un autre nom)",
                    name=name,
                ),
            )
        elif name.casefold() in name_lines:
            problems.add(
                line,
                _(
                    "nom « {name} » déjà utilisé ligne {first} (deux catégories ne peuvent pas porter le même nom)",
                    name=name,
                    first=name_lines[name.casefold()],
                ),
            )
        else:
            name_lines[name.casefold()] = line
        try:
            color = normalize_color(row["color"])
        except ValueError:
            problems.add(
                line,
                _(
                    "couleur « {color} » invalide (code hexadécimal de 6 chiffres, ex. 1B75BB, ou laissez vide pour la couleur par défaut)",
                    color=row["color"],
                ),
            )
            color = None
        try:
            employees = parse_employees(row["employees"])
        except ValueError:
            employees = None
            problems.add(
                line,
                _(
                    "effectif (colonne employees) « {value} » invalide : un nombre entier de "
                    "salarié·es entre 0 et {max}, sans décimale (ex. 42), ou laissez vide pour "
                    "compter les membres de roster.csv",
                    value=row["employees"],
                    max=format_number(EMPLOYEES_MAX, 0),
                ),
            )
        if len(problems.lines) == errors_before:
            cooperatives.append(Cooperative(slug, name, row["region"], color, line, employees))
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
            problems.add(
                line,
                _(
                    "ni nom d'utilisateur ni e-mail (renseignez au moins la colonne username ou email)"
                ),
            )
        if email is not None and not EMAIL_PATTERN.match(email):
            problems.add(
                line,
                _(
                    "e-mail « {email} » invalide (forme attendue : prenom.nom@exemple.org)",
                    email=row["email"],
                ),
            )
        if not cooperative:
            problems.add(line, _("coopérative manquante (renseignez le slug de la coopérative)"))
        elif cooperative not in slugs:
            problems.add(
                line,
                _(
                    "coopérative « {cooperative} » inconnue (utilisez un slug de {cooperatives}, ex. « {example} »)",
                    cooperative=row["cooperative"],
                    cooperatives="cooperatives.csv",
                    example=example,
                ),
            )
        if role not in ROLES:
            problems.add(
                line,
                _(
                    "rôle « {role} » inconnu (rôles possibles : {roles})",
                    role=row["role"],
                    roles=", ".join(ROLES),
                ),
            )
        if len(problems.lines) != errors_before:
            continue
        entry = RosterEntry(username, email, cooperative, role, line)
        keys = [(f"u:{username.lower()}", cooperative)] if username else []
        keys += [(f"e:{email}", cooperative)] if email else []
        first = next((seen[key] for key in keys if key in seen), None)
        if first is not None:
            problems.add(
                line,
                _(
                    "« {who} » est déjà inscrit ligne {first} dans la même coopérative (supprimez le doublon)",
                    who=entry.who,
                    first=first,
                ),
            )
            continue
        seen.update(dict.fromkeys(keys, line))
        entries.append(entry)
    problems.raise_if_any()
    return entries
