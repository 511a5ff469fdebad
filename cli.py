"""`campus`: the command line, the composition root. It reads campus.toml and the environment into
one `Campus` context per invocation; each command parses its options, calls one run of `app/` (or
the web service) and prints the result (French first)."""

from __future__ import annotations

import os
import typing
from pathlib import Path

import click

from analytics.settings import (
    IndicatorSettings,
    LabSettings,
    RecognitionSettings,
    RelaySettings,
    ScoreWeights,
)
from app import barometer, lab, maintenance, report, score
from app import digest as digest_run
from app import doctor as forum_doctor
from app import duerp as duerp_app
from app import members as roster
from app import provision as structure
from app import relay as relay_run
from app import sync as mirror_sync
from app import worker as schedule
from cli_support import (
    CampusGroup,
    Invocation,
    apply_recognition,
    campus_of,
    configure_logging,
    confirm_removals,
    confirm_sensitive,
    echo_result,
    json_option,
    month_option,
    new_folder_option,
    run_step,
    stderr_progress,
    verbose_of,
)
from core import config as configfile
from core.config import Config
from core.errors import InputError
from core.i18n import _
from core.log_format import FORMATS as LOG_FORMATS
from core.secrets import read_secret
from reports.digest_text import describe_publication
from reports.settings import DigestSettings, ReportSettings
from sync.discourse.settings import DiscourseSettings
from sync.forum import barometer_topics
from sync.forum.barometer_topics import PulseSettings
from sync.mirror.pull import format_summary
from sync.settings import (
    DatabaseSettings,
    ForumTemplate,
    MembersSettings,
    NetworkSettings,
    SyncSettings,
    WorkerSettings,
)
from web import web_checks as web_doctor
from web.serve import serve_campus
from web.settings import WebSettings

# campus.toml's tables, in the order `campus init` writes them; each class names its own table
SECTIONS: dict[str, type] = {
    cls.SECTION: cls
    for cls in (
        DiscourseSettings,
        DatabaseSettings,
        NetworkSettings,
        SyncSettings,
        ForumTemplate,
        ScoreWeights,
        IndicatorSettings,
        ReportSettings,
        PulseSettings,
        RecognitionSettings,
        MembersSettings,
        WorkerSettings,
        WebSettings,
        RelaySettings,
        DigestSettings,
        LabSettings,
    )
}

SCHEMA = configfile.ConfigSchema.of(SECTIONS)
SANDBOX_SIZES = ["small", "network", "sparse"]  # the synthetic networks of `sandbox` and `demo`


def load_config(path: Path, environ: typing.Mapping[str, str] | None = None) -> Config:
    """Read campus.toml at `path` (it may be absent: defaults apply) and the environment."""
    return configfile.load_config(path, SCHEMA, environ)


@click.group(cls=CampusGroup)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="campus.toml (défaut : $CAMPUS_CONFIG, sinon ./campus.toml)",
)
@click.option("-v", "--verbose", count=True, help="plus de détails sur stderr")
@click.option(
    "--log-format",
    type=click.Choice(LOG_FORMATS),
    default="text",
    envvar="CAMPUS_LOG_FORMAT",
    show_default=True,
    help="journal sur stderr : texte, ou une ligne JSON par événement (json)",
)
@click.pass_context
def main(ctx: click.Context, config_path: Path | None, verbose: int, log_format: str) -> None:
    """Campus : le campus numérique du réseau de CAE, à côté de Discourse."""
    configure_logging(verbose, log_format)
    named = config_path or os.environ.get("CAMPUS_CONFIG")
    ctx.obj = Invocation(Path(named or "campus.toml"), required=bool(named), load=load_config)


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
    """Vérifier la configuration, les fichiers CSV, le forum et le service web."""
    campus = campus_of(ctx)
    forum = forum_doctor.check_forum(campus)
    web = web_doctor.web_report(os.environ, campus["web"], forum.client)
    click.echo(forum.text)
    click.echo("\n" + web.text)
    click.echo("\n" + forum_doctor.verdict(forum, web.warnings))
    ctx.exit(forum.status)


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
    campus = campus_of(ctx)
    with stderr_progress(ctx) as progress:
        run = structure.run(
            campus,
            dry_run=dry_run,
            check_permissions=check_permissions,
            confirm=confirm_sensitive(yes),
            progress=progress,
        )
    adopt = campus["template"].adopt_existing
    echo_result(
        as_json, run.as_json(), lambda: run.describe(adopt_existing=adopt, verbose=verbose_of(ctx))
    )


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
    campus = campus_of(ctx)
    with stderr_progress(ctx) as progress:
        run = roster.run(
            campus,
            dry_run=dry_run,
            prune=prune,
            invite=invite,
            confirm=lambda plan: confirm_removals(plan, yes),
            progress=progress,
        )
    echo_result(as_json, run.as_json(), run.describe)


