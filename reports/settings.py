"""Settings owned by the `reports` package: the `[reports]` section of campus.toml."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from core.errors import InputError
from core.i18n import LANGS, _
from core.settings import doc


@dataclass(frozen=True)
class ReportSettings:
    """Where and how the monthly QVT reports are written and published (DESIGN §2, §7)."""

    TITLE: ClassVar[str] = "Les rapports mensuels QVT (campus report)"

    output_dir: str = doc("rapports", "dossier des rapports (un sous-dossier AAAA-MM par mois)")
    lang: str = doc("fr", "langue des rapports : fr (défaut) ou en")
    min_group_size: int = doc(5, "aucun chiffre n'est montré s'il porte sur moins de personnes")
    history_months: int = doc(
        12, "nombre de mois des courbes de tendance et du jugement des variations"
    )
    publish_category: str = doc(
        "direction", "slug de la catégorie où --publish publie le rapport du réseau"
    )
    publish_title: str = doc(
        "Rapport QVT — {month}",
        "titre du sujet publié ({month} : AAAA-MM) ; il doit rester stable d'un envoi à l'autre",
    )

    publish_from_worker: bool = doc(
        True, "le worker publie aussi le rapport du réseau le premier jour du mois"
    )

    def __post_init__(self) -> None:
        if self.lang not in LANGS:
            raise InputError(_("[reports] lang = « {value} » : fr ou en attendu.", value=self.lang))
        if self.min_group_size < 2:
            raise InputError(
                _(
                    "[reports] min_group_size = {value} : un entier d'au moins 2 est attendu (5 conseillé).",
                    value=self.min_group_size,
                )
            )
        if not 3 <= self.history_months <= 24:
            raise InputError(
                _(
                    "[reports] history_months = {value} : un entier de 3 à 24 est attendu.",
                    value=self.history_months,
                )
            )
