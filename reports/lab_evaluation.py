"""The QVT lab's evaluation of an intervention: JSON (DESIGN §3), HTML and Markdown (§11).

Every sentence says no more than the estimate supports: « pas d'effet détectable » when the
confidence interval contains zero (with the range of effects the data still allow), an effect
only when the interval excludes zero, always with the assumption it rests on (parallel trends),
and a warning when the pre-trend check fails. Refusals carry their reason in plain words.

The estimator works on exact internal figures; `min_group_size` applies here, to what is
published (`publishable`): an effect, or an event-time row, that rests on fewer people is withheld.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from babel.numbers import format_decimal

from analytics.catalogue import CATALOGUE
from analytics.indicators import Activity
from analytics.lab_estimator import (
    Design,
    OutcomeResult,
    analysis_months,
    evaluate,
    mirror_months,
    outcome_panel,
    unknown_outcomes,
)
from core.errors import InputError
from core.i18n import _, ngettext
from core.safe_text import discourse_inline
from core.vocabulary import AXIS_LABELS, Intervention
from reports.formatting import Formatter
from reports.templating import environment

PRE_TREND_ALPHA = 0.05
SOURCE = (
    "Callaway, B. & Sant'Anna, P. H. C., « Difference-in-Differences with multiple time "
    "periods », Journal of Econometrics 225(2), 2021."
)


def indicator_label(key: str, lang: str) -> str:
    """The report's name of an indicator (with its axis for the barometer)."""
    spec = CATALOGUE[key]
    label = spec.label_in(lang)
    if key.startswith("pulse_"):
        return f"{label} — {AXIS_LABELS[lang][spec.axis]}"
    return label


def effect_text(value: float, unit: str, fmt: Formatter, lang: str) -> str:
    """A difference in the outcome's unit: percentage points, hours, points of the 1–5 scale."""
    if unit == "share":
        number = format_decimal(value * 100, "#,##0.0", locale=fmt.locale)
        return _("{value} points de pourcentage", lang=lang, value=number)
    if unit == "hours":
        return fmt.value(value, "hours")
    number = format_decimal(value, "#,##0.0#", locale=fmt.locale)
    if unit == "scale":
        return _("{value} point sur l'échelle de 1 à 5", lang=lang, value=number)
    return number


def _signed(value: float, unit: str, fmt: Formatter, lang: str) -> str:
    """`effect_text` with its sign (none when it rounds to zero)."""
    text = effect_text(abs(value), unit, fmt, lang)
    if round(abs(value) * (100 if unit == "share" else 1), 2) == 0:
        return text
    return ("+" if value > 0 else "−") + text


def compact(value: float | None, unit: str, fmt: Formatter) -> str:
    """A signed difference for a table cell: the number only (its unit is in its own column)."""
    if value is None:
        return "–"
    scaled = value * 100 if unit == "share" else value
    pattern = "#,##0.0#" if unit == "scale" else "#,##0.0"
    number = format_decimal(abs(scaled), pattern, locale=fmt.locale)
    if round(abs(scaled), 2) == 0:
        return number
    return ("+" if scaled > 0 else "−") + number


def unit_label(unit: str, lang: str) -> str:
    """The unit of a difference, for the tables' unit column."""
    if unit == "share":
        return _("points de pourcentage", lang=lang)
    if unit == "hours":
        return _("heures", lang=lang)
    if unit == "scale":
        return _("points (échelle de 1 à 5)", lang=lang)
    return _("nombre", lang=lang)