@main.command(name="sync")
@click.option("--full", is_flag=True, help="tout relire (sinon : seulement ce qui a changé)")
@json_option
@click.pass_context
def sync_command(ctx: click.Context, full: bool, as_json: bool) -> None:
    """Copier l'activité du forum dans la base locale (incrémental par défaut)."""
    campus = campus_of(ctx)
    campus.allow_new_mirror()
    with stderr_progress(ctx) as progress:
        summary = mirror_sync.run(campus, full=full, progress=progress.line)
    echo_result(as_json, summary.as_json(), lambda: format_summary(summary))


@main.command(name="stats")
@json_option
@click.pass_context
def stats_command(ctx: click.Context, as_json: bool) -> None:
    """Montrer ce que contient la base locale et la date de la dernière synchronisation."""
    campus = campus_of(ctx)
    result = mirror_sync.stats(campus)
    echo_result(as_json, result, lambda: mirror_sync.describe_stats(campus, result))


@main.command(name="migrate")
@click.pass_context
def migrate_command(ctx: click.Context) -> None:
    """Mettre à jour le schéma de la base (après une sauvegarde) : la seule commande qui le change."""
    maintenance.migrate(campus_of(ctx), click.echo)


@main.command(name="backup")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="fichier à écrire (défaut : campus-<version>-<date UTC>.backup à côté de la base)",
)
@click.pass_context
def backup_command(ctx: click.Context, out: Path | None) -> None:
    """Écrire une copie cohérente de la base (SQLite : sauvegarde en ligne ; PostgreSQL : pg_dump)."""
    click.echo(maintenance.backup(campus_of(ctx), out))


@main.command(name="report")
@month_option("le mois dernier")
@click.option("--coop", help="une seule coopérative (slug), en plus du réseau")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="dossier de sortie")
@click.option("--lang", type=click.Choice(["fr", "en"]), help="langue (défaut : [reports] lang)")
@click.option("--publish", is_flag=True, help="publier le rapport du réseau dans « Direction »")
@click.option("--pdf", "with_pdf", is_flag=True, help="imprimer aussi network.pdf (Chromium)")
@click.option("--partial", is_flag=True, help="accepter le mois en cours (rapport provisoire)")
@click.option(
    "--duerp",
    is_flag=True,
    help="n'écrire que les projets de DUERP (risques psychosociaux) des coopératives, en .odt",
)
@click.pass_context
def report_command(ctx, month, coop, out, lang, publish, with_pdf, partial, duerp) -> None:
    """Écrire les rapports QVT du mois (réseau et coopératives) : HTML, Markdown, CSV, JSON, PDF."""
    campus = campus_of(ctx)
    if duerp:
        if publish or with_pdf or partial:
            raise InputError(duerp_app.refused_options())
        written = duerp_app.run(
            campus, campus.month_or_previous(month), coop=coop, out=out, lang=lang
        )
        click.echo(written["folder"])
        return
    result = report.run(
        campus,
        campus.month_or_previous(month),
        coop=coop,
        out=out,
        lang=lang,
        publish=publish,
        partial=partial,
        with_pdf=with_pdf,
    )
    click.echo(result["folder"])
    if "published" in result:
        click.echo(report.describe_published(result["published"]), err=True)


@main.group(name="pulse")
def pulse_group() -> None:
    """Baromètre QVT mensuel anonyme : ouvrir, suivre, clore un mois."""


@pulse_group.command(name="post")
@month_option("le mois en cours")
@json_option
@click.pass_context
def pulse_post(ctx, month, as_json) -> None:
    """Ouvrir le baromètre du mois et l'annoncer dans la catégorie de chaque coopérative."""
    campus = campus_of(ctx)
    if not campus["pulse"].anonymous:
        click.echo(barometer_topics.not_anonymous_warning(), err=True)
    data = barometer.post(campus, campus.month_or_current(month))
    echo_result(as_json, data, lambda: barometer_topics.describe_posted(data))


