"""Write a month's reports: HTML (self-contained), Markdown, CSV and JSON (DESIGN §3, §7).

Layout: `<out>/<YYYY-MM>/network.html`, `network.md`, `indicators.csv`, `indicators.json`,
`cooperatives/<slug>.html` + `.md`. The folder is written aside and swapped in at the end, so a
failed run leaves the previous reports untouched and never a half-written folder.

HTML goes through Jinja2 with autoescape: every user-provided string (cooperative names come from
forum categories) is escaped. Markdown gets its own escaping of those strings.
"""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy import Engine

from analytics.forum import Forum, load_forum
from analytics.indicators import DEFINITIONS, Activity, cooperatives
from analytics.periods import month_bounds
from analytics.settings import IndicatorSettings
from reports.content import Report, ScopeReport, build_content, definition_rows
from reports.formatting import Formatter
from reports.settings import ReportSettings
from sync.errors import InputError
from sync.i18n import _, translate
from sync.pulse import AXIS_LABELS
from sync.safe_text import csv_cell, discourse_inline

TEXT = {
    "fr": {
        "title": "Qualité de vie au travail et risques liés à la collaboration",
        "subtitle": "Rapport mensuel — {scope} — {month}",
        "generated": "Produit le {when} à partir du miroir du forum.",
        "summary": "Points de vigilance",
        "no_points": "Aucun point de vigilance ce mois-ci (parmi les chiffres affichables).",
        "indicator": "Indicateur",
        "value": "Ce mois",
        "n": "n",
        "previous": "Mois précédent",
        "mean": "Moyenne 3 mois",
        "trend": "Tendance",
        "suppressed": "masqué",
        "suppressed_note": "« masqué » : chiffre calculé sur moins de {size} personnes, ou masqué en complément pour qu'aucun chiffre masqué ne se déduise par différence avec le réseau, non montré pour protéger l'anonymat ; « – » : aucune donnée.",
        "charts": "Graphiques",
        "trends": "Tendances par axe ({months} mois)",
        "responses": "Délais de première réponse",
        "load": "Concentration de la charge d'entraide",
        "chart_suppressed": "Graphique masqué : moins de {size} personnes concernées.",
        "cooperatives": "Coopératives",
        "coop_points": "Points de vigilance",
        "coop_members": "Membres",
        "limits": "Ce que ce rapport mesure, et ce qu'il ne peut pas dire",
        "limits_text": [
            "Il mesure l'activité sur le forum : horodatages, structure des échanges (qui répond à quel sujet, quand), solutions acceptées, signalements, et les réponses au baromètre mensuel. C'est un indicateur indirect, pas un diagnostic : beaucoup d'entraide passe ailleurs (téléphone, rencontres, courriel).",
            "Il ne lit aucun texte et n'infère ni émotion ni sentiment des messages (interdit pour des travailleurs par le règlement européen sur l'IA) ; le miroir ne contient d'ailleurs aucun texte.",
            "Il ne nomme personne : les chiffres portent sur des groupes, et tout chiffre calculé sur moins de {size} personnes est masqué. Le score des contributeurs, lui, est un outil séparé réservé aux animateur·rices.",
            "Masquage complémentaire : pour un chiffre qui s'additionne d'une coopérative à l'autre (nombres de membres, de membres actifs, de nouveaux contributeurs, de sujets, de réponses, de questions, de questions sans réponse, de messages signalés…), le chiffre du réseau moins ceux des coopératives montrées donnerait celui d'une coopérative masquée s'il était le seul masqué. Dans ce cas, la coopérative qui a la plus petite population suivante pour ce chiffre est masquée aussi (avec le taux de participation ou les parts de messages hors horaires qui le redonneraient) ; dès que deux coopératives sont masquées, rien de plus n'est nécessaire. Les taux, médianes et moyennes ne s'additionnent pas et ne sont pas concernés.",
            "Un point de vigilance est une invitation à regarder de plus près et à en parler avec les personnes concernées, jamais un jugement sur une coopérative ou une personne. Les seuils se règlent dans campus.toml.",
            "Les heures sont celles du fuseau {tz} ; les mois commencent à minuit dans ce fuseau.",
        ],
        "annex": "Annexe : définition des indicateurs",
        "axis": "Axe",
        "definition": "Définition",
        "network_link": "Rapport du réseau",
        "up": "en hausse",
        "down": "en baisse",
        "flat": "stable",
    },
    "en": {
        "title": "Quality of working life and collaboration risks",
        "subtitle": "Monthly report — {scope} — {month}",
        "generated": "Produced on {when} from the forum mirror.",
        "summary": "Points of attention",
        "no_points": "No point of attention this month (among the figures that can be shown).",
        "indicator": "Indicator",
        "value": "This month",
        "n": "n",
        "previous": "Previous month",
        "mean": "3-month mean",
        "trend": "Trend",
        "suppressed": "hidden",
        "suppressed_note": "'hidden': figure computed over fewer than {size} people, or hidden as a complement so that no hidden figure can be worked out by difference with the network, withheld to protect anonymity; '–': no data.",
        "charts": "Charts",
        "trends": "Trends by axis ({months} months)",
        "responses": "Time to first response",
        "load": "Concentration of the mutual-aid load",
        "chart_suppressed": "Chart hidden: fewer than {size} people involved.",
        "cooperatives": "Cooperatives",
        "coop_points": "Points of attention",
        "coop_members": "Members",
        "limits": "What this report measures, and what it cannot tell",
        "limits_text": [
            "It measures activity on the forum: timestamps, the structure of exchanges (who replies to which topic, when), accepted solutions, flags, and the answers to the monthly pulse poll. It is a proxy, not a diagnosis: much mutual aid happens elsewhere (phone, meetings, e-mail).",
            "It reads no text and infers no emotion or sentiment from posts (prohibited for workers by the EU AI Act); the mirror holds no text at all.",
            "It names no one: figures are about groups, and any figure computed over fewer than {size} people is hidden. The contributor score is a separate tool for animators only.",
            "Complementary suppression: for a figure that adds up across cooperatives (numbers of members, active members, new contributors, topics, replies, questions, unanswered questions, flagged posts…), the network's figure minus those of the cooperatives shown would give a hidden cooperative's figure if it were the only one hidden. In that case the cooperative with the next smallest population for that figure is hidden too (with the participation rate or the after-hours shares that would give it back); once two cooperatives are hidden nothing more is needed. Rates, medians and means do not add up and are not affected.",
            "A point of attention is an invitation to look closer and talk with the people concerned, never a judgement on a cooperative or a person. Thresholds are set in campus.toml.",
            "Times are in the {tz} time zone; months start at midnight in that zone.",
        ],
        "annex": "Annex: definitions of the indicators",
        "axis": "Axis",
        "definition": "Definition",
        "network_link": "Network report",
        "up": "up",
        "down": "down",
        "flat": "stable",
    },
}

