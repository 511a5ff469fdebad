"""`campus`: the command line, and the only place where configuration meets the packages.

Each command is a thin wrapper: it builds the settings of the packages it needs from campus.toml
and the environment, calls one library function, and prints its result (French first).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import sys
import time
import tomllib
import typing
from dataclasses import MISSING, dataclass, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from analytics import indicators
from analytics import score as score_engine
from analytics.forum import load_forum
from analytics.periods import month_bounds, parse_period
from analytics.settings import IndicatorSettings, RecognitionSettings, ScoreWeights
from reports import publish as report_publish
from reports import render as report_render
from reports.settings import ReportSettings
from sync import db, mirror, pulse, recognition
from sync import members as roster_sync
from sync import provision as structure
from sync import stats as mirror_stats
from sync.client import DiscourseAPI, wait_message
from sync.doctor import exit_code, format_checks, run_doctor
from sync.errors import CampusError, InputError
from sync.i18n import translate
from sync.inputs import read_roster
from sync.pulse import PulseSettings
from sync.settings import (
    DatabaseSettings,
    DiscourseSettings,
    ForumTemplate,
    NetworkSettings,
    SyncSettings,
)
from sync.worker import Job, Worker

log = logging.getLogger("campus")

# campus.toml section -> the settings dataclass it fills (in the order `campus init` writes them)
SECTIONS: dict[str, type] = {
    "discourse": DiscourseSettings,
    "database": DatabaseSettings,
    "network": NetworkSettings,
    "sync": SyncSettings,
    "template": ForumTemplate,
    "score": ScoreWeights,
    "indicators": IndicatorSettings,
    "reports": ReportSettings,
    "pulse": PulseSettings,
    "recognition": RecognitionSettings,
    # more sections are registered below by the packages' commands
}

# environment variable -> (section, key); secrets have no key in the file at all
ENV_OVERRIDES = {
    "CAMPUS_DISCOURSE_URL": ("discourse", "url"),
    "CAMPUS_DISCOURSE_API_USERNAME": ("discourse", "api_username"),
    "CAMPUS_DISCOURSE_API_KEY": ("discourse", "api_key"),
    "CAMPUS_DATABASE_URL": ("database", "url"),
}

MESSAGES = {
    "fr": {
        "no_config": "{path} : fichier de configuration introuvable (vérifiez --config ou CAMPUS_CONFIG ; « campus init » en écrit un).",
        "toml": "{path} : TOML invalide : {reason}",
        "unknown_section": "{path} : section [{section}] inconnue (sections possibles : {known}).",
        "not_table": "{path} : [{section}] doit être une table.",
        "unknown_key": "{path} : [{section}] clé « {key} » inconnue (clés possibles : {known}).",
        "missing_key": "{path} : [{section}] clé « {key} » manquante : elle est obligatoire dans cette table.",
        "bad_type": "{path} : [{section}] {key} = {value!r} : {expected} attendu.",
        "secret_in_file": "{path} : [discourse] ne doit pas contenir la clé d'API ; définissez la variable d'environnement CAMPUS_DISCOURSE_API_KEY.",
        "no_key": "La clé d'API manque : définissez la variable d'environnement CAMPUS_DISCOURSE_API_KEY (clé admin créée dans Discourse, Admin > API).",
        "init_exists": "{path} existe déjà : rien n'a été écrit (supprimez-le ou choisissez un autre dossier).",
        "init_done": "Fichiers écrits dans {dir} : campus.toml, cooperatives.csv, roster.csv.\nDéfinissez CAMPUS_DISCOURSE_API_KEY puis lancez « campus doctor ».",
        "expected_str": "un texte entre guillemets",
        "expected_int": "un nombre entier",
        "expected_float": "un nombre",
        "expected_bool": "true ou false",
        "expected_table": "une table",
        "expected_list": "une liste de tables [[…]]",
    },
    "en": {
        "no_config": "{path}: configuration file not found (check --config or CAMPUS_CONFIG; `campus init` writes one).",
        "toml": "{path}: invalid TOML: {reason}",
        "unknown_section": "{path}: unknown section [{section}] (known sections: {known}).",
        "not_table": "{path}: [{section}] must be a table.",
        "unknown_key": "{path}: [{section}] unknown key '{key}' (known keys: {known}).",
        "missing_key": "{path}: [{section}] missing key '{key}': it is required in this table.",
        "bad_type": "{path}: [{section}] {key} = {value!r}: expected {expected}.",
        "secret_in_file": "{path}: [discourse] must not hold the API key; set the environment variable CAMPUS_DISCOURSE_API_KEY.",
        "no_key": "The API key is missing: set the environment variable CAMPUS_DISCOURSE_API_KEY (an admin key created in Discourse, Admin > API).",
        "init_exists": "{path} already exists: nothing was written (remove it or choose another folder).",
        "init_done": "Files written in {dir}: campus.toml, cooperatives.csv, roster.csv.\nSet CAMPUS_DISCOURSE_API_KEY, then run `campus doctor`.",
        "expected_str": "a quoted string",
        "expected_int": "an integer",
        "expected_float": "a number",
        "expected_bool": "true or false",
        "expected_table": "a table",
        "expected_list": "a list of tables [[…]]",
    },
}


def _(message: str, **values) -> str:
    return translate(MESSAGES, message, **values)


# --- configuration -------------------------------------------------------------------------


@dataclass
class Config:
    """Every package's settings, as read from campus.toml and the environment."""

    path: Path
    sections: dict[str, object]

    def __getitem__(self, section: str):
        return self.sections[section]

    @property
    def base_dir(self) -> Path:
        """Relative paths in the file (CSV files, output folder, SQLite file) are relative to it."""
        return self.path.parent

    def resolve(self, relative: str) -> Path:
        return (self.base_dir / relative).resolve()

    @property
    def database_url(self) -> str:
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
            _("bad_type", path=path, section=section, key=key, value=value, expected=_(expected))
        )

    if hint is bool:
        return value if isinstance(value, bool) else bad("expected_bool")
    if hint is int:
        return (
            value if isinstance(value, int) and not isinstance(value, bool) else bad("expected_int")
        )
    if hint is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        return bad("expected_float")
    if hint is str:
        return value if isinstance(value, str) else bad("expected_str")
    if origin is dict:
        if not isinstance(value, dict):
            return bad("expected_table")
        _key_type, value_type = typing.get_args(hint)
        return {
            str(k): _coerce(path, section, f"{key}.{k}", v, value_type) for k, v in value.items()
        }
    if origin is tuple:
        (item_type, _ellipsis) = typing.get_args(hint)
        if not isinstance(value, list):
            return bad("expected_list")
        return tuple(
            _build(path, f"{section}.{key}[{i}]", item_type, item) for i, item in enumerate(value)
        )
    return value


