"""Write a month's reports from its model: HTML (self-contained), Markdown, CSV, JSON, PDF.

Layout (DESIGN §3): `<out>/<YYYY-MM>/network.html`, `network.md`, `indicators.csv`,
`indicators.json`, `cooperatives/<slug>.html` + `.md` (+ `network.pdf` with `pdf=True`). The
folder is written aside and swapped in at the end, so a failed run leaves the previous reports
untouched and never a half-written folder.

Everything shown comes from one `analytics.report_model.MonthReport`; this module only formats it.
HTML goes through Jinja2 with autoescape (cooperative names come from forum categories);
Markdown escapes them with `markdown_escape`, CSV cells go through `csv_cell`: the two places
where user-provided values are formatted for those formats.
"""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from analytics.catalogue import CATALOGUE
from analytics.coverage import check_month
from analytics.indicators import Activity, cooperatives
from analytics.pooling import Window
from analytics.report_model import MonthReport, Row, ScopeModel, month_report
from analytics.settings import IndicatorSettings
from analytics.vigilance import VigilancePoint
from core.errors import InputError
from core.forum import Forum
from core.i18n import _, ngettext
from core.safe_text import csv_cell, discourse_inline
from core.vocabulary import AXES, month_bounds
from reports import pdf
from reports.formatting import Formatter
from reports.settings import ReportSettings
from reports.sparkline import sparkline
from reports.windows import window_label
from reports.wording import Guidance, axis_label, definition, guidance, label, role_label


