"""`campus`: the command line, and the only place where configuration meets the packages.

Each command is a thin wrapper: it builds the settings of the packages it needs from campus.toml
and the environment, calls one library function, and prints its result (French first).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import signal
import sys
import time
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from analytics import indicators
from analytics import lab as lab_analytics
from analytics import score as score_engine
from analytics.lab import Design as LabDesign
from analytics.lab_settings import LabSettings
from analytics.relay_settings import RelaySettings
from analytics.settings import IndicatorSettings, RecognitionSettings, ScoreWeights
from core import config as configfile
from core import i18n
from core.config import Config
from core.errors import CampusError, InputError
from core.i18n import _, format_number, install_click_translations, localise_help
from core.progress import Progress
from core.secrets import scrub, scrub_log_handlers
from core.vocabulary import current_month, month_bounds, parse_period, shift_month
from reports import digest as digest_runner
from reports import jobs
from reports import lab as lab_report
from reports import lab_export as lab_export_files
from reports import lab_kit as lab_kit_files
from reports.digest_settings import DigestSettings
from reports.settings import ReportSettings
from sync.discourse.client import DiscourseAPI
from sync.discourse.settings import DiscourseSettings
from sync.discourse.transport import wait_message
from sync.forum import members as roster_sync
from sync.forum import provision as structure
from sync.forum import pulse, recognition
from sync.forum.doctor import exit_code, format_checks, run_doctor
from sync.forum.inputs import read_roster
from sync.forum.interventions import Intervention, find_intervention, read_interventions
from sync.forum.pulse import PulseSettings
from sync.mirror import pull as mirror
from sync.mirror import stats as mirror_stats
from sync.mirror.loader import load_forum
from sync.settings import (
    DatabaseSettings,
    ForumTemplate,
    MembersSettings,
    NetworkSettings,
    SyncSettings,
    WorkerSettings,
)
from sync.worker import Job, Worker
from web import create_app
from web import doctor as web_doctor
from web.serve import listening_message
from web.serve import serve as serve_app
from web.services import GroupNames, Services
from web.settings import WebSettings

log = logging.getLogger("campus")

# click's own texts (usage, --help, option errors) in the user's language, like Campus's
install_click_translations()

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
    "members": MembersSettings,
    "worker": WorkerSettings,
    # more sections are registered below by the packages' commands
}

# environment variable -> (section, key); secrets have no key in the file at all
ENV_OVERRIDES = {
    "CAMPUS_DISCOURSE_URL": ("discourse", "url"),
    "CAMPUS_DISCOURSE_API_USERNAME": ("discourse", "api_username"),
    "CAMPUS_DATABASE_URL": ("database", "url"),
}
# secret environment variable -> (section, key) of the settings that receive it
SECRET_FIELDS = {"CAMPUS_DISCOURSE_API_KEY": ("discourse", "api_key")}


# --- configuration -------------------------------------------------------------------------

# what campus.toml may hold (SECTIONS grows below as the packages' commands register theirs)
SCHEMA = configfile.ConfigSchema(SECTIONS, ENV_OVERRIDES, SECRET_FIELDS)


def load_config(path: Path, environ: typing.Mapping[str, str] | None = None) -> Config:
    """Read campus.toml at `path` (it may be absent: defaults apply) and the environment."""
    return configfile.load_config(path, SCHEMA, environ)


# --- command line --------------------------------------------------------------------------


class CampusGroup(click.Group):
    """Turns Campus errors into a message on stderr and their exit status (1 or 2); shows the
    help texts in the user's language."""

    def main(self, *args, **kwargs):
        localise_help(self)
        return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CampusError as error:
            click.echo(scrub(str(error)), err=True)
            ctx.exit(error.exit_code)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as error:  # a bug: one scrubbed line, the traceback with -vv only
            log.debug("unexpected error", exc_info=True)
            click.echo(
                scrub(
                    i18n._(
                        "Erreur inattendue ({kind}) : {error}. Relancez avec -vv pour le détail, "
                        "et signalez-la si elle revient.",
                        kind=type(error).__name__,
                        error=error,
                    )
                ),
                err=True,
            )
            ctx.exit(1)


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
    scrub_log_handlers(logging.getLogger())  # no secret in any log line
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
            raise InputError(
                _(
                    "{path} : fichier de configuration introuvable (vérifiez --config ou CAMPUS_CONFIG ; « campus init » en écrit un).",
                    path=root.obj.path,
                )
            )
        root.obj = load_config(root.obj.path)
    return root.obj