def _build(path: Path, section: str, cls: type, table) -> object:
    """Build dataclass `cls` from a TOML table, refusing unknown keys and wrong types."""
    if not isinstance(table, dict):
        raise InputError(_("not_table", path=path, section=section))
    hints = typing.get_type_hints(cls)
    allowed = {f.name: f for f in fields(cls) if not f.metadata.get("secret")}
    values = {}
    for key, value in table.items():
        if key not in allowed:
            if key in {f.name for f in fields(cls)}:
                raise InputError(_("secret_in_file", path=path))
            known = ", ".join(allowed)
            raise InputError(_("unknown_key", path=path, section=section, key=key, known=known))
        values[key] = _coerce(path, section, key, value, hints[key])
    for f in fields(cls):
        required = f.default is MISSING and f.default_factory is MISSING
        if required and f.name not in values:  # a field of a nested table without default
            raise InputError(_("missing_key", path=path, section=section, key=f.name))
    try:
        return cls(**values)
    except InputError as error:  # a value the section's own checks refuse
        raise InputError(f"{path} : {error}") from None


def load_config(path: Path, environ: typing.Mapping[str, str] | None = None) -> Config:
    """Read campus.toml at `path` (it may be absent: defaults apply) and the environment."""
    environ = os.environ if environ is None else environ
    data: dict = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise InputError(_("toml", path=path, reason=error)) from None
    for section in data:
        if section not in SECTIONS:
            known = ", ".join(SECTIONS)
            raise InputError(_("unknown_section", path=path, section=section, known=known))
    sections = {name: _build(path, name, cls, data.get(name, {})) for name, cls in SECTIONS.items()}
    for variable, (section, key) in ENV_OVERRIDES.items():
        if environ.get(variable):
            sections[section] = dataclasses.replace(sections[section], **{key: environ[variable]})
    return Config(path=path.resolve(), sections=sections)


def render_config() -> str:
    """The complete, commented campus.toml with every default (what `campus init` writes)."""
    lines = [
        "# Configuration de Campus. Les secrets (clé d'API) viennent de l'environnement :",
        "#   export CAMPUS_DISCOURSE_API_KEY=…   (jamais dans ce fichier)",
        "",
    ]
    for name, cls in SECTIONS.items():
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
            lines.append(f"{f.name} = {_toml_value(value)}")
        for f, items in nested:
            lines.append("")
            lines.append(f"# {f.metadata.get('doc', f.name)}")
            for item in items:
                lines.append(f"[[{name}.{f.name}]]")
                for item_field in fields(item):
                    lines.append(
                        f"{item_field.name} = {_toml_value(getattr(item, item_field.name))}"
                    )
        lines.append("")
    return "\n".join(lines)


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dict):
        return (
            "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
        )
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml_key(key: str) -> str:
    return key if key.replace("-", "").replace("_", "").isalnum() else _toml_value(key)


