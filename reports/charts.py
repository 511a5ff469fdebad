"""Charts of the HTML report, drawn with matplotlib as inline SVG (the file opens offline).

Each function returns an `<svg>` element ready to paste in HTML: no XML prolog, no DOCTYPE, no
metadata block, no namespace URLs, so the report references no external address at all.
Charts never show names: only counts, shares and months.
"""

from __future__ import annotations

import io
import math
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from analytics.indicators import DEFINITIONS  # noqa: E402
from reports.formatting import Formatter  # noqa: E402
from sync.i18n import translate  # noqa: E402
from sync.pulse import AXES, AXIS_LABELS  # noqa: E402

plt.rcParams.update(
    {
        "svg.fonttype": "none",  # text stays text: smaller, searchable, no embedded glyphs
        "svg.hashsalt": "campus",  # stable element ids: the same data gives the same file
        "font.family": "sans-serif",
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)

PALETTE = ["#1b6ca8", "#d1495b", "#edae49", "#00798c", "#66a182", "#30638e"]

MESSAGES = {
    "fr": {
        "not_enough": "Trop peu de données",
        "pulse": "baromètre (1–5)",
        "response_title": "Délai de première réponse aux questions du mois",
        "questions": "questions",
        "load_title": "Concentration des réponses du mois",
        "load_x": "part des personnes ayant répondu (les plus actives d'abord)",
        "load_y": "part des réponses",
        "equal": "répartition égale",
        "bins": "< 1 h|1–4 h|4–12 h|12–24 h|24–48 h|2–7 j|> 7 j|sans réponse",
    },
    "en": {
        "not_enough": "Too little data",
        "pulse": "pulse (1–5)",
        "response_title": "Time to first response to the month's questions",
        "questions": "questions",
        "load_title": "Concentration of the month's replies",
        "load_x": "share of people who replied (most active first)",
        "load_y": "share of replies",
        "equal": "even spread",
        "bins": "< 1 h|1–4 h|4–12 h|12–24 h|24–48 h|2–7 d|> 7 d|no answer",
    },
}

BIN_EDGES = [0, 1, 4, 12, 24, 48, 168, math.inf]

_PROLOG = re.compile(r"^.*?(?=<svg)", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_NAMESPACES = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')


def _svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(figure)
    text = _PROLOG.sub("", buffer.getvalue(), count=1)
    text = _METADATA.sub("", text)
    text = _NAMESPACES.sub("", text)
    return text.replace("xlink:href", "href").strip()


def trend_chart(series: dict[str, list[float | None]], months: list[str], fmt: Formatter) -> str:
    """One small panel per Gollac axis: its shares (in %) month by month, or else its pulse.

    Suppressed months are gaps; a panel with nothing to show says so.
    """
    lang = fmt.lang
    figure, panels = plt.subplots(2, 3, figsize=(9.5, 5), sharex=True)
    labels = [fmt.short_month(month) for month in months]
    x = np.arange(len(months))
    for panel, axis in zip(panels.flat, AXES, strict=True):
        panel.set_title(AXIS_LABELS[lang][axis], fontsize=9, loc="left")
        shares = [key for key, d in DEFINITIONS.items() if d.axis == axis and d.unit == "share"]
        keys = shares or [f"pulse_{axis}"]
        scale = 100 if shares else 1
        drawn = False
        for colour, key in zip(PALETTE, keys, strict=False):
            values = np.array(
                [np.nan if v is None else v * scale for v in series[key]], dtype=float
            )
            if np.isnan(values).all():
                continue
            drawn = True
            label = getattr(DEFINITIONS[key], lang)
            panel.plot(x, values, marker="o", markersize=3, color=colour, label=label)
        if drawn:
            panel.set_ylim(0, 100 if shares else 5)
            panel.set_ylabel("%" if shares else translate(MESSAGES, "pulse", lang))
            panel.legend(fontsize=6.5, frameon=False, loc="lower left")
        else:
            panel.text(
                0.5,
                0.5,
                translate(MESSAGES, "not_enough", lang),
                ha="center",
                va="center",
                transform=panel.transAxes,
                color="#777",
            )
            panel.set_yticks([])
        panel.set_xticks(x, labels, rotation=45, ha="right", fontsize=7)
    figure.tight_layout()
    return _svg(figure)


def response_chart(hours: pd.Series, fmt: Formatter) -> str:
    """How long the month's questions waited for a first response (bars by delay band)."""
    lang = fmt.lang
    bins = translate(MESSAGES, "bins", lang).split("|")
    answered = hours.dropna().to_numpy()
    counts = list(np.histogram(answered, bins=BIN_EDGES)[0]) + [int(hours.isna().sum())]
    figure, panel = plt.subplots(figsize=(7, 3))
    colours = [PALETTE[0]] * 5 + [PALETTE[2]] * 2 + [PALETTE[1]]
    panel.bar(range(len(bins)), counts, color=colours)
    panel.set_xticks(range(len(bins)), bins, fontsize=8)
    panel.set_ylabel(translate(MESSAGES, "questions", lang))
    panel.set_title(translate(MESSAGES, "response_title", lang), fontsize=10, loc="left")
    figure.tight_layout()
    return _svg(figure)


def load_chart(reply_counts: pd.Series, fmt: Formatter) -> str:
    """Cumulative share of replies against the share of repliers, most active first."""
    lang = fmt.lang
    counts = reply_counts.to_numpy(dtype=float)
    people = np.concatenate([[0.0], np.arange(1, len(counts) + 1) / len(counts)]) * 100
    replies = np.concatenate([[0.0], np.cumsum(counts) / counts.sum()]) * 100
    figure, panel = plt.subplots(figsize=(5, 3.5))
    panel.plot(people, replies, color=PALETTE[1], linewidth=2)
    panel.plot(
        [0, 100], [0, 100], color="#999", linestyle="--", label=translate(MESSAGES, "equal", lang)
    )
    panel.set_xlim(0, 100)
    panel.set_ylim(0, 100)
    panel.set_xlabel(translate(MESSAGES, "load_x", lang) + " (%)")
    panel.set_ylabel(translate(MESSAGES, "load_y", lang) + " (%)")
    panel.set_title(translate(MESSAGES, "load_title", lang), fontsize=10, loc="left")
    panel.legend(frameon=False, loc="lower right")
    figure.tight_layout()
    return _svg(figure)