def discourse_settings(config: Config) -> DiscourseSettings:
    """The forum settings, refusing to go on without an API key."""
    settings = config["discourse"]
    if not settings.api_key:
        raise InputError(
            _(
                "La clé d'API manque : définissez la variable d'environnement CAMPUS_DISCOURSE_API_KEY (clé admin créée dans Discourse, Admin > API)."
            )
        )
    return settings


def open_client(config: Config) -> DiscourseAPI:
    """The Discourse client every command uses; rate-limit waits are announced on stderr."""
    return DiscourseAPI(
        discourse_settings(config),
        on_wait=lambda seconds, reason: click.echo(wait_message(seconds, reason), err=True),
    )


json_option = click.option(
    "--json", "as_json", is_flag=True, help="un objet JSON sur la sortie standard"
)


def echo_result(as_json: bool, data: object, describe: typing.Callable[[], str]) -> None:
    """The one way a command prints its result: with `--json`, one JSON object on stdout (DESIGN
    §3); otherwise the readable text `describe()` returns."""
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        click.echo(describe())


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Écrire un campus.toml commenté et des fichiers CSV d'exemple."""
    configfile.write_init(directory, SECTIONS)
    click.echo(
        _(
            "Fichiers écrits dans {dir} : campus.toml, cooperatives.csv, roster.csv.\nDéfinissez CAMPUS_DISCOURSE_API_KEY puis lancez « campus doctor ».",
            dir=directory,
        )
    )


@main.command()
@click.pass_context
def doctor(ctx: click.Context) -> None:
    """Vérifier l'adresse, la clé, les droits admin, les plugins et la limite de requêtes."""
    config = get_config(ctx)
    client = open_client(config)
    checks = run_doctor(client)
    click.echo(format_checks(checks))
    forum_ok = exit_code(checks) == 0
    click.echo(
        "\n" + web_doctor.web_report(os.environ, config["web"], client if forum_ok else None)
    )
    ctx.exit(exit_code(checks))


# --- commands of the packages are registered below ------------------------------------------


@contextlib.contextmanager
def stderr_progress(ctx: click.Context) -> Iterator[Progress]:
    """Where a long command shows its progress: a bar with the time left on a terminal, a line a
    minute without one, every line with -v (all on stderr)."""
    stream = sys.stderr
    verbose = bool(ctx.find_root().params.get("verbose"))
    progress = Progress(stream, terminal=stream.isatty(), verbose=verbose)
    try:
        yield progress
    finally:
        progress.close()


@main.command()
@click.option("--dry-run", is_flag=True, help="montrer le plan sans rien écrire sur le forum")
@json_option
@click.option(
    "--check-permissions",
    is_flag=True,
    help="relire les permissions de chaque catégorie (une requête par catégorie)",
)
@click.option(
    "--yes",
    is_flag=True,
    help="appliquer sans demander les changements qui touchent à ce que les membres utilisent",
)
@click.pass_context
def provision(
    ctx: click.Context, dry_run: bool, as_json: bool, check_permissions: bool, yes: bool
) -> None:
    """Créer et tenir à jour groupes et catégories des coopératives (cooperatives.csv)."""
    config = get_config(ctx)
    template = config["template"]
    cooperatives = structure.load_cooperatives(
        config.resolve(config["network"].cooperatives), template
    )
    client = open_client(config)
    with stderr_progress(ctx) as progress:
        plan = structure.run_provision(
            client,
            cooperatives,
            template,
            dry_run=dry_run,
            check_permissions=check_permissions,
            progress=progress.line,
            confirm=_confirm_sensitive(yes),
            steps=progress.step,
        )
    counts = {"requests": client.total_requests, "writes": client.write_requests}
    verbose = bool(ctx.find_root().params.get("verbose"))
    echo_result(
        as_json,
        structure.plan_json(plan, dry_run=dry_run, **counts),
        lambda: (
            structure.format_plan(plan, show_unchanged=verbose)
            + "\n"
            + structure.describe_run(
                plan, dry_run=dry_run, adopt_existing=template.adopt_existing, **counts
            )
        ),
    )