@pulse_group.command(name="status")
@month_option("le mois en cours")
@json_option
@click.pass_context
def pulse_status(ctx, month, as_json) -> None:
    """Participation et moyennes du mois, par coopérative (masquées sous min_group_size)."""
    campus = campus_of(ctx)
    data = barometer.status(campus, campus.month_or_current(month))
    min_group_size = campus["reports"].min_group_size
    echo_result(
        as_json, data, lambda: "\n".join(barometer_topics.describe_status(data, min_group_size))
    )


@pulse_group.command(name="close")
@month_option("le mois dernier")
@json_option
@click.pass_context
def pulse_close(ctx, month, as_json) -> None:
    """Clore un mois : plus de réponse, dernières réponses comptées, liste des répondants effacée."""
    campus = campus_of(ctx)
    month = campus.month_or_previous(month) if month is None else campus.month_or_current(month)
    data = barometer.close(campus, month)
    echo_result(as_json, data, lambda: barometer_topics.describe_closed(data))
    if data["lost_at_close"] and not as_json:
        click.echo(barometer_topics.describe_lost_at_close(data["lost_at_close"]), err=True)


@pulse_group.command(name="collect")
@month_option("le mois dernier")
@json_option
@click.pass_context
def pulse_collect(ctx, month, as_json) -> None:
    """Mode « discourse_polls » seulement (non anonyme) : lire les totaux des sondages clos."""
    campus = campus_of(ctx)
    if campus["pulse"].anonymous:
        raise InputError(barometer_topics.collect_refused())
    click.echo(barometer_topics.not_anonymous_warning(), err=True)
    month = campus.month_or_previous(month)
    outcome, data = barometer.collect(campus, month)
    echo_result(as_json, data, lambda: barometer.collected_line(outcome, month))


@main.command(name="worker")
@click.option(
    "--once", is_flag=True, help="lancer les tâches dues (chacune une fois) puis s'arrêter"
)
@click.pass_context
def worker_command(ctx, once) -> None:
    """Synchroniser toutes les heures, scorer chaque jour, baromètre et rapport le 1er du mois."""
    worker = schedule.worker(campus_of(ctx))
    if once:
        records = worker.run_once()
        for record in records:
            click.echo(schedule.once_line(record))
        ctx.exit(1 if any(record.outcome == "failed" for record in records) else 0)
    worker.run_forever()


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
    query = score.ScoreQuery(period, coop, top, exclude_staff, by_theme, username, fmt, apply_)
    campus = campus_of(ctx)
    text, proposed = score.scores(campus, query)
    click.echo(text)
    if apply_:
        apply_recognition(campus, proposed, yes)


@main.command(name="sandbox")
@click.option("--port", type=int, default=8765, show_default=True, help="port d'écoute")
@click.option("--seed", type=int, default=1, show_default=True, help="graine du réseau synthétique")
@click.option("--size", type=click.Choice(SANDBOX_SIZES), default="small", show_default=True)
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
@click.option(
    "--export",
    "export_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="écrire cooperatives.csv et roster.csv du réseau du bac à sable dans ce dossier",
)
def sandbox_command(
    port: int,
    seed: int,
    size: str,
    rate_limit: int,
    bare: bool,
    api_key: str | None,
    export_dir: Path | None,
) -> None:
    """Lancer l'émulateur Discourse local avec un réseau de CAE synthétique."""
    from sandbox.__main__ import serve

    def export(network) -> None:
        files = {"cooperatives.csv": network.cooperatives_csv, "roster.csv": network.roster_csv}
        written = configfile.write_input_files(export_dir, files)
        click.echo(
            _(
                "Réseau du bac à sable écrit : {files}.",
                files=", ".join(str(path) for path in written),
            )
        )

    serve(
        port=port,
        seed=seed,
        size=size,
        rate_limit=rate_limit,
        bare=bare,
        api_key=api_key,
        on_network=export if export_dir else None,
    )


