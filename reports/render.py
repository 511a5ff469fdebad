"""Write a month's reports from its model: HTML (self-contained), Markdown, CSV, JSON, PDF.

Layout (DESIGN §3): `<out>/<YYYY-MM>/network.html`, `network.md`, `indicators.csv`,
`indicators.json`, `cooperatives/<slug>.html` + `.md` (+ `network.pdf` with `pdf=True`). The
folder is written aside and swapped in at the end, so a failed run leaves the previous reports
untouched and never a half-written folder.

Everything shown comes from one `analytics.report_model.MonthReport`; this module only formats it.
HTML goes through Jinja2 with autoescape (cooperative names come from forum categories);
Markdown escapes them with the templates' `md` filter (`reports.templating`), CSV cells go through `csv_cell`: the two places
where user-provided values are formatted for those formats.
"""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from analytics.action_course import ActionEntry, Course
from analytics.catalogue import CATALOGUE
from analytics.coverage import check_month
from analytics.indicators import Activity, cooperatives
from analytics.pooling import Window
from analytics.report_model import MonthReport, Row, ScopeModel, month_report
from analytics.settings import IndicatorSettings
from analytics.vigilance import VigilancePoint
from analytics.vigilance_status import FIRST_CARDS, Card
from core.errors import InputError
from core.forum import Forum
from core.i18n import _, ngettext
from core.safe_text import csv_cell
from core.vocabulary import (
    ACTION_KIND_LABELS,
    ACTION_STATUS_LABELS,
    AXES,
    month_bounds,
    unknown_cooperative,
)
from reports import pdf
from reports.formatting import Formatter
from reports.settings import ReportSettings
from reports.sparkline import sparkline
from reports.templating import environment
from reports.windows import window_label
from reports.wording import Guidance, axis_label, definition, guidance, label, role_label


@dataclass(frozen=True)
class CardText:
    """A card in words: `advice` holds (why, what to do, source) once per distinct « why »
    (the after-hours shares by role, the barometer's axes share theirs)."""

    status: str
    severity: str
    sentences: list[str]
    advice: list[tuple[str, str, str]]