def stdin_is_terminal() -> bool:
    """Whether a person can answer a question (not a script, a pipe or cron)."""
    return sys.stdin.isatty()


def _confirm_sensitive(yes: bool):
    """`--yes` applies changes that touch what members use; a person at a terminal is asked;
    without a terminal they are held (never a silent default)."""
    if yes:
        return lambda plan: True
    if not stdin_is_terminal():
        return None

    def ask(plan: structure.Plan) -> bool:
        click.echo(structure.format_sensitive(plan), err=True)
        return click.confirm(_("Appliquer aussi ces changements ?"), default=False, err=True)

    return ask


@main.command()
@click.option("--dry-run", is_flag=True, help="montrer les changements sans rien écrire")
@json_option
@click.option("--prune", is_flag=True, help="retirer des groupes les membres absents du fichier")
@click.option("--invite", is_flag=True, help="inviter par e-mail les personnes inconnues du forum")
@click.option("--yes", is_flag=True, help="avec --prune : retirer sans demander confirmation")
@click.pass_context
def members(
    ctx: click.Context, dry_run: bool, as_json: bool, prune: bool, invite: bool, yes: bool
) -> None:
    """Inscrire chaque membre de roster.csv dans le groupe de sa coopérative et de son rôle."""
    config = get_config(ctx)
    template = config["template"]
    cooperatives = structure.load_cooperatives(
        config.resolve(config["network"].cooperatives), template
    )
    roster = read_roster(config.resolve(config["network"].roster), cooperatives)
    client = open_client(config)
    with stderr_progress(ctx) as progress:
        plan, result = roster_sync.run_members(
            client,
            roster,
            cooperatives,
            template,
            dry_run=dry_run,
            prune=prune,
            invite=invite,
            progress=progress.line,
            steps=progress.step,
            confirm=lambda plan: confirm_removals(plan, yes),
            confirm_above=config["members"].confirm_above,
        )
    data = roster_sync.members_json(
        plan, result, dry_run=dry_run, requests=client.total_requests, writes=client.write_requests
    )
    echo_result(as_json, data, lambda: roster_sync.format_members(plan, result, dry_run=dry_run))


def confirm_removals(plan: roster_sync.MembersPlan, yes: bool) -> bool:
    """Show on stderr who `--prune` would remove, then: `--yes` goes on, a person at a terminal
    decides, and without a terminal the run is refused (exit 2) rather than guessed."""
    click.echo(plan.describe_removals(), err=True)
    if yes:
        return True
    if not stdin_is_terminal():
        raise InputError(
            i18n._(
                "Retraits non confirmés : rien n'a été modifié. Relancez dans un terminal pour "
                "confirmer, ou ajoutez --yes si ce retrait est voulu (scripts)."
            )
        )
    return click.confirm(i18n._("Retirer ces personnes de ces groupes ?"), err=True)


@main.command(name="sync")
@click.option("--full", is_flag=True, help="tout relire (sinon : seulement ce qui a changé)")
@json_option
@click.pass_context
def sync_command(ctx: click.Context, full: bool, as_json: bool) -> None:
    """Copier l'activité du forum dans la base locale (incrémental par défaut)."""
    config = get_config(ctx)
    with stderr_progress(ctx) as progress:
        summary = jobs.run_sync(campus(config), full=full, progress=progress.line)
    echo_result(as_json, summary.as_json(), lambda: mirror.format_summary(summary))


@main.command(name="stats")
@json_option
@click.pass_context
def stats_command(ctx: click.Context, as_json: bool) -> None:
    """Montrer ce que contient la base locale et la date de la dernière synchronisation."""
    config = get_config(ctx)
    result = mirror_stats.database_stats(config.database_url)
    echo_result(
        as_json, result, lambda: mirror_stats.format_stats(result, config["network"].timezone)
    )


# --- report, pulse, worker (issue 6) ----------------------------------------------------------


def _month_option(default_help: str):
    return click.option("--month", help=f"mois AAAA-MM (défaut : {default_help})")


def _report_month(config: Config, month: str | None) -> str:
    """The month asked for (checked: exit 2 before anything is opened), else last month."""
    tz = config["network"].timezone
    if month is not None:
        month_bounds(month, tz)
    return month or shift_month(current_month(tz), -1)


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
    result = jobs.run_report(
        campus(config),
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
            "action": _("publié") if result["published"]["action"] == "created" else _("mis à jour")
        }
        click.echo(
            _("Rapport {action} dans le sujet {topic_id} « {title} ».", **published), err=True
        )