EXAMPLE_COOPERATIVES = """slug,name,region,color
coop-alpha,Coopérative Alpha,Bretagne,1B75BB
coop-beta,Beta Entreprendre,Occitanie,
"""

EXAMPLE_ROSTER = """username,email,cooperative,role
marie.durand,marie.durand@example.org,coop-alpha,entrepreneur
,jules.martin@example.org,coop-alpha,appui
karim.benali,,coop-beta,direction
"""


def write_init(directory: Path) -> list[Path]:
    """Write campus.toml and example CSV files into `directory`, never overwriting a file."""
    targets = {
        directory / "campus.toml": render_config(),
        directory / "cooperatives.csv": EXAMPLE_COOPERATIVES,
        directory / "roster.csv": EXAMPLE_ROSTER,
    }
    for target in targets:
        if target.exists():
            raise InputError(_("init_exists", path=target))
    directory.mkdir(parents=True, exist_ok=True)
    for target, text in targets.items():
        target.write_text(text, encoding="utf-8")
    return list(targets)


# --- command line --------------------------------------------------------------------------


class CampusGroup(click.Group):
    """Turns Campus errors into a message on stderr and their exit status (1 or 2)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CampusError as error:
            click.echo(str(error), err=True)
            ctx.exit(error.exit_code)


@click.group(cls=CampusGroup)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="campus.toml (défaut : $CAMPUS_CONFIG, sinon ./campus.toml)",
)
@click.option("-v", "--verbose", count=True, help="plus de détails sur stderr")
@click.pass_context
def main(ctx: click.Context, config_path: Path | None, verbose: int) -> None:
    """Campus : le campus numérique du réseau de CAE, à côté de Discourse."""
    logging.basicConfig(
        level=logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    named = config_path or os.environ.get("CAMPUS_CONFIG")
    ctx.obj = ConfigChoice(Path(named or "campus.toml"), required=bool(named))


@dataclass(frozen=True)
class ConfigChoice:
    """Which campus.toml to read: one named by --config or $CAMPUS_CONFIG must exist; the
    default ./campus.toml may be absent (defaults and environment variables then apply)."""

    path: Path
    required: bool


def get_config(ctx: click.Context) -> Config:
    """The configuration for this invocation (read once, on first use)."""
    root = ctx.find_root()
    if isinstance(root.obj, ConfigChoice):
        if root.obj.required and not root.obj.path.is_file():
            raise InputError(_("no_config", path=root.obj.path))
        root.obj = load_config(root.obj.path)
    return root.obj


def discourse_settings(config: Config) -> DiscourseSettings:
    """The forum settings, refusing to go on without an API key."""
    settings = config["discourse"]
    if not settings.api_key:
        raise InputError(_("no_key"))
    return settings


def open_client(config: Config) -> DiscourseAPI:
    """The Discourse client every command uses; rate-limit waits are announced on stderr."""
    return DiscourseAPI(
        discourse_settings(config),
        on_wait=lambda seconds, reason: click.echo(wait_message(seconds, reason), err=True),
    )


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Écrire un campus.toml commenté et des fichiers CSV d'exemple."""
    write_init(directory)
    click.echo(_("init_done", dir=directory))


@main.command()
@click.pass_context
def doctor(ctx: click.Context) -> None:
    """Vérifier l'adresse, la clé, les droits admin, les plugins et la limite de requêtes."""
    checks = run_doctor(open_client(get_config(ctx)))
    click.echo(format_checks(checks))
    ctx.exit(exit_code(checks))


# --- commands of the packages are registered below ------------------------------------------


def stderr_progress(ctx: click.Context):
    """A line printer on stderr when stderr is a terminal or with -v, else None (quiet)."""
    if sys.stderr.isatty() or ctx.find_root().params.get("verbose"):
        return lambda line: click.echo(line, err=True)
    return None


