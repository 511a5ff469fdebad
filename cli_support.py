"""The command line's click glue: errors as exit statuses, the invocation's `Campus`, how results,
progress and questions reach the terminal. No run lives here (they are `app/`)."""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import click

from app.context import Campus
from app.score import Recognition
from core.config import Config
from core.errors import CampusError, InputError
from core.i18n import _, install_click_translations, localise_help
from core.log_format import formatter as log_formatter
from core.progress import Progress
from core.secrets import scrub, scrub_log_handlers
from sync.discourse.transport import wait_message
from sync.forum.memberships import MembersPlan
from sync.forum.structure import Plan
from sync.forum.structure_text import format_sensitive

log = logging.getLogger("campus")

# click's own texts (usage, --help, option errors) in the user's language, like Campus's; before
# any option is made, since click translates some of them (metavars) when they are made
install_click_translations()


def command_sections() -> list[tuple[str, tuple[str, ...]]]:
    """The top-level `--help`'s sections: the commands by the task they serve, in the order an
    animator meets them (a command not listed here goes under « Autres commandes »)."""
    return [
        (_("Mise en place"), ("init", "doctor", "provision", "members", "sandbox", "demo")),
        (_("Copie du forum"), ("sync", "stats", "migrate", "backup")),
        (_("Entraide et reconnaissance"), ("score", "relay", "digest")),
        (_("Qualité de vie au travail"), ("pulse", "report", "lab")),
        (_("Service web et tâches planifiées"), ("serve", "worker")),
    ]


class CampusGroup(click.Group):
    """Turns Campus errors into a message on stderr and their exit status (1 or 2); shows the
    help texts in the user's language."""

    def main(self, *args, **kwargs):
        localise_help(self)
        return super().main(*args, **kwargs)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands grouped by task (`COMMAND_SECTIONS`), each with the whole first sentence
        of its help: wrapped when long, never cut with « … »."""
        commands = {
            name: command
            for name in self.list_commands(ctx)
            if (command := self.get_command(ctx, name)) is not None and not command.hidden
        }
        placed: set[str] = set()
        for title, names in command_sections():
            rows = [
                (name, commands[name].get_short_help_str(limit=10_000))
                for name in names
                if name in commands
            ]
            placed.update(name for name, _help in rows)
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)
        others = [
            (name, command.get_short_help_str(limit=10_000))
            for name, command in commands.items()
            if name not in placed
        ]
        if others:
            with formatter.section(_("Autres commandes")):
                formatter.write_dl(others)

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
                    _(
                        "Erreur inattendue ({kind}) : {error}. Relancez avec -vv pour le détail, "
                        "et signalez-la si elle revient.",
                        kind=type(error).__name__,
                        error=error,
                    )
                ),
                err=True,
            )
            ctx.exit(1)


@dataclass
class Invocation:
    """This invocation's context, made on first use: which campus.toml to read (one named by
    --config or $CAMPUS_CONFIG must exist; the default ./campus.toml may be absent), then the
    `Campus` built from it."""

    path: Path
    required: bool
    load: Callable[[Path], Config]
    campus: Campus | None = field(default=None)

    def use(self, config: Config) -> Campus:
        """Make `config` this invocation's context (rate-limit waits announced on stderr)."""
        self.campus = Campus(
            config,
            on_wait=lambda seconds, reason: click.echo(wait_message(seconds, reason), err=True),
        )
        return self.campus

    def get(self) -> Campus:
        """The context, reading campus.toml on first use."""
        if self.campus is None:
            if self.required and not self.path.exists():  # a folder: load says so
                raise InputError(
                    _(
                        "{path} : fichier de configuration introuvable (vérifiez --config ou CAMPUS_CONFIG ; « campus init » en écrit un).",
                        path=self.path,
                    )
                )
            self.use(self.load(self.path))
        return self.campus


def configure_logging(verbose: int, log_format: str = "text") -> None:
    """Logs on stderr (INFO with -v, DEBUG with -vv), one line per event with its UTC time and
    level, as text or JSON lines (`core.log_format`), never a secret in any line."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(log_formatter(log_format))
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING)
    scrub_log_handlers(root)


def campus_of(ctx: click.Context) -> Campus:
    """The `Campus` of this invocation."""
    return ctx.find_root().obj.get()


def verbose_of(ctx: click.Context) -> bool:
    """Whether -v was given."""
    return bool(ctx.find_root().params.get("verbose"))


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


@contextlib.contextmanager
def stderr_progress(ctx: click.Context) -> Iterator[Progress]:
    """Where a long command shows its progress: a bar with the time left on a terminal, a line a
    minute without one, every line with -v (all on stderr)."""
    progress = Progress(sys.stderr, terminal=sys.stderr.isatty(), verbose=verbose_of(ctx))
    try:
        yield progress
    finally:
        progress.close()


def stdin_is_terminal() -> bool:
    """Whether a person can answer a question (not a script, a pipe or cron)."""
    return sys.stdin.isatty()


new_folder_option = click.option(
    "--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="nouveau dossier"
)


def month_option(default_help: str) -> Callable:
    return click.option("--month", help=f"mois AAAA-MM (défaut : {default_help})")


def confirm_sensitive(yes: bool) -> Callable[[Plan], bool] | None:
    """`--yes` applies changes that touch what members use; a person at a terminal is asked;
    without a terminal they are held (never a silent default)."""
    if yes:
        return lambda plan: True
    if not stdin_is_terminal():
        return None

    def ask(plan: Plan) -> bool:
        click.echo(format_sensitive(plan), err=True)
        return click.confirm(_("Appliquer aussi ces changements ?"), default=False, err=True)

    return ask


def confirm_removals(plan: MembersPlan, yes: bool) -> bool:
    """Show on stderr who `--prune` would remove, then: `--yes` goes on, a person at a terminal
    decides, and without a terminal the run is refused (exit 2) rather than guessed."""
    click.echo(plan.describe_removals(), err=True)
    if yes:
        return True
    if not stdin_is_terminal():
        raise InputError(
            _(
                "Retraits non confirmés : rien n'a été modifié. Relancez dans un terminal pour "
                "confirmer, ou ajoutez --yes si ce retrait est voulu (scripts)."
            )
        )
    return click.confirm(_("Retirer ces personnes de ces groupes ?"), err=True)


def apply_recognition(campus: Campus, usernames: list[str], yes: bool) -> None:
    """Show the recognition plan on stderr, ask a person, then apply it (stdout stays the scores)."""
    if not usernames:
        click.echo(_("Personne à proposer sur cette période."), err=True)
        return
    recognition = Recognition(campus)
    plan = recognition.plan(usernames)
    click.echo(plan.describe(), err=True)
    if not plan.has_changes:
        return
    if not yes and not click.confirm(
        _("Appliquer ces changements sur le forum (y : oui, n : non) ?"), err=True
    ):
        click.echo(_("Annulé : rien n'a été modifié sur le forum."), err=True)
        return
    click.echo(recognition.apply(plan).describe(), err=True)


def run_step(ctx: click.Context, root: click.Group, title: str, name: str, **params) -> None:
    """Run the command `name` ("pulse post") of `root` under a title, as the demo does: its own
    output is printed; a non-zero exit stops everything."""
    click.echo(f"\n== {title} ==")
    command: click.Command = root
    for part in name.split():
        command = command.commands[part]  # type: ignore[attr-defined]
    try:
        ctx.invoke(command, **params)
    except click.exceptions.Exit as stop:
        if stop.exit_code:
            raise