@main.group(name="pulse")
def pulse_group() -> None:
    """Baromètre QVT mensuel anonyme : ouvrir, suivre, clore un mois."""


def _pulse_month(config: Config, month: str | None) -> str:
    """The month named by --month (checked: exit 2 if malformed), else the current one."""
    tz = config["network"].timezone
    if month is None:
        return current_month(tz)
    month_bounds(month, tz)
    return month.strip()


@pulse_group.command(name="post")
@_month_option("le mois en cours")
@json_option
@click.pass_context
def pulse_post(ctx, month, as_json) -> None:
    """Ouvrir le baromètre du mois et l'annoncer dans la catégorie de chaque coopérative."""
    config = get_config(ctx)
    if not config["pulse"].anonymous:
        click.echo(pulse.not_anonymous_warning(), err=True)
    data = jobs.run_pulse_post(campus(config), _pulse_month(config, month))
    echo_result(as_json, data, lambda: pulse.describe_posted(data))


@pulse_group.command(name="status")
@_month_option("le mois en cours")
@json_option
@click.pass_context
def pulse_status(ctx, month, as_json) -> None:
    """Participation et moyennes du mois, par coopérative (masquées sous min_group_size)."""
    config = get_config(ctx)
    data = jobs.pulse_status(campus(config), _pulse_month(config, month))
    min_group_size = config["reports"].min_group_size
    echo_result(as_json, data, lambda: "\n".join(pulse.describe_status(data, min_group_size)))


@pulse_group.command(name="close")
@_month_option("le mois dernier")
@json_option
@click.pass_context
def pulse_close(ctx, month, as_json) -> None:
    """Clore un mois : plus de réponse, dernières réponses comptées, liste des répondants effacée."""
    config = get_config(ctx)
    month = _report_month(config, month) if month is None else _pulse_month(config, month)
    data = jobs.run_pulse_close(campus(config), month)
    echo_result(as_json, data, lambda: pulse.describe_closed(data))
    if data["uncounted"] and not as_json:
        click.echo(pulse.describe_uncounted(data["uncounted"]), err=True)


@pulse_group.command(name="collect")
@_month_option("le mois dernier")
@json_option
@click.pass_context
def pulse_collect(ctx, month, as_json) -> None:
    """Mode « discourse_polls » seulement (non anonyme) : lire les totaux des sondages clos."""
    config = get_config(ctx)
    if config["pulse"].anonymous:
        raise InputError(pulse.collect_refused())
    click.echo(pulse.not_anonymous_warning(), err=True)
    month = _report_month(config, month)
    outcome, data = jobs.run_pulse_collect(campus(config), month)
    echo_result(as_json, data, lambda: jobs.pulse_collected_line(outcome, month))


def campus(config: Config) -> jobs.Campus:
    """The plain values the runs need, from the configuration (the database by its URL)."""
    return jobs.Campus(
        database_url=config.database_url,
        open_client=lambda: open_client(config),
        cooperatives_csv=config.resolve(config["network"].cooperatives),
        timezone=config["network"].timezone,
        forum_url=config["discourse"].url,
        barometer_url=config["web"].base_url.rstrip("/") + "/barometre",
        scores_dir=config.base_dir / "scores",
        reports_dir=config.resolve(config["reports"].output_dir),
        template=config["template"],
        sync=config["sync"],
        score=config["score"],
        indicators=config["indicators"],
        reports=config["reports"],
        pulse=config["pulse"],
        relay=config["relay"],
        digest=config["digest"],
        worker=config["worker"],
    )


def worker_jobs(config: Config) -> list[Job]:
    """The worker's jobs (see `reports.jobs.worker_jobs`)."""
    return jobs.worker_jobs(campus(config))