@main.command()
@click.option("--dry-run", is_flag=True, help="montrer le plan sans rien écrire sur le forum")
@click.option("--json", "as_json", is_flag=True, help="un objet JSON sur la sortie standard")
@click.option(
    "--check-permissions",
    is_flag=True,
    help="relire les permissions de chaque catégorie (une requête par catégorie)",
)
@click.pass_context
def provision(ctx: click.Context, dry_run: bool, as_json: bool, check_permissions: bool) -> None:
    """Créer et tenir à jour groupes et catégories des coopératives (cooperatives.csv)."""
    config = get_config(ctx)
    template = config["template"]
    cooperatives = structure.load_cooperatives(
        config.resolve(config["network"].cooperatives), template
    )
    client = open_client(config)
    plan = structure.run_provision(
        client,
        cooperatives,
        template,
        dry_run=dry_run,
        check_permissions=check_permissions,
        progress=stderr_progress(ctx),
    )
    counts = {"requests": client.total_requests, "writes": client.write_requests}
    if as_json:
        click.echo(
            json.dumps(structure.plan_json(plan, dry_run=dry_run, **counts), ensure_ascii=False)
        )
        return
    verbose = bool(ctx.find_root().params.get("verbose"))
    click.echo(structure.format_plan(plan, show_unchanged=verbose))
    click.echo(structure.describe_run(plan, dry_run=dry_run, **counts))


@main.command()
@click.option("--dry-run", is_flag=True, help="montrer les changements sans rien écrire")
@click.option("--json", "as_json", is_flag=True, help="un objet JSON sur la sortie standard")
@click.option("--prune", is_flag=True, help="retirer des groupes les membres absents du fichier")
@click.option("--invite", is_flag=True, help="inviter par e-mail les personnes inconnues du forum")
@click.pass_context
def members(ctx: click.Context, dry_run: bool, as_json: bool, prune: bool, invite: bool) -> None:
    """Inscrire chaque membre de roster.csv dans le groupe de sa coopérative et de son rôle."""
    config = get_config(ctx)
    template = config["template"]
    cooperatives = structure.load_cooperatives(
        config.resolve(config["network"].cooperatives), template
    )
    roster = read_roster(config.resolve(config["network"].roster), cooperatives)
    client = open_client(config)
    plan, result = roster_sync.run_members(
        client,
        roster,
        cooperatives,
        template,
        dry_run=dry_run,
        prune=prune,
        invite=invite,
        progress=stderr_progress(ctx),
    )
    if as_json:
        data = roster_sync.members_json(
            plan,
            result,
            dry_run=dry_run,
            requests=client.total_requests,
            writes=client.write_requests,
        )
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    click.echo(roster_sync.format_members(plan, result, dry_run=dry_run))


@main.command(name="sync")
@click.option("--full", is_flag=True, help="tout relire (sinon : seulement ce qui a changé)")
@click.option("--json", "as_json", is_flag=True, help="un objet JSON sur la sortie standard")
@click.pass_context
def sync_command(ctx: click.Context, full: bool, as_json: bool) -> None:
    """Copier l'activité du forum dans la base locale (incrémental par défaut)."""
    config = get_config(ctx)
    summary = mirror.run_sync(
        config.database_url,
        open_client(config),
        _sync_options(config),
        full=full,
        progress=stderr_progress(ctx),
    )
    if as_json:
        click.echo(json.dumps(summary.as_json(), ensure_ascii=False))
    else:
        click.echo(mirror.format_summary(summary))


@main.command(name="stats")
@click.option("--json", "as_json", is_flag=True, help="un objet JSON sur la sortie standard")
@click.pass_context
def stats_command(ctx: click.Context, as_json: bool) -> None:
    """Montrer ce que contient la base locale et la date de la dernière synchronisation."""
    result = mirror_stats.database_stats(get_config(ctx).database_url)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
    else:
        click.echo(mirror_stats.format_stats(result))


# --- report, pulse, worker (issue 6) ----------------------------------------------------------


REPORT_MESSAGES = {
    "fr": {
        "report_published": "Rapport {action} dans le sujet {topic_id} « {title} ».",
        "pulse_posted": "Baromètre {month} : {posted} sujet(s) publié(s), {already} déjà en place.",
        "pulse_collected": "Baromètre {month} : {closed} sondage(s) clos lu(s) ({voters} votes), {still_open} encore ouvert(s), {missing} introuvable(s).",
        "created": "publié",
        "updated": "mis à jour",
        "ok": "réussi",
        "failed": "échec",
        "skipped": "sauté (verrou pris par une autre exécution)",
        "run": "{job} : {outcome} ({seconds:.1f} s) {detail}",
    },
    "en": {
        "report_published": "Report {action} in topic {topic_id} '{title}'.",
        "pulse_posted": "Pulse {month}: {posted} topic(s) posted, {already} already there.",
        "pulse_collected": "Pulse {month}: {closed} closed poll(s) read ({voters} votes), {still_open} still open, {missing} missing.",
        "created": "published",
        "updated": "updated",
        "ok": "ok",
        "failed": "failed",
        "skipped": "skipped (lock held by another run)",
        "run": "{job}: {outcome} ({seconds:.1f} s) {detail}",
    },
}


