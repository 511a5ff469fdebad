"""Settings owned by the `analytics` package (weights of the score, thresholds of the indicators)."""

from __future__ import annotations

from dataclasses import dataclass, make_dataclass
from typing import ClassVar

from analytics.catalogue import CATALOGUE
from analytics.indicator_spec import Catalogue
from core.errors import InputError
from core.i18n import _
from core.settings import AT_LEAST_ONE, NON_NEGATIVE, Section, doc


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
