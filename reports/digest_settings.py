"""Settings of `campus digest` (DESIGN §12), the `[digest]` section of campus.toml."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from core.settings import Section, doc


@dataclass(frozen=True)
class DigestSettings(Section):
    """Where the monthly digest of solved questions is published."""

    SECTION: ClassVar[str] = "digest"
    TITLE: ClassVar[str] = "Le récapitulatif mensuel des questions résolues (campus digest)"

    category: str = doc("campus", "catégorie (slug) où le récapitulatif du réseau est publié")
    publish_from_worker: bool = doc(
        True, "le worker publie le récapitulatif du réseau le 1er du mois"
    )
