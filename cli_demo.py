"""`campus demo`: the sandbox, a synthetic network and the whole pipeline, end to end.

The demo wires the sandbox (a Discourse emulator) to Campus, as DESIGN §1 allows only here and
in the tests. It runs the same commands an animator would, in order; the command line supplies
how a step is run and printed (`step`), how the demo's configuration becomes the invocation's
context (`use_config`), and the web service's visits (`visit_web`, from `web.demo_visits`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from app import barometer, report
from app.context import Campus, wall_clock
from core import config as configfile
from core.i18n import _, format_number
from sandbox.network import generate
from sandbox.pulse_votes import barometer_answers
from sandbox.server import SandboxServer
from sync.forum import barometer_topics
from sync.settings import NetworkSettings

# (title, command name, its parameters) -> None: run one command as the animator would
Step = Callable[..., None]
# (campus, sandbox server, network, month) -> whether every page answered
VisitWeb = Callable[[Campus, Any, Any, str], bool]


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


def run(
    out: Path,
    seed: int,
    size: str,
    *,
    echo: Callable[[str], None],
    step: Step,
    use_config: Callable[[Path, Mapping[str, str]], Campus],
    visit_web: VisitWeb,
) -> bool:
    """Run the demo in `out`; whether the web service answered every visit."""
    started = time.monotonic()
    network = generate(seed, size, activity=False)
    tz = ZoneInfo(NetworkSettings().timezone)
    month = (network.reference.astimezone(tz) - timedelta(seconds=1)).strftime("%Y-%m")
    echo(
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
        campus = use_config(config_path, environ)
        echo(
            _(
                "Bac à sable Discourse sur {url} : les comptes existent, ni groupes ni catégories"
                " de coopérative ; configuration écrite dans {config}.",
                url=server.url,
                config=config_path,
            )
        )
        step(_("Vérification du forum (campus doctor)"), "doctor")
        step(_("Structure du forum (campus provision)"), "provision")
        step(_("Membres dans leurs groupes (campus members)"), "members")
        summary = network.add_activity()
        echo(
            _(
                "\nLe bac à sable simule un an d'activité : {topics} sujets, {posts} messages.",
                topics=format_number(summary["topics"], 0),
                posts=format_number(summary["posts"], 0),
            )
        )
        step(_("Copie de l'activité (campus sync)"), "sync")
        step(
            _("Contributeurs du mois {month} (campus score --apply --yes)", month=month),
            "score",
            period=month,
            top=10,
            apply_=True,
            yes=True,
        )
        # the barometer opens only in its month: the demo's runs as on that month's last second
        campus.clock = lambda: network.reference - timedelta(seconds=1)
        step(
            _("Baromètre QVT du mois {month} (campus pulse post)", month=month),
            "pulse post",
            month=month,
        )
        closed = barometer.answer(campus, month, barometer_answers(server.state, seed))
        campus.clock = wall_clock
        echo(barometer_topics.describe_closed(closed))
        current = campus.current_month()
        if current != month:  # this month's barometer stays open: `--serve` lets you answer it
            step(
                _(
                    "Baromètre QVT du mois en cours {month}, ouvert (campus pulse post)",
                    month=current,
                ),
                "pulse post",
                month=current,
            )
        report_title = _("Rapports QVT du mois {month} (campus report)", month=month)
        echo(f"\n== {report_title} ==")
        folder = Path(report.run(campus, month)["folder"])
        web_ok = visit_web(campus, server, network, month)
    echo(
        _(
            "\nTerminé en {seconds} s. Rapport du réseau : {report}",
            seconds=format_number(time.monotonic() - started, 0),
            report=folder / "network.html",
        )
    )
    return web_ok