class View:
    """What the templates call to turn the model into words and numbers in one language."""

    def __init__(
        self, report: MonthReport, lang: str, *, printed: bool = False, base_url: str | None = None
    ) -> None:
        self.report = report
        self.lang = lang
        self.fmt = Formatter(lang, report.tz)
        self.printed = printed  # the PDF's page: links to the web pages, never to files
        self.base_url = base_url.rstrip("/") if base_url else None

    def href(self, slug: str | None) -> str | None:
        """Where a report's link to the network (`slug` None) or a cooperative goes: the file
        beside it in the month's folder; printed, its page under `[web] base_url`
        (`/rapports/<month>/<slug or reseau>`), or no link when there is no base URL."""
        if not self.printed:
            return "../network.html" if slug is None else f"cooperatives/{slug}.html"
        if self.base_url is None:
            return None
        return f"{self.base_url}/rapports/{self.report.month}/{slug or 'reseau'}"

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
        if row.trend.direction is None:
            return "–"
        return self.trend_words(row.trend)

    def trend_class(self, row: Row) -> str:
        """CSS class of a trend: good, bad, flat or none."""
        return {"better": "good", "worse": "bad", "stable": "flat", "neutral": "flat"}.get(
            row.trend.verdict, "none"
        )

    def point(self, point: VigilancePoint) -> Guidance:
        """The texts of a point of attention (sentence, why, action, source). Figures are
        compared at the precision shown (`analytics.vigilance.as_shown`), so a point never
        reads « 70 % (seuil : 70 %) »."""
        value = self.fmt.value(point.figure, point.unit)
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
            threshold=self.fmt.value(point.threshold, point.unit),
            role=role_label(role, self.lang) if role else "",
            count=round(point.figure) if point.unit == "people" and point.figure is not None else 0,
        )

    def basis(self, point: VigilancePoint) -> str:
        """What the point's figure was compared with, in words (empty for a fixed threshold,
        which its sentence already gives)."""
        limit = self.fmt.value(point.limit, point.unit)
        texts = {
            "own_past": self._(
                "Nettement moins bien que ses mois précédents (moyenne : {limit}).", limit=limit
            ),
            "peers": self._(
                "Nettement moins bien que les coopératives comparables (taille, région) : {limit}.",
                limit=limit,
            ),
            "network": self._("Nettement moins bien que le réseau : {limit}.", limit=limit),
            "threshold": "",
        }
        return texts[point.basis]

    def card(self, card: Card) -> CardText:
        """The words of a card: its status, severity, one sentence per point, and each
        distinct « why » once with its « what to do » (its most severe point's)."""
        advice: list[tuple[str, str, str]] = []
        sentences = []
        for point in card.points:
            texts = self.point(point)
            sentences.append(" ".join(filter(None, [texts.sentence, self.basis(point)])))
            if texts.why not in [why for why, _action, _source in advice]:
                advice.append((texts.why, texts.action, texts.source))
        return CardText(self.status(card), self.severity(card.severity), sentences, advice)

    def status(self, card: Card) -> str:
        """« Nouveau ce mois-ci », « Depuis mars 2026 (8 mois) »…"""
        since = self.fmt.month(card.since)
        if card.status == "new":
            return self._("Nouveau ce mois-ci")
        if card.status == "worsening":
            return self._("S'aggrave ce mois-ci (signalé depuis {since})", since=since)
        if card.status == "resolved":
            return self.ngettext(
                "Résolu ce mois-ci (signalé depuis {since}, pendant {n} mois)",
                "Résolu ce mois-ci (signalé depuis {since}, pendant {n} mois)",
                card.months,
                since=since,
            )
        if card.standing:
            return self._(
                "Situation installée : depuis {n} mois (depuis {since})", n=card.months, since=since
            )
        return self._("Continue (depuis {since})", since=since)

    def severity(self, severity: str) -> str:
        return {
            "high": self._("élevée"),
            "medium": self._("moyenne"),
            "low": self._("faible"),
        }[severity]

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
        """The annex's rows (axes, indicators, definition): each definition once, with the
        axes and names of every indicator it defines (the barometer's six axes share one)."""
        grouped: dict[str, tuple[list[str], list[str]]] = {}
        for key, spec in CATALOGUE.items():
            axes, names = grouped.setdefault(definition(key, self.lang), ([], []))
            axes.append(spec.axis)
            names.append(self.label(key))
        rows = []
        for text, (axes, names) in grouped.items():
            if len(axes) == len(AXES) and set(axes) == set(AXES):
                where = self._("Chacun des six axes")
            else:
                where = " · ".join(self.axis(axis) for axis in dict.fromkeys(axes))
            rows.append((where, " · ".join(dict.fromkeys(names)), text))
        return rows

    # --- the directors' actions (DESIGN §14) ---------------------------------------------

    def actions_for(self, scope: str, axis: str) -> list[ActionEntry]:
        """The actions of cooperative `scope` on `axis` this report shows."""
        for coop in self.report.cooperatives:
            if coop.key == scope:
                return [entry for entry in coop.actions if entry.axis == axis]
        return []

    def carded_axes(self, scope: ScopeModel) -> set[str]:
        """The axes with an active card: their actions are shown beside the card."""
        return {card.axis for card in scope.active_cards}

    def kind(self, kind: str) -> str:
        return ACTION_KIND_LABELS[self.lang].get(kind, kind)

    def action_status(self, status: str) -> str:
        return ACTION_STATUS_LABELS[self.lang].get(status, status)

    def action_line(self, entry: ActionEntry) -> str:
        """« Espace de discussion sur le travail, en cours depuis le 2 septembre 2026 »."""
        if entry.status == "prevue":
            return self._(
                "{kind}, prévue à partir du {day}",
                kind=self.kind(entry.kind),
                day=self.fmt.day(entry.started),
            )
        return self._(
            "{kind}, {status} (début le {day})",
            kind=self.kind(entry.kind),
            status=self.action_status(entry.status).lower(),
            day=self.fmt.day(entry.started),
        )

    def _published(self, shown, key: str, month: str) -> str:
        if shown is None:
            return self._("pas de mesure")
        if shown.suppressed and shown.n:
            return self.hidden_word()
        figure = self.figure(key, shown.value, shown.n)
        if shown.value is None:
            return figure
        label = window_label(shown.window, self.lang, month)
        return f"{figure} {label or self._('en {month}', month=self.fmt.month(month))}"

    def course(self, course: Course) -> str:
        """« Part des messages hors horaires : 31 % en août 2026 → 22 % en octobre 2026 :
        ↘ en baisse (mieux) », the change judged with the report's noise rule."""
        before = self._published(course.before, course.indicator, course.before_month)
        after = self._published(course.after, course.indicator, self.report.month)
        trend = course.trend
        if trend.direction is None:
            judged = self._("évolution non jugée (un chiffre manque ou est masqué)")
        else:
            judged = self.trend_words(trend)
        return self._(
            "{label} : {before} → {after} : {trend}",
            label=self.label(course.indicator),
            before=before,
            after=after,
            trend=judged,
        )

    def trend_words(self, trend) -> str:
        """A judged change in words (« ↗ en hausse (mieux) », « → stable »)."""
        if trend.direction == "flat":
            return "→ " + self._("stable")
        arrow = "↗ " if trend.direction == "up" else "↘ "
        word = self._("en hausse") if trend.direction == "up" else self._("en baisse")
        judgement = {"better": self._("mieux"), "worse": self._("moins bien"), "neutral": ""}[
            trend.verdict
        ]
        return arrow + word + (f" ({judgement})" if judgement else "")

    def action_counts(self) -> list[tuple[str, list[int], int]]:
        """The network's actions: (kind label, count per status, total) for each kind."""
        counts = self.report.action_counts or {}
        return [
            (self.kind(kind), list(by_status.values()), sum(by_status.values()))
            for kind, by_status in counts.items()
        ]

    def action_statuses(self) -> list[str]:
        return list(ACTION_STATUS_LABELS[self.lang].values())

    def sparkline(self, row: Row) -> str:
        return sparkline(row.history, row.unit, row.trend.verdict)

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
        "first_cards": FIRST_CARDS,
        "cards_of": {scope.key: scope.cards for scope in [report.network, *report.cooperatives]},
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
        }

    def card_json(card: Card) -> dict:
        text = view.card(card)
        return {
            "scope": card.scope,
            "axis": card.axis,
            "indicators": card.indicators,
            "status": card.status,
            "since": card.since,
            "severity": card.severity,
            "basis": card.basis,
            "window_months": card.window_months,
            "months": card.months,
            "standing": card.standing,
            "points": [
                {
                    "indicator": point.indicator,
                    "basis": point.basis,
                    "figure": point.figure,
                    "limit": point.limit,
                    "threshold": point.threshold,
                    "kind": point.kind,
                    "n": point.n,
                    "z": point.z,
                    "window_months": point.window_months,
                    "text_key": point.text_key,
                    "sentence": sentence,
                }
                for point, sentence in zip(card.points, text.sentences, strict=True)
            ],
            "advice": [
                {"why": why, "action": action, "source": source}
                for why, action, source in text.advice
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
        "vigilance": [
            card_json(card)
            for scope in [report.network, *report.cooperatives]
            for card in scope.cards
        ],
        "ranking": [
            {
                "scope": ranked.scope,
                "name": ranked.name,
                "severity": ranked.severity,
                "news": ranked.news,
                "months": ranked.months,
                "cards": ranked.cards,
                "axes": ranked.axes,
                "statuses": ranked.statuses,
            }
            for ranked in report.ranking
        ],
        "scopes": [scope_json(scope) for scope in [report.network, *report.cooperatives]],
        # the network's actions by kind, then status (counts of actions, never of people)
        "action_counts": report.action_counts,
    }


def render_markdown(report: MonthReport, scope: ScopeModel, lang: str) -> str:
    """The Markdown version of a scope's report (what `--publish` posts for the network)."""
    view = View(report, lang)
    return environment().get_template("report.md.j2").render(_context(report, scope, view))


def render_html(
    report: MonthReport,
    scope: ScopeModel,
    lang: str,
    *,
    printed: bool = False,
    base_url: str | None = None,
) -> str:
    """The self-contained HTML page of a scope's report (also what the web service serves).

    `printed`: the page the PDF is printed from, whose links go to the web pages under
    `base_url` (or are left out without one), since the PDF travels without its folder."""
    view = View(report, lang, printed=printed, base_url=base_url)
    context = _context(report, scope, view)
    from reports import charts  # matplotlib: imported only when a report is drawn

    context["svg"] = (
        charts.network_charts(report, view.fmt)
        if scope.slug is None
        else charts.cooperative_charts(report, scope, view.fmt)
    )
    return environment().get_template("report.html.j2").render(context)


PAGES_PER_WORKER = 16  # fewer pages than this per process: drawn in this one


def _write_pages(report: MonthReport, scopes: list[ScopeModel], folder: Path, lang: str) -> None:
    """The HTML and Markdown pages of `scopes` (the network or cooperatives) in `folder`."""
    for scope in scopes:
        stem = folder / "network" if scope.slug is None else folder / "cooperatives" / scope.slug
        stem.with_suffix(".html").write_text(render_html(report, scope, lang), encoding="utf-8")
        stem.with_suffix(".md").write_text(render_markdown(report, scope, lang), encoding="utf-8")


def write_report(
    report: MonthReport,
    folder: Path,
    lang: str,
    *,
    with_pdf: bool = False,
    base_url: str | None = None,
    jobs: int | None = None,
) -> None:
    """Write every file of `report` into `folder` (which must exist); the PDF's links go to
    the web pages under `base_url` (none without it). The pages are drawn by `jobs` processes
    (default: one per core) when there are at least `PAGES_PER_WORKER` pages for each; the
    files are the same either way."""
    (folder / "cooperatives").mkdir()
    scopes = [report.network, *report.cooperatives]
    workers = min(jobs or os.cpu_count() or 1, len(scopes) // PAGES_PER_WORKER)
    if workers > 1:  # the charts are most of the time: draw them on every core
        chunks = [scopes[index::workers] for index in range(workers)]
        context = multiprocessing.get_context("spawn")  # no fork of a threaded process
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            for done in [
                pool.submit(_write_pages, report, chunk, folder, lang) for chunk in chunks
            ]:
                done.result()
    else:
        _write_pages(report, scopes, folder, lang)
    write_csv(report, folder / "indicators.csv")
    (folder / "indicators.json").write_text(
        json.dumps(report_json(report, View(report, lang)), ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    if with_pdf:
        printed = render_html(report, report.network, lang, printed=True, base_url=base_url)
        pdf.print_pdf(printed, folder / "network.pdf")


STAGING = ".{month}.staging-"  # + "<pid>-": a report being written by process <pid>
KEPT_FOLDERS = ("duerp",)  # written apart (`report --duerp`): a new report keeps them


def _swap_in(staging: Path, target: Path) -> None:
    """Replace `target` by `staging` (same parent folder), keeping the old one until the end;
    the folders of `KEPT_FOLDERS` the old one held move into the new one."""
    backup = None
    if target.exists():
        backup = _backup_of(target)
        if backup.exists():
            shutil.rmtree(backup)
        target.rename(backup)
        for name in KEPT_FOLDERS:
            if (backup / name).is_dir() and not (staging / name).exists():
                (backup / name).rename(staging / name)
    staging.rename(target)
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)


def _backup_of(target: Path) -> Path:
    return target.with_name(f".{target.name}.old")


def _clean_leftovers(out_dir: Path, month: str) -> None:
    """What a run of `month` killed mid-way left in `out_dir`: its staging folder is deleted
    (a run still alive keeps its own), and a previous report it had set aside is put back if
    the new one never took its place, else deleted."""
    prefix = STAGING.format(month=month)
    for leftover in out_dir.glob(f"{prefix}*"):
        pid = leftover.name[len(prefix) :].split("-", 1)[0]
        if leftover.is_dir() and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)
    target, backup = out_dir / month, _backup_of(out_dir / month)
    if backup.is_dir():
        if target.exists():
            shutil.rmtree(backup, ignore_errors=True)
        else:
            backup.rename(target)


def _alive(pid: int) -> bool:
    """Whether process `pid` still runs (on this machine)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


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
    regions: dict[str, str] | None = None,
    actions: pd.DataFrame | None = None,
) -> MonthReport:
    """The model of `month`'s reports, after the honesty guards (`analytics.coverage`);
    `regions`: slug → region from `cooperatives.csv`, for the vigilance's peer groups;
    `actions`: the directors' action log as a DataFrame (None: no log shown)."""
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
        raise unknown_cooperative(only, names)
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
        regions=regions,
        actions=actions,
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
    base_url: str | None = None,
    regions: dict[str, str] | None = None,
    actions: pd.DataFrame | None = None,
) -> Path:
    """Compute and write the reports of `month` into `<out_dir>/<month>/`; return that folder.

    `source` is the loaded mirror (a `Forum`) or a prepared `Activity`
    (built with `settings.min_group_size`, which decides the pulse polls the network pools).
    `now` decides whether the month is complete (the coverage guards). `only`: a cooperative
    slug, to write the network report and that cooperative's only. `partial`: allow the
    unfinished current month (every page says so). `with_pdf`: also print `network.pdf` with the
    system Chromium, its links to the web pages under `base_url` (Campus's `[web] base_url`; no
    links without it). `regions`, `actions`: see `build_model`. Refusals (`InputError`) come before any
    write.
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
        regions=regions,
        actions=actions,
    )
    target = out_dir / month
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        _clean_leftovers(out_dir, month)
        staging = Path(
            tempfile.mkdtemp(prefix=f"{STAGING.format(month=month)}{os.getpid()}-", dir=out_dir)
        )
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
        write_report(report, staging, lang, with_pdf=with_pdf, base_url=base_url)
        staging.chmod(0o755)
        _swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target
