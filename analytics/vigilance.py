"""Points de vigilance: indicators that cross a configured threshold (DESIGN §7).

Each rule ties an indicator to one field of `IndicatorSettings` and a direction; a raised point
keeps the figure behind it and the sentence that explains it (French first, English available).
Suppressed figures never raise a point: a point must not reveal what privacy hides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from analytics.indicators import Indicator
from analytics.settings import IndicatorSettings
from sync.i18n import translate
from sync.pulse import AXES


@dataclass(frozen=True)
class Rule:
    """`indicator` raises a point when its figure is below (`min`) or above (`max`) `field`.

    `per_person`: the figure compared is the count divided by its population n.
    """

    indicator: str
    field: str
    kind: str
    per_person: bool = False


RULES: tuple[Rule, ...] = (
    Rule("answered_48h", "answered_48h_min", "min"),
    Rule("first_response_hours", "first_response_hours_max", "max"),
    Rule("solved_share", "solved_share_min", "min"),
    Rule("peer_response_share", "peer_response_share_min", "min"),
    Rule("after_hours", "after_hours_max", "max"),
    Rule("after_hours_entrepreneur", "after_hours_max", "max"),
    Rule("after_hours_appui", "after_hours_max", "max"),
    Rule("after_hours_direction", "after_hours_max", "max"),
    Rule("top_decile_share", "top_decile_share_max", "max"),
    Rule("absence_factor", "absence_factor_min", "min"),
    Rule("overloaded_helpers", "overloaded_helpers_max", "max"),
    Rule("authors_without_reply", "authors_without_reply_share_max", "max", per_person=True),
    Rule("newcomers_not_back", "newcomers_not_back_share_max", "max", per_person=True),
    Rule("cross_coop_share", "cross_coop_share_min", "min"),
    Rule("flagged_posts", "flagged_posts_max", "max"),
    *(Rule(f"pulse_{axis}", "pulse_min", "min") for axis in AXES),
)

# {value} and {threshold} arrive formatted (percent, hours, count…); {n} is the population.
SENTENCES = {
    "fr": {
        "answered_48h": "Seules {value} des questions ont reçu une réponse en 48 h (seuil : {threshold}) : des demandes d'aide attendent.",
        "first_response_hours": "Il faut en médiane {value} pour obtenir une première réponse (seuil : {threshold}).",
        "solved_share": "Seules {value} des questions sont résolues (seuil : {threshold}).",
        "peer_response_share": "Les pairs ne donnent que {value} des premières réponses (seuil : {threshold}) : l'entraide repose sur l'équipe d'appui.",
        "after_hours": "{value} des messages sont écrits en soirée, la nuit ou le week-end (seuil : {threshold}).",
        "after_hours_entrepreneur": "{value} des messages des entrepreneur·es sont écrits hors horaires (seuil : {threshold}).",
        "after_hours_appui": "{value} des messages des équipes d'appui sont écrits hors horaires (seuil : {threshold}).",
        "after_hours_direction": "{value} des messages des directions sont écrits hors horaires (seuil : {threshold}).",
        "top_decile_share": "Les 10 % de membres les plus actifs écrivent {value} des réponses (seuil : {threshold}) : la charge de l'entraide est concentrée.",
        "absence_factor": "{value} personne(s) écrivent la moitié des réponses (seuil : {threshold}) : l'entraide dépend de très peu de monde.",
        "overloaded_helpers": "{value} aidant·e(s) écrivent au moins trois fois plus que le répondant médian, souvent hors horaires (seuil : {threshold}).",
        "authors_without_reply": "{value} des personnes ayant ouvert un sujet n'ont reçu aucune réponse (seuil : {threshold}).",
        "newcomers_not_back": "{value} des nouveaux venus ne sont pas revenus dans les 30 jours (seuil : {threshold}).",
        "cross_coop_share": "Seules {value} des réponses vont vers une autre coopérative (seuil : {threshold}) : les coopératives s'entraident peu entre elles.",
        "flagged_posts": "{value} messages ont été signalés ou masqués (seuil : {threshold}) : des tensions sont possibles.",
        "pulse": "Réponse moyenne de {value} au baromètre (seuil : {threshold}).",
    },
    "en": {
        "answered_48h": "Only {value} of questions got an answer within 48 h (threshold: {threshold}): requests for help are waiting.",
        "first_response_hours": "The median wait for a first response is {value} (threshold: {threshold}).",
        "solved_share": "Only {value} of questions are solved (threshold: {threshold}).",
        "peer_response_share": "Peers give only {value} of first responses (threshold: {threshold}): mutual aid rests on support staff.",
        "after_hours": "{value} of posts are written in the evening, at night or at weekends (threshold: {threshold}).",
        "after_hours_entrepreneur": "{value} of entrepreneurs' posts are written after hours (threshold: {threshold}).",
        "after_hours_appui": "{value} of support staff's posts are written after hours (threshold: {threshold}).",
        "after_hours_direction": "{value} of directors' posts are written after hours (threshold: {threshold}).",
        "top_decile_share": "The most active 10 % of members write {value} of replies (threshold: {threshold}): the load of mutual aid is concentrated.",
        "absence_factor": "{value} person(s) write half of the replies (threshold: {threshold}): mutual aid depends on very few people.",
        "overloaded_helpers": "{value} helper(s) write at least three times as much as the median replier, often after hours (threshold: {threshold}).",
        "authors_without_reply": "{value} of people who opened a topic got no reply at all (threshold: {threshold}).",
        "newcomers_not_back": "{value} of newcomers did not come back within 30 days (threshold: {threshold}).",
        "cross_coop_share": "Only {value} of replies go to another cooperative (threshold: {threshold}): cooperatives help each other little.",
        "flagged_posts": "{value} posts were flagged or hidden (threshold: {threshold}): tensions are possible.",
        "pulse": "Average pulse answer of {value} (threshold: {threshold}).",
    },
}


@dataclass(frozen=True)
class VigilancePoint:
    """A raised point: the indicator, its axis, the figure compared and the threshold crossed."""

    indicator: str
    axis: str
    unit: str  # unit of `figure` and `threshold` ("share" for per-person rules)
    figure: float
    threshold: float
    kind: str
    n: int

    def sentence(self, lang: str, fmt: Callable[[float, str], str]) -> str:
        """The explaining sentence, numbers formatted by `fmt(value, unit)`."""
        key = "pulse" if self.indicator.startswith("pulse_") else self.indicator
        unit = self.unit
        if unit == "share" and fmt(self.figure, unit) == fmt(self.threshold, unit):
            unit = "share_precise"  # "69.8 % (threshold 70 %)", not "70 % (threshold 70 %)"
        return translate(
            SENTENCES,
            key,
            lang,
            value=fmt(self.figure, unit),
            threshold=fmt(self.threshold, unit),
            n=self.n,
        )


def vigilance_points(rows: list[Indicator], settings: IndicatorSettings) -> list[VigilancePoint]:
    """The points raised by a scope's indicators, in the order of `RULES`."""
    by_id = {row.id: row for row in rows}
    points = []
    for rule in RULES:
        row = by_id.get(rule.indicator)
        if row is None or row.suppressed or row.value is None:
            continue
        figure, unit = row.value, row.unit
        if rule.per_person:
            if not row.n:
                continue
            figure, unit = row.value / row.n, "share"
        threshold = float(getattr(settings, rule.field))
        crossed = figure < threshold if rule.kind == "min" else figure > threshold
        if crossed:
            points.append(
                VigilancePoint(rule.indicator, row.axis, unit, figure, threshold, rule.kind, row.n)
            )
    return points