def _month_option(default_help: str):
    return click.option("--month", help=f"mois AAAA-MM (défaut : {default_help})")


def _report_month(config: Config, month: str | None) -> str:
    tz = config["network"].timezone
    return month or indicators.shift_month(indicators.current_month(tz), -1)


def _cooperative_slugs(config: Config) -> list[str]:
    path = config.resolve(config["network"].cooperatives)
    return [coop.slug for coop in structure.load_cooperatives(path, config["template"])]


def _sync_options(config: Config) -> mirror.SyncOptions:
    """What `sync` and the worker mirror; without cooperatives.csv, no cooperative is known."""
    known = config.resolve(config["network"].cooperatives).exists()
    slugs = _cooperative_slugs(config) if known else []
    return mirror.sync_options(config["template"], config["sync"], slugs)


def run_report(
    config: Config,
    month: str,
    *,
    coop: str | None = None,
    out: Path | None = None,
    lang: str | None = None,
    publish: bool = False,
    partial: bool = False,
    with_pdf: bool = False,
) -> dict:
    """Write the month's reports (and publish the network one); what `report` and the worker do."""
    settings: ReportSettings = config["reports"]
    tz = config["network"].timezone
    lang = lang or settings.lang
    folder = report_render.build_report(
        db.connect(config.database_url),
        month,
        out or config.resolve(settings.output_dir),
        lang=lang,
        settings=settings,
        thresholds=config["indicators"],
        tz=tz,
        only=coop,
        partial=partial,
        with_pdf=with_pdf,
    )
    result: dict = {"folder": str(folder)}
    if publish:
        markdown = (folder / "network.md").read_text(encoding="utf-8")
        result["published"] = report_publish.publish_report(
            open_client(config), month, markdown, settings, tz
        ).as_dict()
    return result


@main.command(name="report")
@_month_option("le mois dernier")
@click.option("--coop", help="une seule coopérative (slug), en plus du réseau")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="dossier de sortie")
@click.option("--lang", type=click.Choice(["fr", "en"]), help="langue (défaut : [reports] lang)")
@click.option("--publish", is_flag=True, help="publier le rapport du réseau dans « Direction »")
@click.option("--pdf", "with_pdf", is_flag=True, help="imprimer aussi network.pdf (Chromium)")
@click.option("--partial", is_flag=True, help="accepter le mois en cours (rapport provisoire)")
@click.pass_context
def report_command(ctx, month, coop, out, lang, publish, with_pdf, partial) -> None:
    """Écrire les rapports QVT du mois (réseau et coopératives) : HTML, Markdown, CSV, JSON, PDF."""
    config = get_config(ctx)
    result = run_report(
        config,
        _report_month(config, month),
        coop=coop,
        out=out,
        lang=lang,
        publish=publish,
        partial=partial,
        with_pdf=with_pdf,
    )
    click.echo(result["folder"])
    if "published" in result:
        published = result["published"] | {
            "action": translate(REPORT_MESSAGES, result["published"]["action"])
        }
        click.echo(translate(REPORT_MESSAGES, "report_published", **published), err=True)


@main.group(name="pulse")
def pulse_group() -> None:
    """Baromètre QVT mensuel : un sondage par axe dans chaque coopérative."""


@pulse_group.command(name="post")
@_month_option("le mois en cours")
@click.option("--json", "as_json", is_flag=True, help="un objet JSON sur la sortie standard")
@click.pass_context
def pulse_post(ctx, month, as_json) -> None:
    """Publier le sondage du mois dans la catégorie de chaque coopérative (une fois par mois)."""
    config = get_config(ctx)
    tz = config["network"].timezone
    month = month or indicators.current_month(tz)
    slugs = _cooperative_slugs(config)
    closes_at = month_bounds(month, tz)[1]
    client = open_client(config)
    outcome = pulse.post_pulse(
        client,
        db.connect(config.database_url),
        month,
        closes_at,
        slugs,
        config["pulse"],
        config["reports"].min_group_size,
    )
    data = outcome.as_dict() | {"month": month, "requests": client.total_requests}
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        click.echo(
            translate(
                REPORT_MESSAGES,
                "pulse_posted",
                month=month,
                posted=len(outcome.posted),
                already=len(outcome.already),
            )
        )