def markdown_escape(text: str) -> str:
    """A user-provided string as inert inline Markdown: the `md` filter of the templates.

    This is the one escaping point of the Markdown reports (what `--publish` posts to Discourse):
    `core.safe_text.discourse_inline` escapes Markdown and HTML, breaks mentions, hashtags, URLs
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


class View:
    """What the templates call to turn the model into words and numbers in one language."""

    def __init__(self, report: MonthReport, lang: str) -> None:
        self.report = report
        self.lang = lang
        self.fmt = Formatter(lang, report.tz)

    def _(self, message: str, **values: object) -> str:
        return _(message, lang=self.lang, **values)

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        return ngettext(singular, plural, n, lang=self.lang, **values)

    def label(self, key: str) -> str:
        return label(key, self.lang)

    def axis(self, axis: str) -> str:
        return axis_label(axis, self.lang)

    def figure(self, key: str, value: float | None, n: int) -> str:
        """An indicator's value as every table and point shows it: counts of people with their
        share of n (« 12 sur 40 (30 %) »), others in their unit."""
        spec = CATALOGUE[key]
        if spec.per_person and value is not None and n:
            return self._(
                "{count} sur {n} ({share})",
                count=self.fmt.value(value, spec.unit),
                n=self.fmt.integer(n),
                share=self.fmt.value(value / n, "share"),
            )
        return self.fmt.value(value, spec.unit)

    def shown(self, row: Row) -> str:
        """The value as published, with its pooled window beside it (« 80 % sur le 2e
        trimestre 2026 »), or the word for a masked figure."""
        if row.suppressed and row.n:
            return self.hidden_word()
        label = window_label(row.window, self.lang, self.report.month)
        figure = self.figure(row.id, row.value, row.n)
        return f"{figure} {label}" if label and row.value is not None else figure

    def previous(self, row: Row) -> str:
        if row.previous_suppressed and row.previous_n:
            return self.hidden_word()
        return self.figure(row.id, row.previous, row.previous_n)

    def network(self, row: Row) -> str:
        return self.figure(row.id, row.network_value, row.network_n)

    def mean(self, row: Row) -> str:
        return self.fmt.value(row.mean_3m, row.unit)

    def n(self, row: Row) -> str:
        if row.suppressed and row.n >= self.report.min_group_size:
            return self.hidden_word()
        if row.suppressed and row.n:
            return f"< {self.report.min_group_size}"
        return self.fmt.integer(row.n)

    def hidden_word(self) -> str:
        return self._("masqué")

    def trend(self, row: Row) -> str:
        """« ↗ en hausse (mieux) », « → stable », or « – » when it cannot be judged."""
        trend = row.trend
        if trend.direction is None:
            return "–"
        if trend.direction == "flat":
            return "→ " + self._("stable")
        arrow = "↗ " if trend.direction == "up" else "↘ "
        word = self._("en hausse") if trend.direction == "up" else self._("en baisse")
        judgement = {
            "better": self._("mieux"),
            "worse": self._("moins bien"),
            "neutral": "",
        }[trend.verdict]
        return arrow + word + (f" ({judgement})" if judgement else "")

    def trend_class(self, row: Row) -> str:
        """CSS class of a trend: good, bad, flat or none."""
        return {"better": "good", "worse": "bad", "stable": "flat", "neutral": "flat"}.get(
            row.trend.verdict, "none"
        )

    def point(self, point: VigilancePoint) -> Guidance:
        """The texts of a point of attention (sentence, why, action, source)."""
        unit = point.unit
        if unit == "share" and self.fmt.value(point.figure, unit) == self.fmt.value(
            point.threshold, unit
        ):
            unit = "share_precise"  # "69.8 % (threshold 70 %)", not "70 % (threshold 70 %)"
        value = self.fmt.value(point.figure, unit)
        if CATALOGUE[point.indicator].per_person:
            value = self.figure(point.indicator, point.value, point.n)
        role = (
            point.indicator.removeprefix("after_hours_")
            if point.text_key == "after_hours_role"
            else ""
        )
        return guidance(
            point.text_key,
            self.lang,
            value=value,
            threshold=self.fmt.value(point.threshold, unit),
            role=role_label(role, self.lang) if role else "",
        )

    def scope_name(self, scope: ScopeModel) -> str:
        return scope.name if scope.slug else self._("Réseau")

    def month(self) -> str:
        return self.fmt.month(self.report.month)

    def last_sync(self) -> str:
        return self.fmt.moment(self.report.coverage.last_sync)

    def covered_until(self) -> str:
        return self.fmt.moment(self.report.coverage.covered_until)

    def generated(self) -> str:
        return self.fmt.moment(self.report.generated_at)

    def definitions(self) -> list[tuple[str, str, str]]:
        return [
            (spec.axis, self.label(key), definition(key, self.lang))
            for key, spec in CATALOGUE.items()
        ]

    def sparkline(self, row: Row) -> str:
        return sparkline(row.history, row.unit)

    def history_text(self, row: Row) -> str:
        """The sparkline's text alternative: the months and their values."""
        return ", ".join(
            f"{self.fmt.short_month(month)} : {self.fmt.value(value, row.unit)}"
            for month, value in zip(self.report.months, row.history, strict=True)
        )


def _context(report: MonthReport, scope: ScopeModel, view: View) -> dict:
    return {
        "lang": view.lang,
        "report": report,
        "scope": scope,
        "is_network": scope.slug is None,
        "v": view,
        "_": view._,
        "ngettext": view.ngettext,
        "axes": AXES,
        "charts": scope.charts,
    }