@main.command(name="worker")
@click.option("--once", is_flag=True, help="lancer chaque tâche une fois puis s'arrêter")
@click.pass_context
def worker_command(ctx, once) -> None:
    """Synchroniser toutes les heures, scorer chaque jour, baromètre et rapport le 1er du mois."""
    config = get_config(ctx)
    worker = Worker(worker_jobs(config), config.database_url, tz=config["network"].timezone)
    if once:
        records = worker.run_once()
        outcomes = {
            "ok": _("réussi"),
            "failed": _("échec"),
            "skipped": _("sauté (verrou pris par une autre exécution)"),
        }
        for record in records:
            click.echo(
                _(
                    "{job} : {outcome} ({seconds} s). {detail}",
                    job=record.job,
                    outcome=outcomes[record.outcome],
                    seconds=format_number(record.seconds),
                    detail=record.detail,
                ).rstrip()
            )
        ctx.exit(1 if any(record.outcome == "failed" for record in records) else 0)
    worker.run_forever()


# --- score (issue 5) ----------------------------------------------------------------------------


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
        raise InputError(
            _(
                "--apply propose les N premiers du score général : il ne se combine pas avec"
                " --by-theme (--by-category)."
            )
        )
    if username and (apply_ or by_theme):
        raise InputError(
            _("--user explique une ligne du score général : sans --apply ni --by-theme.")
        )
    config = get_config(ctx)
    start, end = parse_period(period, config["network"].timezone, datetime.now(UTC))
    forum = load_forum(campus(config).engine, score_only=True)
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
        click.echo(_("Personne à proposer sur cette période."), err=True)
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
    if not yes and not click.confirm(
        _("Appliquer ces changements sur le forum (y : oui, n : non) ?"), err=True
    ):
        click.echo(_("Annulé : rien n'a été modifié sur le forum."), err=True)
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


# --- web service (issue 10) ---------------------------------------------------------------------

SECTIONS["web"] = WebSettings

# Services field -> environment variable; secrets never come from campus.toml
WEB_SECRETS = {
    "web_secret": "CAMPUS_WEB_SECRET",
    "connect_secret": "CAMPUS_DISCOURSE_CONNECT_SECRET",
    "webhook_secret": "CAMPUS_WEBHOOK_SECRET",
}


def web_secrets(environ: typing.Mapping[str, str] | None = None) -> dict[str, str]:
    """The web service's three secrets from the environment (exit 2 naming what to set)."""
    environ = os.environ if environ is None else environ
    values, problems = {}, []
    for field_name, variable in WEB_SECRETS.items():
        value = environ.get(variable, "")
        problem = web_doctor.secret_problem(variable, value)
        if problem:
            problems.append(problem)
        values[field_name] = value
    if problems:
        raise InputError("\n".join([*problems, web_doctor.secret_hint()]))
    return values


def web_services(config: Config, environ: typing.Mapping[str, str] | None = None) -> Services:
    """Everything the web application needs, from the configuration and the environment."""
    secrets = web_secrets(environ)
    discourse_settings(config)  # the opt-out of « Mes données » writes through the API
    template = config["template"]
    path = config.resolve(config["network"].cooperatives)
    cooperatives = (
        {coop.slug: coop.name for coop in structure.load_cooperatives(path, template)}
        if path.exists()
        else {}
    )
    return Services(
        engine=campus(config).engine,
        web=config["web"],
        discourse_url=config["discourse"].url,
        client_factory=lambda: open_client(config),
        timezone=config["network"].timezone,
        min_group_size=config["reports"].min_group_size,
        reports_dir=config.resolve(config["reports"].output_dir),
        groups=GroupNames(
            role_groups=dict(template.role_groups),
            optout=template.optout_group,
            transformers=template.transformers_group,
            cooperatives=cooperatives,
        ),
        score=config["score"],
        pulse=config["pulse"],
        **secrets,
    )


