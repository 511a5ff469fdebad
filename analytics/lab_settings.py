"""Settings of the QVT lab (the `[lab]` section of campus.toml, DESIGN §11).

The design limits (`min_*`) say what `lab evaluate` refuses to estimate; the text fields fill the
legal drafts of `lab kit` (an empty one is written as an item for the DPO to complete).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from core.settings import AT_LEAST_ONE, Bounds, Section, doc


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