def reason_text(result: OutcomeResult, lang: str) -> str:
    """Why the design cannot support an estimate for this outcome, in the lab's words."""
    found, needed = result.detail.get("found", 0), result.detail.get("needed", 0)
    if result.reason == "few_treated" and found == 0:
        return _(
            "aucune coopérative concernée n'a de données exploitables (pas de mois depuis le début, ou aucun chiffre défini, par exemple aucune question) ; il en faut au moins {needed}.",
            lang=lang,
            needed=needed,
        )
    if result.reason == "few_treated":
        return ngettext(
            "{n} seule coopérative concernée a des données exploitables ; il en faut au moins {needed} pour distinguer l'effet de l'intervention des particularités d'une coopérative.",
            "{n} coopératives concernées ont des données exploitables ; il en faut au moins {needed} pour distinguer l'effet de l'intervention des particularités d'une coopérative.",
            found,
            lang=lang,
            needed=needed,
        )
    if result.reason == "few_controls":
        return ngettext(
            "{n} coopérative de comparaison (pas encore ou jamais concernée) a des données exploitables ; il en faut au moins {needed}.",
            "{n} coopératives de comparaison (pas encore ou jamais concernées) ont des données exploitables ; il en faut au moins {needed}.",
            found,
            lang=lang,
            needed=needed,
        )
    if result.reason == "few_people":
        return _(
            "l'écart porterait sur moins de {needed} personnes dans les coopératives concernées : il n'est pas publié.",
            lang=lang,
            needed=needed,
        )
    if result.reason == "few_pre" and result.period == "quarter":
        return ngettext(
            "{n} trimestre observé avant le début ; il en faut au moins {needed} pour vérifier que les coopératives évoluaient de la même façon avant l'intervention.",
            "{n} trimestres observés avant le début ; il en faut au moins {needed} pour vérifier que les coopératives évoluaient de la même façon avant l'intervention.",
            found,
            lang=lang,
            needed=needed,
        )
    if result.reason == "few_post" and result.period == "quarter":
        return ngettext(
            "{n} trimestre observé depuis le début ; il en faut au moins {needed} (attendez la fin des trimestres suivants).",
            "{n} trimestres observés depuis le début ; il en faut au moins {needed} (attendez la fin des trimestres suivants).",
            found,
            lang=lang,
            needed=needed,
        )
    if result.reason == "few_pre":
        return ngettext(
            "{n} mois observé avant le début ; il en faut au moins {needed} pour vérifier que les coopératives évoluaient de la même façon avant l'intervention.",
            "{n} mois observés avant le début ; il en faut au moins {needed} pour vérifier que les coopératives évoluaient de la même façon avant l'intervention.",
            found,
            lang=lang,
            needed=needed,
        )
    return ngettext(
        "{n} mois observé depuis le début ; il en faut au moins {needed} (attendez la fin des mois suivants).",
        "{n} mois observés depuis le début ; il en faut au moins {needed} (attendez la fin des mois suivants).",
        found,
        lang=lang,
        needed=needed,
    )


def outcome_sentence(result: OutcomeResult, fmt: Formatter, lang: str) -> str:
    """The conclusion for one outcome, never stronger than its interval allows."""
    if result.reason:
        return _(
            "Pas d'estimation possible : {reason}", lang=lang, reason=reason_text(result, lang)
        )
    unit = CATALOGUE[result.indicator].unit
    att = _signed(result.att, unit, fmt, lang)
    if result.ci_low is None:
        return _(
            "Écart estimé {att}, sans intervalle de confiance fiable (trop de tirages du bootstrap sans coopérative concernée) : aucune conclusion.",
            lang=lang,
            att=att,
        )
    low, high = _signed(result.ci_low, unit, fmt, lang), _signed(result.ci_high, unit, fmt, lang)
    if not result.significant:
        text = _(
            "Pas d'effet détectable : écart estimé {att}, intervalle de confiance à 95 % de {low} à {high}. Il contient zéro : les données sont compatibles avec une absence d'effet comme avec tout écart de cet intervalle.",
            lang=lang,
            att=att,
            low=low,
            high=high,
        )
    else:
        better = CATALOGUE[result.indicator].better
        if better is None:
            direction = ""
        elif (result.att > 0) == (better == "up"):
            direction = _(" C'est le sens souhaité.", lang=lang)
        else:
            direction = _(" C'est le sens défavorable.", lang=lang)
        text = _(
            "Écart détectable : {att} dans les coopératives concernées par rapport à celles de comparaison (intervalle de confiance à 95 % de {low} à {high}).{direction} Cela suppose que, sans l'intervention, les deux groupes auraient évolué en parallèle ; c'est une mesure, pas une preuve de cause.",
            lang=lang,
            att=att,
            low=low,
            high=high,
            direction=direction,
        )
    if result.period == "quarter":
        text += _(
            " Estimé par trimestre : les mois des coopératives portaient sur trop peu de messages pour une estimation mois par mois.",
            lang=lang,
        )
    if pre_trend_failed(result):
        text += _(
            " Attention : avant le début, les coopératives concernées évoluaient déjà différemment (p = {p}) ; l'hypothèse de tendances parallèles est douteuse et cet écart ne peut pas être attribué à l'intervention.",
            lang=lang,
            p=p_text(result.pre_trend_p, fmt),
        )
    return text


