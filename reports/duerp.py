"""The DUERP draft of one cooperative (DESIGN §14): the psychosocial-risk part of the document
unique, as an editable OpenDocument text (`.odt`, written with odfpy) for its direction and CSE.

What it holds, in the order of INRS's RPS-DU method (ED 6140): the work units (the roles, see
`analytics.work_units`), the factors by Gollac axis over the twelve months of the report (each
indicator's figure as the month's report published it, the mean of the monthly figures the
reports published that year, the network beside it, the barometer's averages, the month's
points de vigilance), then the measures taken and planned from the directors' action log — in
the form of a PAPRIPACT from 50 employees, a list below — and the sources. Every page says it
is a draft for the direction to complete and to present to the CSE.

Privacy: the figures are those the monthly reports already published (`analytics.pooling`: a
figure about fewer than `min_group_size` people is pooled or masked there), and a year's mean is
computed from those published figures only, so the document discloses nothing the reports did
not. No member is named: actions carry no author, titles were refused when they named someone.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from odf.opendocument import OpenDocumentText
from odf.style import (
    Footer,
    Header,
    MasterPage,
    PageLayout,
    PageLayoutProperties,
    ParagraphProperties,
    Style,
    TableCellProperties,
    TableColumnProperties,
    TableProperties,
    TextProperties,
)
from odf.table import Table, TableCell, TableColumn, TableHeaderRows, TableRow
from odf.text import H, List, ListItem, P

from analytics.report_model import MonthReport, Row, ScopeModel
from analytics.work_units import WorkUnit, papripact
from core.errors import InputError
from core.i18n import _
from core.vocabulary import ACTION_KIND_LABELS, ACTION_STATUS_LABELS, AXES
from reports.render import View
from reports.wording import SOURCE_EDT, SOURCE_GOLLAC, SOURCE_RPS, label, role_label

DUERP_MONTHS = 12  # the factors are read over a year of the reports' months
MIME_TYPE = "application/vnd.oasis.opendocument.text"
EXISTING = ("en_cours", "faite")  # measures in place; `prevue`: planned; `abandonnee`: dropped


class LoggedAction(Protocol):
    """What the document reads of an action of the log (`app.actions.ActionRecord`)."""

    kind: str
    title: str
    status: str
    started: date
    axis: str
    indicator: str | None


@dataclass(frozen=True)
class Workforce:
    """The cooperative's head count, where it comes from, and its work units.

    `source`: "cooperatives" (the `employees` column of cooperatives.csv), "roster"
    (roster.csv) or "mirror" (the forum's members, when there is no roster.csv)."""

    employees: int
    source: str
    units: tuple[WorkUnit, ...]


def duerp_path(out_dir: Path, month: str, slug: str) -> Path:
    """Where the draft of `slug` for `month` is written: `<out>/<month>/duerp/<slug>.odt`."""
    return out_dir / month / "duerp" / f"{slug}.odt"


def write_duerp(
    path: Path,
    report: MonthReport,
    scope: ScopeModel,
    workforce: Workforce,
    actions: Sequence[LoggedAction],
    lang: str,
) -> Path:
    """Write the draft of `scope` (a cooperative of `report`) to `path`, atomically: a reader
    never sees half a file, and a failure leaves the previous draft as it was."""
    document = duerp_document(report, scope, workforce, actions, lang)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}.", dir=path.parent)
    except OSError as error:
        raise InputError(
            _(
                "Impossible d'écrire le DUERP dans {folder} ({reason}) : choisissez un dossier"
                " où Campus peut écrire (--out ou [reports] output_dir).",
                folder=path.parent,
                reason=error.strerror or type(error).__name__,
            )
        ) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            document.write(stream)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def duerp_document(
    report: MonthReport,
    scope: ScopeModel,
    workforce: Workforce,
    actions: Sequence[LoggedAction],
    lang: str,
) -> OpenDocumentText:
    """The draft as an odfpy document (see the module doc)."""
    view = View(report, lang)
    writer = _Writer(view)
    draft = view._("Projet à compléter par la direction et à présenter au CSE")
    writer.page_marks(draft)
    writer.heading(
        view._("Document unique d'évaluation des risques professionnels — risques psychosociaux"),
        0,
    )
    writer.paragraph(
        view._(
            "{name} · projet établi en {month} à partir de Campus",
            name=scope.name,
            month=view.month(),
        ),
        "Subtitle",
    )
    writer.paragraph(draft.upper(), "Draft")
    writer.paragraph(
        view._(
            "Ce projet rassemble ce que Campus mesure sur le forum du réseau et ce que le baromètre"
            " anonyme recueille. L'activité du forum n'est qu'un indice, pas un diagnostic :"
            " l'évaluation des risques revient à la direction, avec les salarié·es et leurs"
            " représentant·es, unité de travail par unité de travail (méthode RPS-DU de l'INRS,"
            " ED 6140). Le document unique est conservé 40 ans et transmis au service de"
            " prévention et de santé au travail."
        )
    )
    _work_units(writer, view, workforce)
    _factors(writer, view, report, scope)
    _actions(writer, view, workforce, actions)
    _sources(writer, view)
    return writer.document