@main.command(name="serve")
@click.option("--host", help="adresse d'écoute (défaut : [web] host)")
@click.option("--port", type=click.IntRange(1, 65535), help="port d'écoute (défaut : [web] port)")
@click.pass_context
def serve_command(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Lancer le service web (connexion par le forum, rapports, « Mes données »)."""
    serve_campus(campus_of(ctx), os.environ, host, port, lambda line: click.echo(line, err=True))


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo"),
    show_default=True,
    help="dossier de la démonstration (configuration, base, rapports)",
)
@click.option("--seed", type=int, default=1, show_default=True, help="graine du réseau synthétique")
@click.option("--size", type=click.Choice(SANDBOX_SIZES), default="network", show_default=True)
@click.option(
    "--serve", is_flag=True, help="garder le bac à sable et le service web ouverts à la fin"
)
@click.pass_context
def demo(ctx: click.Context, out: Path, seed: int, size: str, serve: bool) -> None:
    """Bac à sable + réseau synthétique + toute la chaîne, de la structure au rapport."""
    import cli_demo as demo_run
    from web.demo_visits import serve_and_visit

    if not demo_run.run(
        out,
        seed,
        size,
        echo=click.echo,
        step=lambda title, name, **params: run_step(ctx, main, title, name, **params),
        use_config=lambda path, environ: ctx.find_root().obj.use(load_config(path, environ)),
        visit_web=lambda campus, server, network, month: serve_and_visit(
            campus, server, network, month, serve=serve, echo=click.echo
        ),
    ):
        ctx.exit(1)


@main.command(name="relay")
@click.option("--dry-run", is_flag=True, help="montrer qui serait sollicité, sans rien envoyer")
@json_option
@click.pass_context
def relay_command(ctx: click.Context, dry_run: bool, as_json: bool) -> None:
    """Suggérer les questions restées sans réponse à des volontaires (groupe campus-relais)."""
    outcome = relay_run.run(campus_of(ctx), dry_run=dry_run)
    echo_result(as_json, outcome.as_json(), outcome.describe)


@main.command(name="digest")
@month_option("le mois dernier")
@click.option("--coop", help="le récapitulatif d'une coopérative (slug), dans sa catégorie")
@click.option("--publish", is_flag=True, help="publier (ou mettre à jour) le sujet wiki du mois")
@click.pass_context
def digest_command(ctx: click.Context, month: str | None, coop: str | None, publish: bool) -> None:
    """Ce que le réseau a appris : les questions résolues du mois, par thème (Markdown)."""
    campus = campus_of(ctx)
    digest, published = digest_run.run(campus, campus.month_or_previous(month), coop, publish)
    if published is None:
        click.echo(f"# {digest.title}\n\n{digest.markdown}")
    else:
        click.echo(describe_publication(published))


@main.group(name="lab")
def lab_group() -> None:
    """Labo QVT : évaluer une intervention, exporter pour la recherche, kit RGPD."""


@lab_group.command(name="evaluate")
@click.argument("name", required=False)
@click.option(
    "--kind",
    help="évaluer toutes les actions d'un type du plan d'actions des directions "
    "(edt, deconnexion, entraide, formation, autre) comme une seule intervention",
)
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
def lab_evaluate(ctx, name, kind, outcomes, as_json, out, lang) -> None:
    """Estimer l'effet d'une intervention sur les indicateurs du rapport (différence de différences)."""
    if (name is None) == (kind is None):
        raise InputError(
            _(
                "Indiquez soit le nom d'une intervention d'interventions.csv, soit --kind TYPE"
                " (un type d'action du plan d'actions), pas les deux."
            )
        )
    run = lab.evaluate if kind is None else lab.evaluate_kind
    data, folder = run(
        campus_of(ctx),
        name if kind is None else kind,
        list(outcomes),
        out=out,
        lang=lang,
        write=bool(out or not as_json),
    )
    echo_result(as_json, data, lambda: f"{data['verdict']}\n{folder}")


@lab_group.command(name="export")
@new_folder_option
@click.pass_context
def lab_export(ctx, out) -> None:
    """Écrire un extrait pseudonymisé pour un laboratoire partenaire (clé CAMPUS_RESEARCH_KEY)."""
    lab.export(campus_of(ctx), out, read_secret(os.environ, "CAMPUS_RESEARCH_KEY"))
    click.echo(out)


@lab_group.command(name="kit")
@new_folder_option
@click.pass_context
def lab_kit(ctx, out) -> None:
    """Écrire les brouillons RGPD pour le DPO : notice, registre, AIPD, note au CSE."""
    for path in lab.kit(campus_of(ctx), out):
        click.echo(path)


if __name__ == "__main__":
    main()
