"""Settings of `campus relay` (DESIGN §12), the `[relay]` section of campus.toml."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from holidays import country_holidays, list_supported_countries

from core.errors import InputError
from core.i18n import _
from core.settings import AT_LEAST_ONE, Section, doc


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