def _csv_value(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"


def _published_n(n: int, suppressed: bool) -> int | None:
    """`n` as CSV and JSON give it: withheld with the value when 1 to min_group_size - 1 people
    are behind it (for counts of people, such as a cooperative's members, n is the value itself),
    as the HTML and Markdown show "< 5", and when the figure is withheld as a complement (its n
    would give its value back); 0 stays, meaning no data."""
    return None if suppressed and n else n


def _window(report: MonthReport, row: Row) -> dict[str, str | int]:
    """The window a figure is published over (`analytics.pooling`): its granularity (month,
    quarter, semester, year), its number of months (1 for a month), first and last month."""
    window = row.window or Window("month", report.month, report.month)
    return {
        "window": window.granularity,
        "window_months": window.months,
        "window_start": window.start,
        "window_end": window.end,
    }


def write_csv(report: MonthReport, path: Path) -> None:
    """Every indicator of every scope, one row each (suppressed values and their n left empty:
    the csv module writes None as an empty field); text cells cannot start a formula."""
    columns = [
        "month", "scope", "scope_name", "indicator", "axis", "unit", "value", "n", "suppressed",
        "previous", "previous_n", "previous_suppressed", "mean_3m", "better", "trend",
        "window", "window_months", "window_start", "window_end",
    ]  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for scope in [report.network, *report.cooperatives]:
            for row in scope.rows:
                writer.writerow(
                    [
                        report.month, scope.key, csv_cell(scope.name or "network"),
                        csv_cell(row.id), csv_cell(row.axis), csv_cell(row.unit), _csv_value(row.value),
                        _published_n(row.n, row.suppressed), str(row.suppressed).lower(),
                        _csv_value(row.previous),
                        _published_n(row.previous_n, row.previous_suppressed),
                        str(row.previous_suppressed).lower(), _csv_value(row.mean_3m),
                        row.better or "", row.trend.verdict or "",
                        *_window(report, row).values(),
                    ]
                )  # fmt: skip


def report_json(report: MonthReport, view: View) -> dict:
    """The JSON document of `indicators.json`."""

    def scope_json(scope: ScopeModel) -> dict:
        return {
            "scope": scope.key,
            "name": view.scope_name(scope),
            "indicators": [
                {
                    "id": row.id,
                    "axis": row.axis,
                    "unit": row.unit,
                    "value": row.value,
                    "n": _published_n(row.n, row.suppressed),
                    "suppressed": row.suppressed,
                    **_window(report, row),
                    "window_label": window_label(row.window, view.lang, report.month),
                    "previous": row.previous,
                    "previous_n": _published_n(row.previous_n, row.previous_suppressed),
                    "previous_suppressed": row.previous_suppressed,
                    "mean_3m": row.mean_3m,
                    "better": row.better,
                    "trend": {
                        "direction": row.trend.direction,
                        "verdict": row.trend.verdict,
                        "delta": row.trend.delta,
                        "noise": row.trend.noise,
                    },
                    "history": row.history,
                    **({"network": row.network_value} if scope.slug else {}),
                }
                for row in scope.rows
            ],
            "vigilance": [
                {
                    "indicator": point.indicator,
                    "axis": point.axis,
                    "figure": point.figure,
                    "threshold": point.threshold,
                    "kind": point.kind,
                    "n": point.n,
                    "text_key": point.text_key,
                    **vars(view.point(point)),
                }
                for point in scope.points
            ],
        }

    return {
        "month": report.month,
        "months": report.months,
        "generated_at": report.generated_at.isoformat(),
        "last_sync": report.coverage.last_sync.isoformat(),
        "partial": report.coverage.partial,
        "lang": view.lang,
        "min_group_size": report.min_group_size,
        "definitions": {
            key: {
                "axis": d.axis,
                "unit": d.unit,
                "better": row_better,
                "label": view.label(key),
                "definition": definition(key, view.lang),
            }
            for (key, d), row_better in zip(
                CATALOGUE.items(), (row.better for row in report.network.rows), strict=True
            )
        },
        "ranking": [vars(attention) for attention in report.ranking],
        "scopes": [scope_json(scope) for scope in [report.network, *report.cooperatives]],
    }


def render_markdown(report: MonthReport, scope: ScopeModel, lang: str) -> str:
    """The Markdown version of a scope's report (what `--publish` posts for the network)."""
    view = View(report, lang)
    return ENVIRONMENT.get_template("report.md.j2").render(_context(report, scope, view))


def render_html(report: MonthReport, scope: ScopeModel, lang: str) -> str:
    """The self-contained HTML page of a scope's report (also what the web service serves)."""
    view = View(report, lang)
    context = _context(report, scope, view)
    from reports import charts  # matplotlib: imported only when a report is drawn

    context["svg"] = (
        charts.network_charts(report, view.fmt)
        if scope.slug is None
        else charts.cooperative_charts(report, scope, view.fmt)
    )
    return ENVIRONMENT.get_template("report.html.j2").render(context)


def write_report(report: MonthReport, folder: Path, lang: str, *, with_pdf: bool = False) -> None:
    """Write every file of `report` into `folder` (which must exist)."""
    (folder / "cooperatives").mkdir()
    for scope in [report.network, *report.cooperatives]:
        stem = folder / "network" if scope.slug is None else folder / "cooperatives" / scope.slug
        stem.with_suffix(".html").write_text(render_html(report, scope, lang), encoding="utf-8")
        stem.with_suffix(".md").write_text(render_markdown(report, scope, lang), encoding="utf-8")
    write_csv(report, folder / "indicators.csv")
    (folder / "indicators.json").write_text(
        json.dumps(report_json(report, View(report, lang)), ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    if with_pdf:
        pdf.print_pdf(folder / "network.html", folder / "network.pdf")


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


def cooperative_names(forum: Forum) -> dict[str, str]:
    """Each cooperative's display name: the name of its top-level category, else its slug."""
    categories = forum.categories
    top = categories[categories["parent_id"].isna()].set_index("slug")["name"]
    return {slug: str(top.get(slug, slug)) for slug in cooperatives(forum)}


def build_model(
    source: Forum | Activity,
    month: str,
    *,
    now: datetime,
    settings: ReportSettings | None = None,
    thresholds: IndicatorSettings | None = None,
    tz: str = "Europe/Paris",
    only: str | None = None,
    partial: bool = False,
) -> MonthReport:
    """The model of `month`'s reports, after the honesty guards (`analytics.coverage`)."""
    settings = settings or ReportSettings()
    thresholds = thresholds or IndicatorSettings()
    month_bounds(month, tz)  # refuses a malformed month or time zone (exit 2)
    if isinstance(source, Activity):
        activity = source
    else:
        activity = Activity(source, tz, settings.min_group_size)
    forum = activity.forum
    coverage = check_month(
        month,
        tz,
        now=now,
        last_sync=forum.last_sync,
        has_activity=not forum.posts.empty,
        allow_partial=partial,
    )
    names = cooperative_names(forum)
    if only is not None and only not in names:
        raise InputError(
            _(
                "Coopérative « {slug} » inconnue dans le miroir (connues : {known}).",
                slug=only,
                known=", ".join(names) or "—",
            )
        )
    return month_report(
        activity,
        month,
        coverage,
        names,
        thresholds=thresholds,
        min_group_size=settings.min_group_size,
        history_months=settings.history_months,
        generated_at=now,
        only=only,
    )


def build_report(
    source: Forum | Activity,
    month: str,
    out_dir: Path,
    *,
    now: datetime,
    lang: str = "fr",
    settings: ReportSettings | None = None,
    thresholds: IndicatorSettings | None = None,
    tz: str = "Europe/Paris",
    only: str | None = None,
    partial: bool = False,
    with_pdf: bool = False,
) -> Path:
    """Compute and write the reports of `month` into `<out_dir>/<month>/`; return that folder.

    `source` is the loaded mirror (a `Forum`) or a prepared `Activity`
    (built with `settings.min_group_size`, which decides the pulse polls the network pools).
    `now` decides whether the month is complete (the coverage guards). `only`: a cooperative slug, to write the network report and that cooperative's only.
    `partial`: allow the unfinished current month (every page says so). `with_pdf`: also print
    `network.pdf` with the system Chromium. Refusals (`InputError`) come before any write.
    """
    if with_pdf:
        pdf.find_chromium()  # refuse before computing anything
    report = build_model(
        source,
        month,
        settings=settings,
        thresholds=thresholds,
        tz=tz,
        only=only,
        now=now,
        partial=partial,
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
        write_report(report, staging, lang, with_pdf=with_pdf)
        staging.chmod(0o755)
        _swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target