@pulse_group.command(name="collect")
@_month_option("le mois dernier")
@click.option("--json", "as_json", is_flag=True, help="un objet JSON sur la sortie standard")
@click.pass_context
def pulse_collect(ctx, month, as_json) -> None:
    """Lire dans la base les totaux des sondages clos du mois (jamais qui a voté quoi)."""
    config = get_config(ctx)
    month = _report_month(config, month)
    client = open_client(config)
    outcome = pulse.collect_pulse(client, db.connect(config.database_url), month)
    data = outcome.as_dict() | {"month": month, "requests": client.total_requests}
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        click.echo(translate(REPORT_MESSAGES, "pulse_collected", **data))


def worker_jobs(config: Config) -> list[Job]:
    """The worker's jobs: sync hourly, scores daily, and on the 1st pulse and report."""
    tz = config["network"].timezone

    def sync_job() -> dict:
        return mirror.run_sync(
            config.database_url, open_client(config), _sync_options(config)
        ).as_json()

    def score_job() -> str:
        start, end = parse_period("last30", tz, datetime.now(UTC))
        forum = load_forum(db.connect(config.database_url), score_only=True)
        table = score_engine.score(
            forum,
            config["score"],
            start=start,
            end=end,
            optout_group=config["template"].optout_group,
        )
        # animator-facing, with names: kept apart from the directors' report folders
        target = config.base_dir / "scores" / "last30.csv"
        target.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(target, index=False)
        return f"{len(table)} → {target}"

    def monthly_job() -> dict:
        month = indicators.current_month(tz)
        previous = indicators.shift_month(month, -1)
        client = open_client(config)
        engine = db.connect(config.database_url)
        collected = pulse.collect_pulse(client, engine, previous)
        report = run_report(config, previous, publish=config["reports"].publish_from_worker)
        posted = pulse.post_pulse(
            client,
            engine,
            month,
            month_bounds(month, tz)[1],
            _cooperative_slugs(config),
            config["pulse"],
            config["reports"].min_group_size,
        )
        return {"collected": collected.closed, "report": report, "posted": posted.posted}

    return [
        Job("sync", sync_job, "hourly"),
        Job("score", score_job, "daily"),
        Job("pulse+report", monthly_job, "monthly"),
    ]


@main.command(name="worker")
@click.option("--once", is_flag=True, help="lancer chaque tâche une fois puis s'arrêter")
@click.pass_context
def worker_command(ctx, once) -> None:
    """Synchroniser toutes les heures, scorer chaque jour, baromètre et rapport le 1er du mois."""
    config = get_config(ctx)
    worker = Worker(worker_jobs(config), config.database_url, tz=config["network"].timezone)
    if once:
        records = worker.run_once()
        for record in records:
            outcome = translate(REPORT_MESSAGES, record.outcome)
            click.echo(
                translate(
                    REPORT_MESSAGES,
                    "run",
                    job=record.job,
                    outcome=outcome,
                    seconds=record.seconds,
                    detail=record.detail,
                )
            )
        ctx.exit(1 if any(record.outcome == "failed" for record in records) else 0)
    worker.run_forever()


# --- score (issue 5) ----------------------------------------------------------------------------

SCORE_MESSAGES = {
    "fr": {
        "apply_by_category": "--apply propose les N premiers du score général : il ne se combine pas avec --by-theme (--by-category).",
        "user_alone": "--user explique une ligne du score général : sans --apply ni --by-theme.",
        "confirm": "Appliquer ces changements sur le forum (y : oui, n : non) ?",
        "cancelled": "Annulé : rien n'a été modifié sur le forum.",
        "nobody": "Personne à proposer sur cette période.",
    },
    "en": {
        "apply_by_category": "--apply proposes the top N of the overall score: it cannot be combined with --by-theme (--by-category).",
        "user_alone": "--user explains one line of the overall score: without --apply or --by-theme.",
        "confirm": "Apply these changes to the forum?",
        "cancelled": "Cancelled: nothing was changed on the forum.",
        "nobody": "Nobody to propose in this period.",
    },
}