MESSAGES = {
    "fr": {"unknown_coop": "Coopérative « {slug} » inconnue dans le miroir (connues : {known})."},
    "en": {"unknown_coop": "Unknown cooperative '{slug}' in the mirror (known: {known})."},
}


def markdown_escape(text: str) -> str:
    """A user-provided string as inert inline Markdown: the `md` filter of the templates.

    This is the one escaping point of the Markdown reports (what `--publish` posts to Discourse):
    `sync.safe_text.discourse_inline` escapes Markdown and HTML, breaks mentions, hashtags, URLs
    and domains, and turns line breaks into spaces so a name can neither mention nor link anyone
    nor break a table row. Every user-provided string in a Markdown template goes through it.
    """
    return discourse_inline(text)


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = markdown_escape
    return env


ENVIRONMENT = _environment()


def _trend(row, text: dict) -> str:
    if row.value is None or row.previous is None:
        return ""
    if row.value > row.previous:
        return "↗ " + text["up"]
    if row.value < row.previous:
        return "↘ " + text["down"]
    return "→ " + text["flat"]


def _context(report: Report, scope: ScopeReport, fmt: Formatter, tz: str) -> dict:
    lang = report.lang
    text = TEXT[lang]
    size = report.min_group_size
    return {
        "lang": lang,
        "t": text,
        "scope": scope,
        "report": report,
        "is_network": scope.slug is None,
        "title": text["title"],
        "subtitle": text["subtitle"].format(scope=scope.name, month=fmt.month(report.month)),
        "generated": text["generated"].format(when=fmt.moment(report.generated_at)),
        "suppressed_note": text["suppressed_note"].format(size=size),
        "chart_suppressed": text["chart_suppressed"].format(size=size),
        "trends_title": text["trends"].format(months=len(report.months)),
        "limits": [paragraph.format(size=size, tz=tz) for paragraph in text["limits_text"]],
        "axes": AXIS_LABELS[lang],
        "label": lambda key: getattr(DEFINITIONS[key], lang),
        "fmt": fmt.value,
        "count": fmt.integer,
        "trend": lambda row: _trend(row, text),
        "sentence": lambda point: point.sentence(lang, fmt.value),
        "definitions": definition_rows(lang),
    }


