"""`campus doctor`: the configuration and its input files, then the forum (address, key, admin
rights, plugins, request limit). The web service's half is `web.web_checks`, which the command
line adds; `verdict` concludes over all of them, so « Tout est prêt. » is never said above a
warning."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from app.context import Campus
from core.config import is_example
from core.errors import InputError
from core.i18n import _, ngettext
from sync.discourse.client import DiscourseAPI
from sync.forum import forum_checks
from sync.forum.inputs import read_roster

EXAMPLE_DOMAINS = ("example.org", "example.com", "example.net")


@dataclass(frozen=True)
class Finding:
    """One line of the configuration's checks: `ok`, else a warning or a blocking problem."""

    ok: bool
    blocking: bool
    text: str

    def line(self) -> str:
        """« [OK] … », « [ATTENTION] … » or « [ÉCHEC] … »."""
        mark = _("OK") if self.ok else _("ÉCHEC") if self.blocking else _("ATTENTION")
        return f"[{mark}] {self.text}"


@dataclass(frozen=True)
class ForumCheck:
    """The checks as text (configuration, then forum), how many blocking problems and warnings
    they found, and the client when the forum answered well enough for the web checks."""

    text: str
    blocking: int
    warnings: int
    client: DiscourseAPI | None

    @property
    def status(self) -> int:
        """The exit status: 1 when something blocks provision or sync, else 0."""
        return 1 if self.blocking else 0


def is_example_url(url: str) -> bool:
    """Whether `url` is an address of the examples (`https://forum.example.org`…), never a
    real forum or service (RFC 2606 reserves these domains)."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == domain or host.endswith("." + domain) for domain in EXAMPLE_DOMAINS)


def check_setup(campus: Campus) -> list[Finding]:
    """campus.toml, the forum's and the service's addresses, cooperatives.csv and roster.csv:
    what is missing, wrong (every bad row, as `provision` would say) or still an example."""
    findings = []
    config = campus.config.path
    if config.exists():
        findings.append(Finding(True, False, _("{path} lu.", path=config)))
    else:
        findings.append(
            Finding(
                False,
                False,
                _(
                    "{path} introuvable : réglages par défaut. « campus init » en écrit un,"
                    " --config en désigne un autre.",
                    path=config,
                ),
            )
        )
    for setting, url in (
        ("[discourse] url", campus.forum_url),
        ("[web] base_url", campus["web"].base_url),
    ):
        if is_example_url(url):
            findings.append(
                Finding(
                    False,
                    False,
                    _(
                        "{setting} = {url} : c'est l'adresse d'exemple ; mettez la vraie dans"
                        " campus.toml.",
                        setting=setting,
                        url=url,
                    ),
                )
            )
    findings += _input_files(campus)
    return findings


def _input_files(campus: Campus) -> list[Finding]:
    """cooperatives.csv and roster.csv read as `provision` and `members` read them."""
    findings = []
    missing = [path for path in (campus.cooperatives_csv, campus.roster_csv) if not path.exists()]
    if missing:
        return [
            Finding(
                False,
                False,
                _(
                    "{path} introuvable : « provision » et « members » en ont besoin (« campus"
                    " init » écrit des exemples, « campus sandbox --export DOSSIER » le réseau du"
                    " bac à sable).",
                    path=path,
                ),
            )
            for path in missing
        ]
    try:
        cooperatives = campus.cooperatives()
    except InputError as error:
        return [Finding(False, True, str(error))]
    path = campus.cooperatives_csv
    findings.append(
        _example(path)
        or Finding(
            True,
            False,
            ngettext(
                "{path} : {n} coopérative.",
                "{path} : {n} coopératives.",
                len(cooperatives),
                path=path,
            ),
        )
    )
    try:
        roster = read_roster(campus.roster_csv, cooperatives)
    except InputError as error:
        return [*findings, Finding(False, True, str(error))]
    path = campus.roster_csv
    findings.append(
        _example(path)
        or Finding(
            True,
            False,
            ngettext("{path} : {n} membre.", "{path} : {n} membres.", len(roster), path=path),
        )
    )
    return findings


def _example(path) -> Finding | None:
    if not is_example(path):
        return None
    return Finding(
        False,
        False,
        _(
            "{path} : ce sont encore les exemples de « campus init » ; remplacez-les par votre"
            " réseau (sur le bac à sable : « campus sandbox --export DOSSIER »).",
            path=path,
        ),
    )


def check_forum(campus: Campus) -> ForumCheck:
    """The configuration's checks, then every check against the forum (stopping at the first
    blocking failure), as text with their counts."""
    findings = check_setup(campus)
    client = campus.open_client()
    checks = forum_checks.run_doctor(client)
    blocking, warnings = forum_checks.counts(checks)
    blocking += sum(1 for finding in findings if finding.blocking and not finding.ok)
    warnings += sum(1 for finding in findings if not finding.blocking and not finding.ok)
    text = "\n".join(
        [
            _("Configuration :"),
            *(finding.line() for finding in findings),
            "",
            _("Forum :"),
            *forum_checks.check_lines(checks),
        ]
    )
    forum_ok = forum_checks.exit_code(checks) == 0
    return ForumCheck(text, blocking, warnings, client if forum_ok else None)


def verdict(forum: ForumCheck, web_warnings: int) -> str:
    """The last line of `campus doctor`, over the configuration, the forum and the web service."""
    return forum_checks.verdict(forum.blocking, forum.warnings + web_warnings)