def p_text(p: float | None, fmt: Formatter) -> str:
    """A p-value with two decimals (« < 0,01 » below), « – » when there is none."""
    if p is None:
        return "–"
    if p < 0.01:
        return "< " + format_decimal(0.01, "0.00", locale=fmt.locale)
    return format_decimal(p, "0.00", locale=fmt.locale)


def pre_trend_failed(result: OutcomeResult) -> bool:
    """True when the treated cooperatives already diverged before the start."""
    return result.pre_trend_p is not None and result.pre_trend_p < PRE_TREND_ALPHA


def credible(result: OutcomeResult) -> bool:
    """An effect the lab may report: interval excluding zero and no failed pre-trend check."""
    return result.significant and not pre_trend_failed(result)


def verdict(name: str, results: Sequence[OutcomeResult], lang: str) -> str:
    """The evaluation's conclusion in one paragraph, for someone who reads only that."""
    estimated = [r for r in results if r.att is not None and r.ci_low is not None]
    if not estimated:
        reasons = {r.reason for r in results if r.reason}
        first = next((r for r in results if r.reason), None)
        reason = reason_text(first, lang) if first and len(reasons) == 1 else ""
        reason = reason[:1].upper() + reason[1:]
        return _(
            "Aucune estimation possible pour « {name} » avec les données disponibles. {reason}",
            lang=lang,
            name=name,
            reason=reason,
        ).strip()
    detected = [r for r in estimated if credible(r)]
    doubtful = [r for r in estimated if r.significant and pre_trend_failed(r)]
    count = len(estimated)
    if not detected and doubtful:
        return _(
            "Pas de conclusion possible sur « {name} » : un écart apparaît sur {labels}, mais les coopératives concernées évoluaient déjà différemment avant le début ; il ne peut pas être attribué à l'intervention. Aucun autre indicateur estimable ne montre d'effet détectable.",
            lang=lang,
            name=name,
            labels=", ".join(indicator_label(r.indicator, lang) for r in doubtful),
        )
    if not detected:
        return ngettext(
            "Pas d'effet détectable de « {name} » sur l'indicateur estimable. Ce n'est pas la preuve d'une absence d'effet : l'intervalle de confiance dit quelle ampleur d'effet reste compatible avec les données.",
            "Pas d'effet détectable de « {name} » sur les {n} indicateurs estimables. Ce n'est pas la preuve d'une absence d'effet : les intervalles de confiance disent quelle ampleur d'effet reste compatible avec les données.",
            count,
            lang=lang,
            name=name,
        )
    labels = ", ".join(indicator_label(r.indicator, lang) for r in detected)
    return ngettext(
        "Écart détectable après « {name} » sur {n} indicateur (sur {total} estimables) : {labels}. Avec plusieurs indicateurs, un écart peut apparaître par hasard (environ une fois sur vingt pour chacun) : à confirmer sur les mois suivants ou sur d'autres coopératives avant d'en tirer une conclusion.",
        "Écart détectable après « {name} » sur {n} indicateurs (sur {total} estimables) : {labels}. Avec plusieurs indicateurs, un écart peut apparaître par hasard (environ une fois sur vingt pour chacun) : à confirmer sur les mois suivants ou sur d'autres coopératives avant d'en tirer une conclusion.",
        len(detected),
        lang=lang,
        name=name,
        total=count,
        labels=labels,
    )


def _number(value: float | None) -> float | None:
    return None if value is None else round(float(value), 6)


def _event_json(event: dict) -> dict:
    """One event-time row of the JSON: its period offset, effect, interval, people, `withheld`."""
    people = event.get("people")
    return {
        "event": int(event["event"]),
        **{key: _number(event[key]) for key in ("att", "ci_low", "ci_high")},
        "people": None if people is None or people != people else int(people),
        "withheld": bool(event.get("withheld", False)),
    }


def publishable(result: OutcomeResult, min_group_size: int) -> OutcomeResult:
    """`result` as the lab may publish it under the k-rule (DESIGN §7).

    An effect whose treated figures rest on fewer than `min_group_size` people is withheld
    (`few_people`); so is each event-time row below it (its effect and interval blanked,
    `withheld`). Results without counts (`people` None) are unchanged."""
    if result.reason or result.people is None:
        return result
    if result.people < min_group_size:
        return OutcomeResult(
            result.indicator,
            treated=result.treated,
            controls=result.controls,
            pre_periods=result.pre_periods,
            post_periods=result.post_periods,
            period=result.period,
            reason="few_people",
            detail={"found": int(result.people), "needed": int(min_group_size)},
        )
    events = result.events.copy()
    withheld = events["people"].fillna(0) < min_group_size
    events["withheld"] = withheld
    events[["att", "ci_low", "ci_high"]] = events[["att", "ci_low", "ci_high"]].astype(object)
    events.loc[withheld, ["att", "ci_low", "ci_high"]] = None
    return dataclasses.replace(result, events=events)