# --- the sections -------------------------------------------------------------------------------


def _work_units(writer: _Writer, view: View, workforce: Workforce) -> None:
    k = view.report.min_group_size
    writer.heading(view._("1. Unités de travail"), 1)
    source = {
        "cooperatives": view._("colonne employees de cooperatives.csv"),
        "roster": view._("membres listés dans roster.csv"),
        "mirror": view._("membres de la coopérative sur le forum"),
    }[workforce.source]
    writer.paragraph(
        view._(
            "Effectif retenu : {n} salarié·es (source : {source}).",
            n=view.fmt.integer(workforce.employees),
            source=source,
        )
    )
    rows = []
    for unit in workforce.units:
        name = " + ".join(_role_unit(role, view.lang) for role in unit.roles)
        count = (
            view.fmt.integer(unit.head_count)
            if unit.head_count is not None
            else view._("non indiqué (une unité compte moins de {k} personnes)", k=k)
        )
        rows.append([name, count])
    writer.table(
        "unites",
        [view._("Unité de travail"), view._("Effectif")],
        rows or [[view._("Aucun membre connu"), "–"]],
        widths=(3, 2),
    )
    if any(unit.merged for unit in workforce.units):
        writer.paragraph(
            view._(
                "L'équipe d'appui et la direction forment une seule unité : l'une d'elles compte"
                " moins de {k} personnes, et aucun chiffre ne porte sur moins de {k} personnes.",
                k=k,
            ),
            "Note",
        )


def _factors(writer: _Writer, view: View, report: MonthReport, scope: ScopeModel) -> None:
    k = report.min_group_size
    writer.heading(view._("2. Facteurs de risques psychosociaux par axe (rapport Gollac)"), 1)
    writer.paragraph(
        view._(
            "Période : {first} à {last}. Chaque chiffre est celui que le rapport mensuel a"
            " publié : un chiffre portant sur moins de {k} personnes y est regroupé sur un"
            " trimestre, un semestre ou l'année, ou masqué, et le reste ici. La moyenne de"
            " l'année est celle des mois publiés. Le baromètre n'est jamais regroupé sur"
            " plusieurs mois.",
            first=view.fmt.month(report.months[0]),
            last=view.fmt.month(report.months[-1]),
            k=k,
        )
    )
    cards = {card.axis: card for card in scope.active_cards}
    for axis in AXES:
        writer.heading(view.axis(axis), 2)
        rows = [
            [
                label(row.id, view.lang),
                view.shown(row),
                _year_mean(view, row),
                view.network(row),
                "",
            ]
            for row in scope.rows
            if row.axis == axis
        ]
        writer.table(
            f"axe-{axis}",
            [
                view._("Indicateur"),
                view._("{month} (dernier publié)", month=view.month()),
                view._("Moyenne de l'année"),
                view._("Réseau, {month}", month=view.month()),
                view._("Appréciation de la direction (à compléter)"),
            ],
            rows,
            widths=(4, 2, 2, 2, 3),
        )
        card = cards.get(axis)
        if card is None:
            writer.paragraph(view._("Pas de point de vigilance sur cet axe ce mois-ci."), "Note")
            continue
        text = view.card(card)
        writer.paragraph(
            view._(
                "Point de vigilance : {status} (gravité {severity}).",
                status=text.status,
                severity=text.severity,
            ),
            "Strong",
        )
        writer.bullets([*text.sentences, *(action for _why, action, _source in text.advice)])


def _year_mean(view: View, row: Row) -> str:
    """The mean of the monthly figures the reports published over the year, with how many."""
    shown = [value for value in row.history if value is not None]
    if not shown:
        return view._("non publié")
    mean = sum(shown) / len(shown)
    return view._(
        "{value} ({n} mois sur {total})",
        value=view.fmt.value(mean, row.unit),
        n=len(shown),
        total=len(row.history),
    )


