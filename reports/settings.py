"""Settings owned by the `reports` package: the `[reports]` section of campus.toml."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from core.errors import InputError
from core.i18n import LANGS, _
from core.settings import Bounds, Section, doc


@dataclass(frozen=True)
class ReportSettings(Section):
    """Where and how the monthly QVT reports are written and published (DESIGN §2, §7)."""

    SECTION: ClassVar[str] = "reports"
    TITLE: ClassVar[str] = "Les rapports mensuels QVT (campus report)"

    output_dir: str = doc("rapports", "dossier des rapports (un sous-dossier AAAA-MM par mois)")
    lang: str = doc("fr", "langue des rapports : fr (défaut) ou en")
    min_group_size: int = doc(
        5, "aucun chiffre n'est montré s'il porte sur moins de personnes", bounds=Bounds(2)
    )
    history_months: int = doc(
        12,
        "nombre de mois des courbes de tendance et du jugement des variations",
        bounds=Bounds(3, 24),
    )
    publish_category: str = doc(
        "direction", "slug de la catégorie où --publish publie le rapport du réseau"
    )
    publish_title: str = doc(
        "Rapport QVT — {month}",
        "titre du sujet publié ({month} : le mois en toutes lettres) ; le sujet est retrouvé par son numéro, le titre peut changer",
    )

    publish_from_worker: bool = doc(
        True, "le worker publie aussi le rapport du réseau le premier jour du mois"
    )

    def check(self) -> None:
        """The language is one Campus speaks (else exit 2)."""
        if self.lang not in LANGS:
            raise InputError(_("[reports] lang = « {value} » : fr ou en attendu.", value=self.lang))


@dataclass(frozen=True)
class DigestSettings(Section):
    """Where the monthly digest of solved questions is published."""

    SECTION: ClassVar[str] = "digest"
    TITLE: ClassVar[str] = "Le récapitulatif mensuel des questions résolues (campus digest)"

    category: str = doc("campus", "catégorie (slug) où le récapitulatif du réseau est publié")
    publish_from_worker: bool = doc(
        True, "le worker publie le récapitulatif du réseau le 1er du mois"
    )