@main.command(name="score")
@click.option("--period", default="last30", show_default=True, help="AAAA-MM, AAAA, last30 ou all")
@click.option("--coop", help="slug d'une coopérative : seulement ses membres")
@click.option(
    "--top", type=click.IntRange(min=1), help="les N premiers (--apply : [recognition] top)"
)
@click.option("--exclude-staff", is_flag=True, help="sans les équipes d'appui (rôle appui)")
@click.option(
    "--by-theme",
    "--by-category",
    "by_theme",
    is_flag=True,
    help="carte des expertises : les aidants de chaque thème (étiquette, sinon catégorie)",
)
@click.option("--user", "username", help="expliquer le score d'une personne, ligne par ligne")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "csv-fr", "json"]),
    default="table",
    show_default=True,
)
@click.option(
    "--apply", "apply_", is_flag=True, help="proposer les N premiers au groupe transformers"
)
@click.option("--yes", is_flag=True, help="avec --apply : appliquer sans demander confirmation")
@click.pass_context
def score_command(
    ctx, period, coop, top, exclude_staff, by_theme, username, fmt, apply_, yes
) -> None:
    """Score des contributeurs : qui aide les autres (détail de chaque composante)."""
    if apply_ and by_theme:
        raise InputError(translate(SCORE_MESSAGES, "apply_by_category"))
    if username and (apply_ or by_theme):
        raise InputError(translate(SCORE_MESSAGES, "user_alone"))
    config = get_config(ctx)
    start, end = parse_period(period, config["network"].timezone, datetime.now(UTC))
    forum = load_forum(db.connect(config.database_url), score_only=True)
    options = dict(
        start=start,
        end=end,
        coop=coop,
        exclude_staff=exclude_staff,
        optout_group=config["template"].optout_group,
    )
    if username:
        table = score_engine.score(forum, config["score"], **options)
        line = table.loc[table["username"] == username]
        if line.empty:
            reason = score_engine.why_absent(forum, username, config["template"].optout_group)
            click.echo("[]" if fmt == "json" else reason)
        elif fmt == "table":
            click.echo(score_engine.explain(table, username, config["score"]))
        else:
            click.echo(score_engine.render_scores(line, fmt))
        return
    if by_theme:
        table = score_engine.expertise_map(forum, config["score"], top=top or 3, **options)
    else:
        table = score_engine.score(forum, config["score"], **options)
        if top or apply_:
            table = table.head(top or config["recognition"].top)
    click.echo(score_engine.render_scores(table, fmt))
    if apply_:
        _apply_recognition(config, table["username"].tolist(), yes)


def _apply_recognition(config: Config, usernames: list[str], yes: bool) -> None:
    """Show the recognition plan on stderr, ask a person, then apply it (stdout stays the scores)."""
    if not usernames:
        click.echo(translate(SCORE_MESSAGES, "nobody"), err=True)
        return
    settings = config["recognition"]
    client = open_client(config)
    plan = recognition.plan_recognition(
        client,
        usernames,
        group=config["template"].transformers_group,
        badge=settings.badge_name if settings.grant_badge else None,
    )
    click.echo(plan.describe(), err=True)
    if not plan.has_changes:
        return
    if not yes and not click.confirm(translate(SCORE_MESSAGES, "confirm"), err=True):
        click.echo(translate(SCORE_MESSAGES, "cancelled"), err=True)
        return
    result = recognition.apply_recognition(
        client, plan, badge_description=settings.badge_description
    )
    click.echo(result.describe(), err=True)


# --- sandbox (issue 2) --------------------------------------------------------------------------


@main.command(name="sandbox")
@click.option("--port", type=int, default=8765, show_default=True, help="port d'écoute")
@click.option("--seed", type=int, default=1, show_default=True, help="graine du réseau synthétique")
@click.option("--size", type=click.Choice(["small", "network"]), default="small", show_default=True)
@click.option(
    "--rate-limit",
    type=int,
    default=60,
    show_default=True,
    help="requêtes admin/minute (0 = aucune)",
)
@click.option("--bare", is_flag=True, help="comptes seulement : rien de provisionné")
@click.option(
    "--api-key", default=None, help="clé du bac à sable (défaut : $CAMPUS_SANDBOX_API_KEY)"
)
def sandbox_command(
    port: int, seed: int, size: str, rate_limit: int, bare: bool, api_key: str | None
) -> None:
    """Lancer l'émulateur Discourse local avec un réseau de CAE synthétique."""
    from sandbox.__main__ import serve

    serve(port=port, seed=seed, size=size, rate_limit=rate_limit, bare=bare, api_key=api_key)


# --- demo (issue 6): the whole pipeline on the sandbox ------------------------------------------