def _csv_value(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"


def _published_n(n: int, suppressed: bool) -> int | None:
    """`n` as CSV and JSON give it: withheld with the value when 1 to min_group_size - 1 people
    are behind it (for counts of people, such as a cooperative's members, n is the value itself),
    as the HTML and Markdown show "< 5", and when the figure is withheld as a complement (its n
    would give its value back); 0 stays, meaning no data."""
    return None if suppressed and n else n


def write_csv(report: Report, path: Path) -> None:
    """Every indicator of every scope, one row each (suppressed values and their n left empty:
    the csv module writes None as an empty field)."""
    columns = [
        "month", "scope", "scope_name", "indicator", "axis", "unit", "value", "n", "suppressed",
        "previous", "previous_n", "previous_suppressed", "mean_3m",
    ]  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for scope in [report.network, *report.cooperatives]:
            for row in scope.indicators:
                # text cells through csv_cell (a name may start a formula); numbers as they are
                writer.writerow(
                    [
                        *map(csv_cell, [report.month, scope.key, scope.name, row.id, row.axis]),
                        csv_cell(row.unit),
                        _csv_value(row.value), _published_n(row.n, row.suppressed),
                        str(row.suppressed).lower(), _csv_value(row.previous),
                        _published_n(row.previous_n, row.previous_suppressed),
                        str(row.previous_suppressed).lower(), _csv_value(row.mean_3m),
                    ]
                )  # fmt: skip


def report_json(report: Report, fmt: Formatter) -> dict:
    """The JSON document of `indicators.json`."""
    lang = report.lang

    def scope_json(scope: ScopeReport) -> dict:
        return {
            "scope": scope.key,
            "name": scope.name,
            "indicators": [
                {
                    "id": row.id,
                    "axis": row.axis,
                    "unit": row.unit,
                    "value": row.value,
                    "n": _published_n(row.n, row.suppressed),
                    "suppressed": row.suppressed,
                    "previous": row.previous,
                    "previous_n": _published_n(row.previous_n, row.previous_suppressed),
                    "previous_suppressed": row.previous_suppressed,
                    "mean_3m": row.mean_3m,
                }
                for row in scope.indicators
            ],
            "vigilance": [
                {
                    "indicator": point.indicator,
                    "axis": point.axis,
                    "figure": point.figure,
                    "threshold": point.threshold,
                    "kind": point.kind,
                    "n": point.n,
                    "sentence": point.sentence(lang, fmt.value),
                }
                for point in scope.points
            ],
        }

    return {
        "month": report.month,
        "generated_at": report.generated_at.isoformat(),
        "lang": lang,
        "min_group_size": report.min_group_size,
        "definitions": {
            key: {
                "axis": d.axis,
                "unit": d.unit,
                "label": getattr(d, lang),
                "definition": getattr(d, f"definition_{lang}"),
            }
            for key, d in DEFINITIONS.items()
        },
        "scopes": [scope_json(scope) for scope in [report.network, *report.cooperatives]],
    }


def render_markdown(report: Report, scope: ScopeReport, tz: str) -> str:
    """The Markdown version of a scope's report (what `--publish` posts for the network)."""
    fmt = Formatter(report.lang, tz)
    context = _context(report, scope, fmt, tz)
    return ENVIRONMENT.get_template("report.md.j2").render(context)


def write_report(report: Report, folder: Path, tz: str) -> None:
    """Write every file of `report` into `folder` (which must exist)."""
    fmt = Formatter(report.lang, tz)
    html = ENVIRONMENT.get_template("report.html.j2")
    (folder / "cooperatives").mkdir()
    for scope in [report.network, *report.cooperatives]:
        context = _context(report, scope, fmt, tz)
        stem = folder / "network" if scope.slug is None else folder / "cooperatives" / scope.slug
        stem.with_suffix(".html").write_text(html.render(context), encoding="utf-8")
        stem.with_suffix(".md").write_text(render_markdown(report, scope, tz), encoding="utf-8")
    write_csv(report, folder / "indicators.csv")
    (folder / "indicators.json").write_text(
        json.dumps(report_json(report, fmt), ensure_ascii=False, indent=2), encoding="utf-8"
    )


def _swap_in(staging: Path, target: Path) -> None:
    """Replace `target` by `staging` (same parent folder), keeping the old one until the end."""
    backup = None
    if target.exists():
        backup = target.with_name(f".{target.name}.old")
        if backup.exists():
            shutil.rmtree(backup)
        target.rename(backup)
    staging.rename(target)
    if backup is not None:
        shutil.rmtree(backup)


def build_report(
    source: Engine | Forum | Activity,
    month: str,
    out_dir: Path,
    *,
    lang: str = "fr",
    settings: ReportSettings | None = None,
    thresholds: IndicatorSettings | None = None,
    tz: str = "Europe/Paris",
    only: str | None = None,
    now: datetime | None = None,
) -> Path:
    """Compute and write the reports of `month` into `<out_dir>/<month>/`; return that folder.

    `source` is the mirror (an engine), an already loaded `Forum`, or a prepared `Activity`
    (built with `settings.min_group_size`, which decides the pulse polls the network pools).
    `only`: a cooperative slug, to write the network report and that cooperative's only.
    """
    settings = settings or ReportSettings()
    thresholds = thresholds or IndicatorSettings()
    month_bounds(month, tz)  # refuses a malformed month or time zone (exit 2)
    if isinstance(source, Activity):
        activity = source
    else:
        forum = source if isinstance(source, Forum) else load_forum(source)
        activity = Activity(forum, tz, settings.min_group_size)
    known = cooperatives(activity.forum)
    if only is not None and only not in known:
        raise InputError(
            translate(MESSAGES, "unknown_coop", slug=only, known=", ".join(known) or "—")
        )
    report = build_content(
        activity, month, settings, thresholds, lang, now or datetime.now(UTC), only=only
    )
    target = out_dir / month
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{month}.", dir=out_dir))
    except OSError as error:  # a file in the way, a read-only disk, no permission
        raise InputError(
            _(
                "Impossible d'écrire les rapports dans {folder} ({reason}) : choisissez un "
                "dossier où Campus peut écrire (--out ou [reports] output_dir).",
                folder=out_dir,
                reason=error.strerror or type(error).__name__,
            )
        ) from None
    try:
        write_report(report, staging, tz)
        staging.chmod(0o755)
        _swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target
