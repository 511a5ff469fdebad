"""Settings owned by the `analytics` package (weights of the score, thresholds of the indicators)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sync.settings import doc


@dataclass(frozen=True)
class ScoreWeights:
    """Points of each score component (DESIGN §6); 0 disables a component."""

    TITLE: ClassVar[str] = "Points du score des contributeurs (0 désactive une composante)"

    reply: float = doc(2.0, "réponse dans le sujet de quelqu'un d'autre")
    first_response: float = doc(3.0, "bonus : première réponse d'un autre que l'auteur du sujet")
    solution: float = doc(10.0, "solution acceptée, hors de son propre sujet")
    like: float = doc(1.0, "like reçu")
    like_cap_per_post: int = doc(5, "nombre maximal de likes comptés par message")
    person_helped: float = doc(2.0, "chaque personne distincte aidée (auteurs de sujets)")
    cross_coop_multiplier: float = doc(
        1.5, "multiplicateur d'une réponse à un membre d'une autre coopérative"
    )
    newcomer_first_topic: float = doc(2.0, "bonus : réponse au premier sujet d'un nouveau membre")
    topic: float = doc(1.0, "sujet créé")