DEMO_MESSAGES = {
    "fr": {
        "start": "Réseau synthétique (graine {seed}, taille {size}) : {cooperatives} coopératives, {users} membres, {topics} sujets, {posts} messages.",
        "sandbox": "Bac à sable Discourse sur {url} ; configuration écrite dans {config}.",
        "step": "\n== {title} ==",
        "votes": "Les membres répondent au baromètre : {voters} votes dans {coops} coopératives ; sondages clos.",
        "done": "\nTerminé en {seconds:.0f} s. Rapport du réseau : {report}",
        "doctor": "Vérification du forum (campus doctor)",
        "provision": "Structure du forum (campus provision)",
        "members": "Membres dans leurs groupes (campus members)",
        "sync": "Copie de l'activité (campus sync)",
        "score": "Contributeurs du mois {month} (campus score --apply --yes)",
        "pulse_post": "Baromètre QVT du mois {month} (campus pulse post)",
        "pulse_collect": "Résultats du baromètre (campus pulse collect)",
        "report": "Rapports QVT du mois {month} (campus report)",
    },
    "en": {
        "start": "Synthetic network (seed {seed}, size {size}): {cooperatives} cooperatives, {users} members, {topics} topics, {posts} posts.",
        "sandbox": "Discourse sandbox at {url}; configuration written to {config}.",
        "step": "\n== {title} ==",
        "votes": "Members answer the pulse poll: {voters} votes in {coops} cooperatives; polls closed.",
        "done": "\nDone in {seconds:.0f} s. Network report: {report}",
        "doctor": "Checking the forum (campus doctor)",
        "provision": "Forum structure (campus provision)",
        "members": "Members into their groups (campus members)",
        "sync": "Mirroring the activity (campus sync)",
        "score": "Contributors of {month} (campus score --apply --yes)",
        "pulse_post": "QVT pulse poll for {month} (campus pulse post)",
        "pulse_collect": "Pulse results (campus pulse collect)",
        "report": "QVT reports for {month} (campus report)",
    },
}


def write_demo_files(out: Path, url: str, network) -> Path:
    """The demo's campus.toml and CSV files, next to its SQLite mirror and reports.

    Each demo serves a freshly generated forum, so a mirror left by an earlier demo in `out`
    (which also holds that run's pulse topics and published report) is removed first.
    """
    out.mkdir(parents=True, exist_ok=True)
    for leftover in out.glob("campus.db*"):
        leftover.unlink()
    (out / "cooperatives.csv").write_text(network.cooperatives_csv, encoding="utf-8")
    (out / "roster.csv").write_text(network.roster_csv, encoding="utf-8")
    config = out / "campus.toml"
    config.write_text(
        "# Configuration de la démonstration (bac à sable local, sans limite de requêtes)\n"
        f'[discourse]\nurl = "{url}"\nrequests_per_minute = 0\n\n'
        '[database]\nurl = "sqlite:///campus.db"\n\n'
        '[reports]\noutput_dir = "rapports"\n',
        encoding="utf-8",
    )
    return config


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo"),
    show_default=True,
    help="dossier de la démonstration (configuration, base, rapports)",
)
@click.option("--seed", type=int, default=1, show_default=True, help="graine du réseau synthétique")
@click.option(
    "--size", type=click.Choice(["small", "network"]), default="network", show_default=True
)
@click.pass_context
def demo(ctx: click.Context, out: Path, seed: int, size: str) -> None:
    """Bac à sable + réseau synthétique + toute la chaîne, de la structure au rapport."""
    from sandbox.network import generate
    from sandbox.pulse_votes import answer_open_polls
    from sandbox.server import SandboxServer

    def say(message: str, **values) -> None:
        click.echo(translate(DEMO_MESSAGES, message, **values))

    def step(title: str, command: click.Command, **params) -> None:
        say("step", title=translate(DEMO_MESSAGES, title, month=month))
        try:
            ctx.invoke(command, **params)
        except click.exceptions.Exit as stop:
            if stop.exit_code:
                raise

    started = time.monotonic()
    network = generate(seed, size)
    tz = ZoneInfo(NetworkSettings().timezone)
    month = (network.reference.astimezone(tz) - timedelta(seconds=1)).strftime("%Y-%m")
    say("start", seed=seed, size=size, cooperatives=len(network.cooperatives), **network.summary)
    with SandboxServer(network, rate_limit_per_minute=0, seed=seed) as server:
        config_path = write_demo_files(out, server.url, network)
        environ = {**os.environ, "CAMPUS_DISCOURSE_API_KEY": server.api_key}
        environ.pop("CAMPUS_DISCOURSE_URL", None)
        environ.pop("CAMPUS_DATABASE_URL", None)
        ctx.find_root().obj = load_config(config_path, environ=environ)
        say("sandbox", url=server.url, config=config_path)
        step("doctor", doctor)
        step("provision", provision)
        step("members", members)
        step("sync", sync_command)
        step("score", score_command, period=month, top=10, apply_=True, yes=True)
        step("pulse_post", pulse_post, month=month)
        voters = answer_open_polls(server.state, seed)
        say("votes", voters=sum(voters.values()), coops=len(voters))
        step("pulse_collect", pulse_collect, month=month)
        config = get_config(ctx)
        say("step", title=translate(DEMO_MESSAGES, "report", month=month))
        folder = Path(run_report(config, month)["folder"])
    say("done", seconds=time.monotonic() - started, report=folder / "network.html")


if __name__ == "__main__":
    main()