@main.command(name="serve")
@click.option("--host", help="adresse d'écoute (défaut : [web] host)")
@click.option("--port", type=click.IntRange(1, 65535), help="port d'écoute (défaut : [web] port)")
@click.pass_context
def serve_command(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Lancer le service web (connexion par le forum, rapports, « Mes données »)."""
    config = get_config(ctx)
    settings: WebSettings = config["web"]
    app = create_app(web_services(config))
    host, port = host or settings.host, port or settings.port
    click.echo(listening_message(host, port, settings.base_url), err=True)
    # SIGTERM ends like Ctrl-C, so exit hooks run (the barometer pools the answers it holds)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    serve_app(app, host, port, threads=settings.threads)


def demo_web(config: Config, sandbox, network, month: str, *, serve: bool) -> bool:
    """Serve Campus beside the demo's sandbox (its DiscourseConnect provider on), log a
    director and a member in over real HTTP; with `serve`, keep both running until Ctrl+C.

    Returns whether every page answered 200. Secrets are the environment's, else random ones
    made for this run only (never printed)."""
    import secrets as random_secrets

    from web import demo as web_demo
    from web.serve import serve_in_background
    from web.settings import WebSettings as _WebSettings

    environ = dict(os.environ)
    for variable in WEB_SECRETS.values():
        if not environ.get(variable):
            environ[variable] = random_secrets.token_hex(32)
    port = config["web"].port if serve and _port_is_free(config["web"].port) else _free_port()
    url = f"http://127.0.0.1:{port}"
    config.sections["web"] = dataclasses.replace(config["web"], base_url=url, proxies=0)
    assert isinstance(config["web"], _WebSettings)
    sandbox.enable_connect(environ["CAMPUS_DISCOURSE_CONNECT_SECRET"])
    click.echo("\n== " + web_demo.heading() + " ==")
    services = web_services(config, environ)
    server = serve_in_background(create_app(services), "127.0.0.1", port)
    sandbox.configure_webhooks(url + "/webhooks/discourse", environ["CAMPUS_WEBHOOK_SECRET"])
    forum = network.forum

    def members(name: str) -> list:
        group = forum.group_by_name(name)
        return [forum.users[i] for i in sorted(forum.group_member_ids(group))] if group else []

    directors, entrepreneurs = members("directions"), members("entrepreneurs")
    director = directors[0]
    coop = next(
        slug for slug in services.groups.cooperatives_of(g.name for g in forum.groups_of(director))
    )
    member = next(user for user in entrepreneurs if user not in directors)
    animator = next(user for user in forum.users.values() if user.admin and user.id > 0)
    try:
        visits = [
            web_demo.visit(
                url,
                sandbox.login_as,
                director.username,
                _web_role("direction", coop),
                ["/rapports", f"/rapports/{month}/reseau", f"/rapports/{month}/{coop}"],
            ),
            web_demo.visit(
                url,
                sandbox.login_as,
                member.username,
                _web_role("entrepreneur", None),
                ["/moi", "/moi/donnees.json"],
            ),
        ]
        for result in visits:
            click.echo(web_demo.describe(result))
        sandbox.login_as(None)
        if serve:
            people = [
                (animator.username, _web_role("admin", None)),
                (director.username, _web_role("direction", coop)),
                (member.username, _web_role("entrepreneur", None)),
            ]
            click.echo(web_demo.serve_banner(url, people))
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
        return all(result.ok for result in visits)
    finally:
        server.close()
        services.engine.dispose()


def _web_role(role: str, coop: str | None) -> str:
    from web.demo import role_label

    return role_label(role, coop)


def _port_is_free(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- demo (issue 6): the whole pipeline on the sandbox ------------------------------------------


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
        f"[discourse]\nurl = {configfile.toml_value(url)}\nrequests_per_minute = 0\n\n"
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
@click.option(
    "--serve", is_flag=True, help="garder le bac à sable et le service web ouverts à la fin"
)
@click.pass_context
def demo(ctx: click.Context, out: Path, seed: int, size: str, serve: bool) -> None:
    """Bac à sable + réseau synthétique + toute la chaîne, de la structure au rapport."""
    from sandbox.network import generate
    from sandbox.pulse_votes import barometer_answers
    from sandbox.server import SandboxServer

    def step(title: str, command: click.Command, **params) -> None:
        click.echo(f"\n== {title} ==")
        try:
            ctx.invoke(command, **params)
        except click.exceptions.Exit as stop:
            if stop.exit_code:
                raise

    started = time.monotonic()
    network = generate(seed, size, activity=False)
    tz = ZoneInfo(NetworkSettings().timezone)
    month = (network.reference.astimezone(tz) - timedelta(seconds=1)).strftime("%Y-%m")
    click.echo(
        _(
            "Réseau synthétique (graine {seed}, taille {size}) : {cooperatives} coopératives,"
            " {users} membres.",
            seed=seed,
            size=size,
            cooperatives=format_number(len(network.cooperatives), 0),
            users=format_number(network.summary["users"], 0),
        )
    )
    with SandboxServer(network, rate_limit_per_minute=0, seed=seed) as server:
        config_path = write_demo_files(out, server.url, network)
        environ = {**os.environ, "CAMPUS_DISCOURSE_API_KEY": server.api_key}
        environ.pop("CAMPUS_DISCOURSE_URL", None)
        environ.pop("CAMPUS_DATABASE_URL", None)
        ctx.find_root().obj = load_config(config_path, environ=environ)
        click.echo(
            _(
                "Bac à sable Discourse sur {url} : les comptes existent, ni groupes ni catégories"
                " de coopérative ; configuration écrite dans {config}.",
                url=server.url,
                config=config_path,
            )
        )
        step(_("Vérification du forum (campus doctor)"), doctor)
        step(_("Structure du forum (campus provision)"), provision)
        step(_("Membres dans leurs groupes (campus members)"), members)
        summary = network.add_activity()
        click.echo(
            _(
                "\nLe bac à sable simule un an d'activité : {topics} sujets, {posts} messages.",
                topics=format_number(summary["topics"], 0),
                posts=format_number(summary["posts"], 0),
            )
        )
        step(_("Copie de l'activité (campus sync)"), sync_command)
        step(
            _("Contributeurs du mois {month} (campus score --apply --yes)", month=month),
            score_command,
            period=month,
            top=10,
            apply_=True,
            yes=True,
        )
        step(
            _("Baromètre QVT du mois {month} (campus pulse post)", month=month),
            pulse_post,
            month=month,
        )
        config = get_config(ctx)
        closed = jobs.answer_barometer(campus(config), month, barometer_answers(server.state, seed))
        click.echo(pulse.describe_closed(closed))
        report_title = _("Rapports QVT du mois {month} (campus report)", month=month)
        click.echo(f"\n== {report_title} ==")
        folder = Path(jobs.run_report(campus(config), month)["folder"])
        web_ok = demo_web(config, server, network, month, serve=serve)
    click.echo(
        _(
            "\nTerminé en {seconds} s. Rapport du réseau : {report}",
            seconds=format_number(time.monotonic() - started, 0),
            report=folder / "network.html",
        )
    )
    if not web_ok:
        ctx.exit(1)


# --- relay and digest (issue 14) ----------------------------------------------------------------

SECTIONS["relay"] = RelaySettings


@main.command(name="relay")
@click.option("--dry-run", is_flag=True, help="montrer qui serait sollicité, sans rien envoyer")
@json_option
@click.pass_context
def relay_command(ctx: click.Context, dry_run: bool, as_json: bool) -> None:
    """Suggérer les questions restées sans réponse à des volontaires (groupe campus-relais)."""
    outcome = jobs.run_relay(campus(get_config(ctx)), dry_run)
    echo_result(as_json, outcome.as_json(), outcome.describe)


SECTIONS["digest"] = DigestSettings


@main.command(name="digest")
@_month_option("le mois dernier")
@click.option("--coop", help="le récapitulatif d'une coopérative (slug), dans sa catégorie")
@click.option("--publish", is_flag=True, help="publier (ou mettre à jour) le sujet wiki du mois")
@click.pass_context
def digest_command(ctx: click.Context, month: str | None, coop: str | None, publish: bool) -> None:
    """Ce que le réseau a appris : les questions résolues du mois, par thème (Markdown)."""
    config = get_config(ctx)
    month = _report_month(config, month)
    digest, published = jobs.run_digest(campus(config), month, coop, publish)
    if published is None:
        click.echo(f"# {digest.title}\n\n{digest.markdown}")
    else:
        click.echo(digest_runner.describe_publication(published))


# --- the QVT lab (DESIGN §11) ---------------------------------------------------------------

SECTIONS["lab"] = LabSettings


def lab_design(settings: LabSettings) -> LabDesign:
    """The estimator's limits and bootstrap from the [lab] section."""
    return LabDesign(
        min_treated=settings.min_treated,
        min_controls=settings.min_controls,
        min_pre_months=settings.min_pre_months,
        min_post_months=settings.min_post_months,
        draws=settings.bootstrap_draws,
        seed=settings.seed,
    )


def lab_interventions(config: Config) -> list[Intervention]:
    """interventions.csv, validated against cooperatives.csv (exit 2 on any bad row)."""
    path = config.resolve(config["lab"].interventions)
    cooperatives = structure.load_cooperatives(
        config.resolve(config["network"].cooperatives), config["template"]
    )
    return read_interventions(path, cooperatives)


new_folder_option = click.option(
    "--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="nouveau dossier"
)


@main.group(name="lab")
def lab_group() -> None:
    """Labo QVT : évaluer une intervention, exporter pour la recherche, kit RGPD."""


@lab_group.command(name="evaluate")
@click.argument("name")
@click.option(
    "--outcome",
    "outcomes",
    multiple=True,
    help="indicateur à évaluer (répétable ; défaut : réponses en 48 h, délai de première "
    "réponse, part des 10 % les plus actifs, messages hors horaires, baromètre)",
)
@json_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="dossier de sortie")
@click.option("--lang", type=click.Choice(["fr", "en"]), help="langue (défaut : [reports] lang)")
@click.pass_context
def lab_evaluate(ctx, name, outcomes, as_json, out, lang) -> None:
    """Estimer l'effet d'une intervention sur les indicateurs du rapport (différence de différences)."""
    config = get_config(ctx)
    settings: ReportSettings = config["reports"]
    tz = config["network"].timezone
    intervention = find_intervention(lab_interventions(config), name)
    outcomes = list(outcomes) or list(lab_analytics.default_outcomes())
    design = lab_design(config["lab"])
    activity = indicators.Activity(load_forum(campus(config).engine), tz, settings.min_group_size)
    until = shift_month(current_month(tz), -1)
    results = lab_report.run_evaluation(
        activity,
        intervention,
        outcomes,
        design,
        min_group_size=settings.min_group_size,
        until=until,
    )
    lang = lang or settings.lang
    data = lab_report.evaluation_json(intervention, results, design, lang)
    folder = None
    if out or not as_json:
        folder = out or config.resolve(settings.output_dir) / "labo" / lab_report.slug_of(name)
        lab_report.write_evaluation(
            data,
            results,
            folder,
            lang=lang,
            tz=tz,
            generated_at=datetime.now(UTC),
            min_group_size=settings.min_group_size,
        )
    echo_result(as_json, data, lambda: f"{data['verdict']}\n{folder}")