def _actions(
    writer: _Writer, view: View, workforce: Workforce, actions: Sequence[LoggedAction]
) -> None:
    writer.heading(view._("3. Mesures de prévention existantes et actions prévues"), 1)
    ordered = sorted(actions, key=lambda action: (action.started, action.title))
    if papripact(workforce.employees):
        writer.paragraph(
            view._(
                "50 salarié·es ou plus : programme annuel de prévention des risques"
                " professionnels et d'amélioration des conditions de travail (PAPRIPACT),"
                " soumis à la consultation du CSE. Complétez les moyens, le coût et les"
                " indicateurs de résultat de chaque mesure."
            )
        )
        rows = [
            [
                _kind(action.kind, view.lang),
                action.title,
                view.axis(action.axis),
                _status(action.status, view.lang),
                view.fmt.day(action.started),
                label(action.indicator, view.lang) if action.indicator else "",
                "",
                "",
            ]
            for action in ordered
        ]
        writer.table(
            "papripact",
            [
                view._("Type"),
                view._("Mesure"),
                view._("Facteur (axe)"),
                view._("Statut"),
                view._("Début"),
                view._("Indicateur suivi"),
                view._("Moyens et coût (à compléter)"),
                view._("Échéance (à compléter)"),
            ],
            rows or [[view._("Aucune action enregistrée"), "", "", "", "", "", "", ""]],
            widths=(2, 3, 2, 1.5, 2, 2, 2, 1.5),
        )
        return
    writer.paragraph(
        view._(
            "Moins de 50 salarié·es : la liste des actions de prévention est consignée dans le"
            " document unique."
        )
    )
    groups = [
        (view._("Mesures existantes"), [a for a in ordered if a.status in EXISTING]),
        (view._("Actions prévues"), [a for a in ordered if a.status == "prevue"]),
        (view._("Actions abandonnées"), [a for a in ordered if a.status == "abandonnee"]),
    ]
    if not ordered:
        writer.paragraph(view._("Aucune action n'est encore enregistrée dans le journal."), "Note")
    for title, group in groups:
        if not group:
            continue
        writer.heading(title, 2)
        writer.bullets(
            view._(
                "{kind} : {title} — {axis} — {status}, début le {date}",
                kind=_kind(action.kind, view.lang),
                title=action.title,
                axis=view.axis(action.axis),
                status=_status(action.status, view.lang).lower(),
                date=view.fmt.day(action.started),
            )
            for action in group
        )


def _sources(writer: _Writer, view: View) -> None:
    writer.heading(view._("4. Sources"), 1)
    writer.bullets(
        [
            SOURCE_RPS,
            view._("INRS, Risques psychosociaux et document unique (ED 6139)"),
            SOURCE_GOLLAC,
            view._(
                "ANACT, démarche QVCT (ANI de 2020) et « espaces de discussion sur le travail »"
            ),
            SOURCE_EDT,
            view._(
                "Loi n° 2021-1018 du 2 août 2021 pour renforcer la prévention en santé au travail"
                " (DUERP, PAPRIPACT)"
            ),
        ]
    )
    writer.paragraph(
        view._(
            "Campus ne lit jamais le texte des messages : seulement leurs dates et leur structure,"
            " et les réponses anonymes au baromètre. Aucun nom de membre ne figure dans ce"
            " document."
        ),
        "Note",
    )


def _role_unit(role: str, lang: str) -> str:
    return role_label(role, lang).capitalize()


def _kind(kind: str, lang: str) -> str:
    return ACTION_KIND_LABELS[lang].get(kind, kind)


def _status(status: str, lang: str) -> str:
    return ACTION_STATUS_LABELS[lang].get(status, status)


# --- the OpenDocument ---------------------------------------------------------------------------


