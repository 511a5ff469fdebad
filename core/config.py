"""campus.toml: read it into the packages' settings dataclasses, and write it with every default.

Generic over a table of sections (`[name]` -> the settings dataclass it fills): the command line
owns that table and passes it in a `ConfigSchema`; this module knows no package. Each dataclass
field is a TOML key; a field's `metadata["doc"]` is the comment `campus init` writes above it,
`metadata["secret"]` keeps it out of the file (it comes from the environment only), a class
attribute `TITLE` heads its section, and `RENAMED` (old key -> new key) names the new key when an
old file still uses a key that was replaced.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import typing
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from pathlib import Path

from core.errors import InputError
from core.files import read_regular_file
from core.i18n import _
from core.secrets import read_secrets


@dataclass(frozen=True)
class ConfigSchema:
    """What campus.toml may hold and which environment variables feed it.

    `sections`: `[name]` -> settings dataclass, in the order `campus init` writes them;
    `env_overrides`: variable -> (section, key) it replaces; `secret_fields`: secret variable ->
    (section, key) that receives it (secrets never have a key in the file)."""

    sections: Mapping[str, type]
    env_overrides: Mapping[str, tuple[str, str]]
    secret_fields: Mapping[str, tuple[str, str]]

    @classmethod
    def of(cls, sections: Mapping[str, type]) -> ConfigSchema:
        """The schema of `sections`, with the variables their fields declare (`doc(…, env=…)`;
        a secret field's `env` is the only place its value comes from)."""
        env_overrides, secret_fields = {}, {}
        for name, settings in sections.items():
            for f in fields(settings):
                variable = f.metadata.get("env")
                if variable:
                    target = secret_fields if f.metadata.get("secret") else env_overrides
                    target[variable] = (name, f.name)
        return cls(sections, env_overrides, secret_fields)


@dataclass
class Config:
    """Every package's settings, as read from campus.toml and the environment."""

    path: Path
    sections: dict[str, object]
    secrets: dict[str, str] = dataclasses.field(default_factory=dict, repr=False)

    def __getitem__(self, section: str):
        return self.sections[section]

    @property
    def base_dir(self) -> Path:
        """Relative paths in the file (CSV files, output folder, SQLite file) are relative to it."""
        return self.path.parent

    def resolve(self, relative: str) -> Path:
        """A path of the file, relative to the file's folder."""
        return (self.base_dir / relative).resolve()

    @property
    def database_url(self) -> str:
        """`[database] url`, a relative SQLite path made absolute (the only way the command
        line names the database to the library)."""
        url = self["database"].url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix:
            return prefix + str(self.resolve(url[len(prefix) :]))
        return url


def _coerce(path: Path, section: str, key: str, value, annotation):
    """Check `value` against a field's annotation and build nested dataclasses."""
    hint = annotation
    origin = typing.get_origin(hint)

    def bad(expected: str):
        raise InputError(
            _(
                "{path} : [{section}] {key} = {value!r} : {expected} attendu.",
                path=path,
                section=section,
                key=key,
                value=value,
                expected=expected,
            )
        )

    if hint is bool:
        return value if isinstance(value, bool) else bad(_("true ou false"))
    if hint is int:
        return (
            value
            if isinstance(value, int) and not isinstance(value, bool)
            else bad(_("un nombre entier"))
        )
    if hint is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        return bad(_("un nombre"))
    if hint is str:
        return value if isinstance(value, str) else bad(_("un texte entre guillemets"))
    if origin is dict:
        if not isinstance(value, dict):
            return bad(_("une table"))
        _key_type, value_type = typing.get_args(hint)
        return {
            str(k): _coerce(path, section, f"{key}.{k}", v, value_type) for k, v in value.items()
        }
    if origin is tuple:
        (item_type, _ellipsis) = typing.get_args(hint)
        if not isinstance(value, list):
            return bad(_("une liste de tables [[…]]"))
        return tuple(
            _build(path, f"{section}.{key}[{i}]", item_type, item) for i, item in enumerate(value)
        )
    return value


def _secret_variable(schema: ConfigSchema, section: str, key: str) -> str:
    """The environment variable that carries the secret field `[section] key`."""
    return next(
        (variable for variable, target in schema.secret_fields.items() if target == (section, key)),
        "?",
    )


def _build(path: Path, section: str, cls: type, table, schema: ConfigSchema | None = None):
    """Build dataclass `cls` from a TOML table, refusing unknown keys, secrets and wrong types."""
    if not isinstance(table, dict):
        raise InputError(_("{path} : [{section}] doit être une table.", path=path, section=section))
    hints = typing.get_type_hints(cls)
    allowed = {f.name: f for f in fields(cls) if not f.metadata.get("secret")}
    values = {}
    for key, value in table.items():
        if key not in allowed:
            if key in {f.name for f in fields(cls)}:
                raise InputError(
                    _(
                        "{path} : [{section}] ne doit pas contenir le secret « {key} » ;"
                        " définissez la variable d'environnement {variable}.",
                        path=path,
                        section=section,
                        key=key,
                        variable=_secret_variable(schema, section, key) if schema else "?",
                    )
                )
            renamed = getattr(cls, "RENAMED", {}).get(key)
            if renamed:
                raise InputError(
                    _(
                        "{path} : [{section}] « {key} » n'existe plus : elle est remplacée par"
                        " « {renamed} » (voir campus init ou docs/exploitation.md).",
                        path=path,
                        section=section,
                        key=key,
                        renamed=renamed,
                    )
                )
            known = ", ".join(allowed)
            raise InputError(
                _(
                    "{path} : [{section}] clé « {key} » inconnue (clés possibles : {known}).",
                    path=path,
                    section=section,
                    key=key,
                    known=known,
                )
            )
        values[key] = _coerce(path, section, key, value, hints[key])
    for f in fields(cls):
        required = f.default is MISSING and f.default_factory is MISSING
        if required and f.name not in values:  # a field of a nested table without default
            raise InputError(
                _(
                    "{path} : [{section}] clé « {key} » manquante : elle est obligatoire dans cette table.",
                    path=path,
                    section=section,
                    key=f.name,
                )
            )
    try:
        return cls(**values)
    except InputError as error:  # a value the section's own checks refuse
        raise InputError(f"{path} : {error}") from None


def load_config(
    path: Path, schema: ConfigSchema, environ: Mapping[str, str] | None = None
) -> Config:
    """Read campus.toml at `path` (it may be absent: defaults apply) and the environment."""
    environ = os.environ if environ is None else environ
    data: dict = {}
    if path.exists():
        text = read_regular_file(path, _("vérifiez --config ou CAMPUS_CONFIG"))
        try:
            data = tomllib.loads(text.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise InputError(
                _("{path} : TOML invalide : {reason}", path=path, reason=error)
            ) from None
    for section in data:
        if section not in schema.sections:
            known = ", ".join(schema.sections)
            raise InputError(
                _(
                    "{path} : section [{section}] inconnue (sections possibles : {known}).",
                    path=path,
                    section=section,
                    known=known,
                )
            )
    sections = {
        name: _build(path, name, cls, data.get(name, {}), schema)
        for name, cls in schema.sections.items()
    }
    for variable, (section, key) in schema.env_overrides.items():
        if environ.get(variable):
            sections[section] = dataclasses.replace(sections[section], **{key: environ[variable]})
    secrets = read_secrets(environ)  # trimmed and checked; a pasted line break is refused here
    for variable, (section, key) in schema.secret_fields.items():
        if variable in secrets:
            sections[section] = dataclasses.replace(sections[section], **{key: secrets[variable]})
    return Config(path=path.resolve(), sections=sections, secrets=secrets)


def render_config(sections: Mapping[str, type]) -> str:
    """The complete, commented campus.toml with every default (what `campus init` writes)."""
    lines = [
        "# Configuration de Campus. Les secrets (clé d'API) viennent de l'environnement :",
        "#   export CAMPUS_DISCOURSE_API_KEY=…   (jamais dans ce fichier)",
        "",
    ]
    for name, cls in sections.items():
        if getattr(cls, "TITLE", None):
            lines.append(f"# {cls.TITLE}")
        lines.append(f"[{name}]")
        instance = cls()
        nested = []
        for f in fields(cls):
            if f.metadata.get("secret"):
                continue
            value = getattr(instance, f.name)
            if isinstance(value, tuple):
                nested.append((f, value))
                continue
            if f.metadata.get("doc"):
                lines.append(f"# {f.metadata['doc']}")
            lines.append(f"{f.name} = {toml_value(value)}")
        for f, items in nested:
            lines.append("")
            lines.append(f"# {f.metadata.get('doc', f.name)}")
            for item in items:
                lines.append(f"[[{name}.{f.name}]]")
                for item_field in fields(item):
                    lines.append(
                        f"{item_field.name} = {toml_value(getattr(item, item_field.name))}"
                    )
        lines.append("")
    return "\n".join(lines)


def toml_value(value) -> str:
    """`value` written as TOML (booleans, numbers, strings, inline tables, arrays)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dict):
        return (
            "{ " + ", ".join(f"{_toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
        )
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml_key(key: str) -> str:
    return key if key.replace("-", "").replace("_", "").isalnum() else toml_value(key)


EXAMPLE_COOPERATIVES = """slug,name,region,color
coop-alpha,Coopérative Alpha,Bretagne,1B75BB
coop-beta,Beta Entreprendre,Occitanie,
"""

EXAMPLE_ROSTER = """username,email,cooperative,role
marie.durand,marie.durand@example.org,coop-alpha,entrepreneur
,jules.martin@example.org,coop-alpha,appui
karim.benali,,coop-beta,direction
"""


def write_init(directory: Path, sections: Mapping[str, type]) -> list[Path]:
    """Write campus.toml and example CSV files into `directory`, never overwriting a file."""
    targets = {
        directory / "campus.toml": render_config(sections),
        directory / "cooperatives.csv": EXAMPLE_COOPERATIVES,
        directory / "roster.csv": EXAMPLE_ROSTER,
    }
    for target in targets:
        if target.exists():
            raise InputError(
                _(
                    "{path} existe déjà : rien n'a été écrit (supprimez-le ou choisissez un autre dossier).",
                    path=target,
                )
            )
    directory.mkdir(parents=True, exist_ok=True)
    for target, text in targets.items():
        target.write_text(text, encoding="utf-8")
    return list(targets)


INPUT_EXAMPLES = {"cooperatives.csv": EXAMPLE_COOPERATIVES, "roster.csv": EXAMPLE_ROSTER}


def is_example(path: Path) -> bool:
    """Whether `path` still holds the example `campus init` wrote (a file never edited)."""
    example = INPUT_EXAMPLES.get(path.name)
    try:
        return example is not None and path.read_text(encoding="utf-8") == example
    except (OSError, UnicodeDecodeError):
        return False


def write_input_files(directory: Path, files: Mapping[str, str]) -> list[Path]:
    """Write the input CSV files `files` (name -> text) into `directory`: a file that still holds
    `campus init`'s example (or this very text) is replaced, any other existing file is left
    alone and the whole write refused (exit 2), so an edited network is never lost."""
    targets = {directory / name: text for name, text in files.items()}
    for target, text in targets.items():
        if target.exists() and not is_example(target):
            try:
                same = target.read_text(encoding="utf-8") == text
            except (OSError, UnicodeDecodeError):
                same = False
            if not same:
                raise InputError(
                    _(
                        "{path} existe déjà et n'est plus l'exemple de « campus init » : rien n'a"
                        " été écrit (déplacez-le, ou choisissez un autre dossier).",
                        path=target,
                    )
                )
    directory.mkdir(parents=True, exist_ok=True)
    for target, text in targets.items():
        target.write_text(text, encoding="utf-8")
    return list(targets)