@lab_group.command(name="export")
@new_folder_option
@click.pass_context
def lab_export(ctx, out) -> None:
    """Écrire un extrait pseudonymisé pour un laboratoire partenaire (clé CAMPUS_RESEARCH_KEY)."""
    key = lab_export_files.research_key(os.environ.get("CAMPUS_RESEARCH_KEY"))
    config = get_config(ctx)
    settings: ReportSettings = config["reports"]
    lab: LabSettings = config["lab"]
    tz = config["network"].timezone
    activity = indicators.Activity(load_forum(campus(config).engine), tz, settings.min_group_size)
    until = shift_month(current_month(tz), -1)
    lab_export_files.write_export(
        activity,
        lab_analytics.mirror_months(activity, until),
        out,
        key,
        min_group_size=settings.min_group_size,
        generated_at=datetime.now(UTC),
        network_name=lab.network_name,
        dpo_contact=lab.dpo_contact,
        research_partner=lab.research_partner,
        optout_group=config["template"].optout_group,
    )
    click.echo(out)


@lab_group.command(name="kit")
@new_folder_option
@click.pass_context
def lab_kit(ctx, out) -> None:
    """Écrire les brouillons RGPD pour le DPO : notice, registre, AIPD, note au CSE."""
    config = get_config(ctx)
    lab: LabSettings = config["lab"]
    coops_path = config.resolve(config["network"].cooperatives)
    cooperatives = (
        len(structure.load_cooperatives(coops_path, config["template"]))
        if coops_path.is_file()
        else None
    )
    values = lab_kit_files.KitValues(
        network_name=lab.network_name,
        controller=lab.controller,
        dpo_contact=lab.dpo_contact,
        research_partner=lab.research_partner,
        retention=lab.retention,
        forum_url=config["discourse"].url,
        timezone=config["network"].timezone,
        min_group_size=config["reports"].min_group_size,
        optout_group=config["template"].optout_group,
        transformers_group=config["template"].transformers_group,
        cooperatives=cooperatives,
        statements=tuple(config["pulse"].statements.values()),
    )
    for path in lab_kit_files.write_kit(values, out):
        click.echo(path)


if __name__ == "__main__":
    main()