class _Writer:
    """An odfpy text document with the few styles the draft uses."""

    def __init__(self, view: View) -> None:
        self.view = view
        self.document = OpenDocumentText()
        self.styles: dict[str, Style] = {}
        self._paragraph_styles()
        self._tables = 0

    def _style(self, name: str, family: str, *properties, **attributes) -> Style:
        style = Style(name=name, family=family, **attributes)
        for item in properties:
            style.addElement(item)
        self.document.styles.addElement(style)
        self.styles[name] = style
        return style

    def _paragraph_styles(self) -> None:
        self._style(
            "Standard",
            "paragraph",
            TextProperties(fontsize="10.5pt", fontfamily="Liberation Sans"),
            ParagraphProperties(margintop="0.1cm", marginbottom="0.15cm"),
        )
        for level, size in ((0, "18pt"), (1, "14pt"), (2, "12pt")):
            self._style(
                f"Heading {level}",
                "paragraph",
                TextProperties(fontsize=size, fontweight="bold", fontfamily="Liberation Sans"),
                ParagraphProperties(margintop="0.4cm", marginbottom="0.2cm", keepwithnext="always"),
                parentstylename="Standard",
                defaultoutlinelevel=str(max(level, 1)),
            )
        self._style(
            "Subtitle",
            "paragraph",
            TextProperties(fontsize="12pt", fontstyle="italic"),
            parentstylename="Standard",
        )
        self._style(
            "Draft",
            "paragraph",
            TextProperties(fontsize="12pt", fontweight="bold", color="#B00020"),
            ParagraphProperties(border="0.06pt solid #B00020", padding="0.15cm", margintop="0.3cm"),
            parentstylename="Standard",
        )
        self._style(
            "Note",
            "paragraph",
            TextProperties(fontsize="9pt", fontstyle="italic"),
            parentstylename="Standard",
        )
        self._style(
            "Strong",
            "paragraph",
            TextProperties(fontweight="bold"),
            parentstylename="Standard",
        )
        self._style(
            "Cell",
            "paragraph",
            TextProperties(fontsize="9pt"),
            ParagraphProperties(margintop="0cm", marginbottom="0cm"),
            parentstylename="Standard",
        )
        self._style(
            "Cell Head",
            "paragraph",
            TextProperties(fontsize="9pt", fontweight="bold"),
            ParagraphProperties(margintop="0cm", marginbottom="0cm"),
            parentstylename="Standard",
        )
        self._style(
            "Mark",
            "paragraph",
            TextProperties(fontsize="8pt", fontweight="bold", color="#B00020"),
            ParagraphProperties(textalign="center"),
        )
        cell = Style(name="Boxed", family="table-cell")
        cell.addElement(TableCellProperties(border="0.5pt solid #808080", padding="0.08cm"))
        self.document.automaticstyles.addElement(cell)
        self.styles["Boxed"] = cell

    def page_marks(self, text: str) -> None:
        """The draft's mark in the header and the footer of every page."""
        layout = PageLayout(name="DraftPage")
        layout.addElement(
            PageLayoutProperties(
                pagewidth="21cm",
                pageheight="29.7cm",
                printorientation="portrait",
                margintop="1.5cm",
                marginbottom="1.5cm",
                marginleft="1.8cm",
                marginright="1.8cm",
            )
        )
        self.document.automaticstyles.addElement(layout)
        master = MasterPage(name="Standard", pagelayoutname=layout)
        for part in (Header(), Footer()):
            part.addElement(P(stylename=self.styles["Mark"], text=text))
            master.addElement(part)
        self.document.masterstyles.addElement(master)

    def heading(self, text: str, level: int) -> None:
        self.document.text.addElement(
            H(outlinelevel=max(level, 1), stylename=self.styles[f"Heading {level}"], text=text)
        )

    def paragraph(self, text: str, style: str = "Standard") -> None:
        self.document.text.addElement(P(stylename=self.styles[style], text=text))

    def bullets(self, items) -> None:
        listing = List()
        for item in items:
            entry = ListItem()
            entry.addElement(P(stylename=self.styles["Standard"], text=item))
            listing.addElement(entry)
        self.document.text.addElement(listing)

    def table(
        self,
        name: str,
        head: list[str],
        rows: list[list[str]],
        widths: Sequence[float],
    ) -> None:
        """A table with a header row (repeated on each page), its columns sized by `widths`."""
        self._tables += 1
        table_style = Style(name=f"Table{self._tables}", family="table")
        table_style.addElement(TableProperties(width="17.4cm", align="left"))
        self.document.automaticstyles.addElement(table_style)
        table = Table(name=name, stylename=table_style)
        total = sum(widths)
        for index, width in enumerate(widths):
            column_style = Style(name=f"Table{self._tables}.C{index}", family="table-column")
            column_style.addElement(
                TableColumnProperties(columnwidth=f"{17.4 * width / total:.2f}cm")
            )
            self.document.automaticstyles.addElement(column_style)
            table.addElement(TableColumn(stylename=column_style))
        header = TableHeaderRows()
        header.addElement(self._row(head, "Cell Head"))
        table.addElement(header)
        for row in rows:
            table.addElement(self._row(row, "Cell"))
        self.document.text.addElement(table)

    def _row(self, cells: list[str], style: str) -> TableRow:
        row = TableRow()
        for text in cells:
            cell = TableCell(valuetype="string", stylename=self.styles["Boxed"])
            cell.addElement(P(stylename=self.styles[style], text=text))
            row.addElement(cell)
        return row
