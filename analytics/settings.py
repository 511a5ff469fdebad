"""Settings owned by the `analytics` package (weights of the score, thresholds of the indicators)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar

from core.errors import InputError
from core.i18n import _
from core.settings import doc


@dataclass(frozen=True)
class ScoreWeights:
    """Points of each score component (DESIGN §6); 0 disables a component.

    Weights are never negative, so a score is never negative; the cross-cooperative multiplier is
    0 (no bonus) or at least 1, so it can only add points.
    """

    TITLE: ClassVar[str] = "Points du score des contributeurs (0 désactive une composante)"

    reply: float = doc(2.0, "réponse dans le sujet de quelqu'un d'autre")
    first_response: float = doc(3.0, "bonus : première réponse d'un autre que l'auteur du sujet")
    solution: float = doc(10.0, "solution acceptée, hors de son propre sujet")
    like: float = doc(1.0, "like reçu")
    like_cap_per_post: int = doc(5, "nombre maximal de likes comptés par message")
    person_helped: float = doc(2.0, "chaque personne distincte aidée (auteurs de sujets)")
    cross_coop_multiplier: float = doc(
        1.5, "multiplicateur d'une réponse à un membre d'une autre coopérative (0 : sans bonus)"
    )
    newcomer_first_topic: float = doc(2.0, "bonus : réponse au premier sujet d'un nouveau membre")
    topic: float = doc(1.0, "sujet créé")

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value < 0:
                raise InputError(
                    _(
                        "[score] {key} = {value!r} : un nombre positif ou nul est attendu (0 désactive la composante).",
                        key=f.name,
                        value=value,
                    )
                )
        if 0 < self.cross_coop_multiplier < 1:
            raise InputError(
                _(
                    "[score] cross_coop_multiplier = {value!r} : 0 (bonus désactivé) ou un nombre supérieur ou égal à 1 est attendu.",
                    value=self.cross_coop_multiplier,
                )
            )


@dataclass(frozen=True)
class RecognitionSettings:
    """What `campus score --apply` proposes: the top N to the transformers group, and a badge."""

    TITLE: ClassVar[str] = "Reconnaissance des pairs aidants (campus score --apply)"

    top: int = doc(10, "nombre de personnes proposées quand --top n'est pas donné")
    grant_badge: bool = doc(True, "attribuer aussi un badge Discourse (créé s'il n'existe pas)")
    badge_name: str = doc("Transformer du réseau", "nom du badge attribué")
    badge_description: str = doc(
        "Reconnu·e par le réseau pour l'aide apportée aux autres membres sur le forum.",
        "description du badge, affichée sur le profil des membres",
    )

    def __post_init__(self) -> None:
        if self.top < 1:
            raise InputError(
                _(
                    "[recognition] top = {value!r} : un nombre entier supérieur ou égal à 1 est attendu.",
                    value=self.top,
                )
            )


@dataclass(frozen=True)
class IndicatorSettings:
    """Thresholds that raise a "point de vigilance" in the monthly report (DESIGN §7).

    A `_min` threshold raises a point when the figure falls below it, a `_max` one when it goes
    above; `_share_max` thresholds compare a count to its population n. A figure suppressed for
    privacy never raises a point.
    """

    TITLE: ClassVar[str] = "Seuils des points de vigilance du rapport mensuel (campus report)"

    answered_48h_min: float = doc(0.7, "part minimale des questions ayant une réponse en 48 h")
    first_response_hours_max: float = doc(24.0, "délai médian maximal de première réponse (h)")
    solved_share_min: float = doc(0.3, "part minimale des questions résolues")
    peer_response_share_min: float = doc(
        0.4,
        "part minimale des premières réponses données par des pairs (sinon : dépendance à l'appui)",
    )
    after_hours_max: float = doc(
        0.25, "part maximale des messages en soirée, la nuit ou le week-end (global et par rôle)"
    )
    top_decile_share_max: float = doc(
        0.5, "part maximale des réponses écrites par les 10 % les plus actifs"
    )
    absence_factor_min: int = doc(
        3, "nombre minimal de personnes écrivant ensemble la moitié des réponses"
    )
    overloaded_helpers_share_max: float = doc(
        0.05, "part maximale des membres ayant répondu qui sont des aidant·es surchargé·es"
    )
    authors_without_reply_share_max: float = doc(
        0.2, "part maximale des auteur·es de sujets restés sans réponse"
    )
    newcomers_not_back_share_max: float = doc(
        0.6, "part maximale des nouveaux venus non revenus dans les 30 jours"
    )
    cross_coop_share_min: float = doc(0.05, "part minimale des réponses entre coopératives")
    flagged_posts_max: int = doc(5, "nombre maximal de messages signalés ou masqués")
    pulse_min: float = doc(3.0, "réponse moyenne minimale au baromètre, sur chaque axe (1 à 5)")

    def __post_init__(self) -> None:
        """Refuse a threshold that could never be quiet (a point raised every month whatever
        happens, e.g. a maximum of 0 for something that always occurs in a network) or that
        is outside the range of its figure."""
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "pulse_min":
                bounds_ok, expected = 1 <= value < 5, "≥ 1 et < 5"
            elif "share" in f.name or f.name in ("answered_48h_min", "after_hours_max"):
                if f.name.endswith("_max"):
                    bounds_ok, expected = 0 < value <= 1, "> 0 et ≤ 1"
                else:
                    bounds_ok, expected = 0 <= value < 1, "≥ 0 et < 1"
            elif f.name.endswith("_max"):
                bounds_ok, expected = value > 0, "> 0"
            else:
                bounds_ok, expected = value >= 0, "≥ 0"
            if not bounds_ok:
                raise InputError(
                    _(
                        "[indicators] {key} = {value!r} : une valeur {expected} est attendue "
                        "(sinon ce point de vigilance serait levé chaque mois quoi qu'il arrive, "
                        "ou jamais mesurable).",
                        key=f.name,
                        value=value,
                        expected=expected,
                    )
                )
