"""Settings owned by the `analytics` package: the score's weights, recognition, relay, the lab, and
the thresholds of the indicators (built from the indicator catalogue)."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, make_dataclass
from datetime import date
from typing import ClassVar

from holidays import country_holidays, list_supported_countries

from analytics.catalogue import CATALOGUE
from analytics.indicator_spec import Catalogue
from core.errors import InputError
from core.i18n import _
from core.settings import AT_LEAST_ONE, NON_NEGATIVE, Bounds, Section, doc


@dataclass(frozen=True)
class ScoreWeights(Section):
    """Points of each score component (DESIGN §6); 0 disables a component.

    Weights are never negative, so a score is never negative; the cross-cooperative multiplier is
    0 (no bonus) or at least 1, so it can only add points.
    """

    SECTION: ClassVar[str] = "score"
    TITLE: ClassVar[str] = "Points du score des contributeurs (0 désactive une composante)"

    reply: float = doc(2.0, "réponse dans le sujet de quelqu'un d'autre", bounds=NON_NEGATIVE)
    first_response: float = doc(
        3.0, "bonus : première réponse d'un autre que l'auteur du sujet", bounds=NON_NEGATIVE
    )
    solution: float = doc(10.0, "solution acceptée, hors de son propre sujet", bounds=NON_NEGATIVE)
    like: float = doc(1.0, "like reçu", bounds=NON_NEGATIVE)
    like_cap_per_post: int = doc(
        5, "nombre maximal de likes comptés par message", bounds=NON_NEGATIVE
    )
    person_helped: float = doc(
        2.0, "chaque personne distincte aidée (auteurs de sujets)", bounds=NON_NEGATIVE
    )
    cross_coop_multiplier: float = doc(
        1.5,
        "multiplicateur d'une réponse à un membre d'une autre coopérative (0 : sans bonus)",
        bounds=NON_NEGATIVE,
    )
    newcomer_first_topic: float = doc(
        2.0, "bonus : réponse au premier sujet d'un nouveau membre", bounds=NON_NEGATIVE
    )
    topic: float = doc(1.0, "sujet créé", bounds=NON_NEGATIVE)

    def check(self) -> None:
        """The cross-cooperative multiplier can only add points: 0 (no bonus) or at least 1."""
        if 0 < self.cross_coop_multiplier < 1:
            raise InputError(
                _(
                    "[score] cross_coop_multiplier = {value!r} : 0 (bonus désactivé) ou un nombre supérieur ou égal à 1 est attendu.",
                    value=self.cross_coop_multiplier,
                )
            )


@dataclass(frozen=True)
class RecognitionSettings(Section):
    """What `campus score --apply` proposes: the top N to the transformers group, and a badge."""

    SECTION: ClassVar[str] = "recognition"
    TITLE: ClassVar[str] = "Reconnaissance des pairs aidants (campus score --apply)"

    top: int = doc(
        10, "nombre de personnes proposées quand --top n'est pas donné", bounds=AT_LEAST_ONE
    )
    grant_badge: bool = doc(True, "attribuer aussi un badge Discourse (créé s'il n'existe pas)")
    badge_name: str = doc("Transformer du réseau", "nom du badge attribué")
    badge_description: str = doc(
        "Reconnu·e par le réseau pour l'aide apportée aux autres membres sur le forum.",
        "description du badge, affichée sur le profil des membres",
    )


@dataclass(frozen=True)
class RelaySettings(Section):
    """When an unanswered question is suggested to volunteers, and to how many."""

    SECTION: ClassVar[str] = "relay"
    TITLE: ClassVar[str] = "Relais des questions sans réponse vers les volontaires (campus relay)"

    wait_hours: int = doc(
        24,
        "heures ouvrées (lun.–ven. 7 h–20 h hors jours fériés, fuseau du réseau) sans réponse "
        "avant le relais",
    )
    per_question: int = doc(
        2, "nombre maximal de volontaires sollicités par question", bounds=AT_LEAST_ONE
    )
    per_week: int = doc(
        3, "nombre maximal de suggestions par volontaire sur 7 jours glissants", bounds=AT_LEAST_ONE
    )
    max_age_days: int = doc(
        30,
        "une question plus ancienne que ce nombre de jours n'est plus relayée",
        bounds=AT_LEAST_ONE,
    )
    day_start_hour: int = doc(7, "début des heures ouvrées (heure locale)")
    day_end_hour: int = doc(20, "fin des heures ouvrées (heure locale)")
    public_holidays: str = doc(
        "FR", 'jours fériés non ouvrés : ceux de ce pays (code ISO, FR par défaut ; "" : aucun)'
    )

    def check(self) -> None:
        """The working day is a real span of hours; the holidays a known country (else exit 2)."""
        if not 0 <= self.day_start_hour < self.day_end_hour <= 24:
            raise InputError(
                _(
                    "[relay] day_start_hour = {start}, day_end_hour = {end} : attendu 0 ≤ début < fin ≤ 24.",
                    start=self.day_start_hour,
                    end=self.day_end_hour,
                )
            )
        if self.public_holidays and self.public_holidays not in list_supported_countries():
            raise InputError(
                _(
                    "[relay] public_holidays = {value!r} : pays inconnu. Indiquez un code pays "
                    'ISO à deux lettres (FR, BE, CH, LU…), ou "" pour ne compter aucun jour '
                    "férié.",
                    value=self.public_holidays,
                )
            )

    def closed_days(self) -> Container[date]:
        """The public holidays of `public_holidays`, which do not count as working days."""
        if not self.public_holidays:
            return frozenset()
        return country_holidays(self.public_holidays)


@dataclass(frozen=True)
class LabSettings(Section):
    """Where interventions are declared, what an evaluation needs, and who answers for the data."""

    SECTION: ClassVar[str] = "lab"
    TITLE: ClassVar[str] = "Le labo QVT (campus lab evaluate | export | kit)"

    interventions: str = doc(
        "interventions.csv", "fichier des interventions : name,cooperatives,start,end,description"
    )
    min_treated: int = doc(
        2, "nombre minimal de coopératives concernées par une intervention", bounds=Bounds(2)
    )
    min_controls: int = doc(
        3,
        "nombre minimal de coopératives de comparaison (pas encore ou jamais concernées)",
        bounds=AT_LEAST_ONE,
    )
    min_pre_months: int = doc(3, "nombre minimal de mois observés avant le début", bounds=Bounds(2))
    min_post_months: int = doc(
        2, "nombre minimal de mois observés depuis le début", bounds=AT_LEAST_ONE
    )
    bootstrap_draws: int = doc(
        999, "tirages du bootstrap par coopératives (intervalles de confiance)", bounds=Bounds(99)
    )
    seed: int = doc(
        2026, "graine du bootstrap : deux évaluations identiques donnent le même résultat"
    )
    network_name: str = doc("", "nom du réseau, pour les documents du kit")
    controller: str = doc("", "responsable du traitement (structure et adresse), pour le kit")
    dpo_contact: str = doc("", "contact du délégué à la protection des données (DPO)")
    research_partner: str = doc(
        "", "partenaire de recherche destinataire des exports (ex. une ARACT)"
    )
    retention: str = doc("", "durée de conservation des données du miroir (ex. « 24 mois »)")


def threshold_settings(catalogue: Catalogue) -> type:
    """The `[indicators]` settings class: one field per threshold declared in `catalogue`, with
    its default, its comment for `campus init` and its bounds (checked by `Section`: a threshold
    outside them could never be quiet, or never be measured)."""
    thresholds = catalogue.thresholds()

    return make_dataclass(
        "IndicatorSettings",
        [
            (
                threshold.setting,
                type(threshold.default),
                doc(threshold.default, threshold.help, bounds=threshold.bounds),
            )
            for threshold in thresholds
        ],
        bases=(Section,),
        frozen=True,
        namespace={
            "__module__": __name__,
            "__doc__": INDICATOR_SETTINGS_DOC,
            "SECTION": "indicators",
            "TITLE": "Seuils des points de vigilance du rapport mensuel (campus report)",
        },
    )


INDICATOR_SETTINGS_DOC = """Thresholds that raise a "point de vigilance" in the monthly report (DESIGN §7).

A `min` threshold raises a point when the figure falls below it, a `max` one when it goes above;
the thresholds of per-person indicators compare a count to its population n. A figure suppressed
for privacy never raises a point. The fields are the thresholds declared in `analytics.catalogue`.
"""

IndicatorSettings = threshold_settings(CATALOGUE)