def evaluation_json(
    intervention: Intervention, results: Sequence[OutcomeResult], design: Design, lang: str
) -> dict:
    """The object `lab evaluate --json` prints (DESIGN §3, with a few more keys)."""
    fmt = Formatter(lang)
    outcomes = []
    for result in results:
        row = {
            "indicator": result.indicator,
            "att": _number(result.att),
            "ci_low": _number(result.ci_low),
            "ci_high": _number(result.ci_high),
            "treated": result.treated,
            "controls": result.controls,
            "pre_periods": result.pre_periods,
            "post_periods": result.post_periods,
            "pre_trend_p": _number(result.pre_trend_p),
            "period": result.period,
            "people": result.people,
            "unit": CATALOGUE[result.indicator].unit,
            "better": CATALOGUE[result.indicator].better,
            "conclusion": outcome_sentence(result, fmt, lang),
        }
        if result.reason:
            row["reason"] = reason_text(result, lang)
            row["reason_code"] = result.reason
        else:
            row["events"] = [_event_json(e) for e in result.events.to_dict("records")]
        outcomes.append(row)
    return {
        "intervention": intervention.name,
        "cooperatives": intervention.cooperatives,
        "start": min(intervention.starts.values()),
        "starts": intervention.starts,
        "end": intervention.end,
        "method": "callaway-santanna-2021",
        "confidence_level": design.level,
        "bootstrap_draws": design.draws,
        "seed": design.seed,
        "outcomes": outcomes,
        "verdict": verdict(intervention.name, results, lang),
    }


def slug_of(name: str) -> str:
    """A folder name for an intervention: lowercase letters, digits and dashes."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "intervention"


def write_evaluation(
    data: dict,
    results: Sequence[OutcomeResult],
    out: Path,
    *,
    lang: str,
    tz: str,
    generated_at: datetime,
    min_group_size: int,
) -> Path:
    """Write `evaluation.html`, `evaluation.md` and `evaluation.json` into `out`, atomically
    (written aside, then swapped in: never a half-written folder)."""
    fmt = Formatter(lang, tz)
    by_indicator = {result.indicator: result for result in results}
    context = {
        "data": data,
        "verdict_md": verdict(discourse_inline(data["intervention"]), results, lang),
        "lang": lang,
        "generated": fmt.moment(generated_at),
        "label": lambda key: indicator_label(key, lang),
        "effect": lambda key, value: compact(value, CATALOGUE[key].unit, fmt),
        "unit": lambda key: unit_label(CATALOGUE[key].unit, lang),
        "p_value": lambda p: p_text(p, fmt),
        "month": fmt.month,
        "min_group_size": min_group_size,
        "source": SOURCE,
        "events_of": lambda key: [
            e for e in by_indicator[key].events.to_dict("records") if e["event"] >= -6
        ],
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        env = environment(lang)
        for name in ("evaluation.html", "evaluation.md"):
            text = env.get_template(f"lab_{name}.j2").render(**context)
            (staging / name).write_text(text, encoding="utf-8")
        (staging / "evaluation.json").write_text(
            json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def run_evaluation(
    activity: Activity,
    intervention: Intervention,
    outcomes: Sequence[str],
    design: Design,
    *,
    min_group_size: int,
    until: str,
) -> list[OutcomeResult]:
    """The intervention's effect on `outcomes`, over the months of the mirror up to `until` that
    the estimate uses (`analysis_months`): estimated on exact figures, then `publishable`."""
    unknown = unknown_outcomes(outcomes)
    if unknown:
        raise InputError(
            _(
                "Indicateur(s) inconnu(s) : {unknown} (indicateurs possibles : {known}).",
                unknown=", ".join(unknown),
                known=", ".join(CATALOGUE),
            )
        )
    months = analysis_months(mirror_months(activity, until), intervention.starts)
    if not months:
        raise InputError(
            _("Le miroir est vide : lancez « campus sync » avant d'évaluer une intervention.")
        )
    panel = outcome_panel(activity, months, outcomes)
    results = evaluate(panel, intervention.starts, outcomes, design, end=intervention.end)
    return [publishable(result, min_group_size) for result in results]
