"""What an indicator of the monthly report is, declared once (DESIGN §7).

An `IndicatorSpec` says everything the rest of Campus needs to know about one indicator: its
Gollac axis, unit and family, which direction is better, how privacy treats it (additive,
per-person, the figures that follow its complementary suppression), the vigilance threshold that
raises a point about it, whether it is a key figure of the first page or a default outcome of the
lab, and its French label and definition (English in `core/locale`). A `Catalogue` holds the
declarations in the report's order and derives every lookup from them, so the report, the
vigilance rules, the settings of `campus.toml` and the lab can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.i18n import _
from core.settings import Bounds
from core.vocabulary import AXES

if TYPE_CHECKING:
    from analytics.indicators import Activity, Figure

UNITS = ("people", "count", "share", "hours", "scale")
DIRECTIONS = ("up", "down", None)
KINDS = ("min", "max")


SHARE_FLOOR = Bounds(0, 1, high_included=False)  # a minimal share: 100 % would always raise it
SHARE_CEILING = Bounds(0, 1, low_included=False)  # a maximal share: 0 % would always raise it
SCALE_FLOOR = Bounds(1, 5, high_included=False)  # a minimal barometer answer (1–5)


@dataclass(frozen=True)
class Threshold:
    """A setting of `[indicators]` in campus.toml that raises a point de vigilance when a figure
    falls below it (`kind` "min") or goes above it ("max"). Several indicators may share one
    (the after-hours shares by role, the barometer's axes): declare it once, use it in each."""

    setting: str
    kind: str
    default: int | float
    bounds: Bounds
    help: str  # the French comment `campus init` writes above the setting

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"threshold {self.setting}: kind {self.kind!r} not in {KINDS}")
        if self.default not in self.bounds:
            raise ValueError(f"threshold {self.setting}: default outside {self.bounds.text}")


Compute = Callable[["Activity", str], Mapping[str | None, "Figure"]]
"""A figure computed outside the report's main pass: (activity, month) → {scope: Figure}, the
network under the key None; a scope left out gets the indicator's `empty_value` and n = 0."""


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator of the monthly report, declared once.

    - `unit`: "people" | "count" | "share" | "hours" | "scale" (1–5); `family`: participation,
      mutual_aid, working_time, load, social, pulse (how the report groups its tables);
    - `better`: "up" or "down" when a change is good or bad for the people concerned, None when
      it is neither in itself (more members, more topics); the report's trends and the lab's
      conclusions both read it;
    - `additive`: the network's value is (at most a small remainder away from) the sum of the
      cooperatives' values, so it gets complementary suppression (`analytics.indicators.
      suppression`); `followers`: the figures withheld with it, since they would give it back;
    - `per_person`: a count of people shown with its share of n (« 12 sur 40, 30 % »), and
      compared with its threshold as that share;
    - `threshold`: the vigilance rule, if any; `guidance`: the key of the texts that explain its
      point in `reports.wording` (None: its id), shared by the after-hours roles and the
      barometer's axes; `key_figure` / `lab_outcome`: the position on the
      network report's first page / among the lab's default outcomes (ties: catalogue order);
    - `label`, `definition`: French source texts, translated through `core.i18n` (campus.po);
    - `empty_value`: the figure of a scope with nobody in it (0 for a count, else None);
    - `compute`: None for the figures of the report's main pass (`analytics.indicators`), else
      the function that computes this one.
    """

    id: str
    axis: str
    unit: str
    family: str
    label: str
    definition: str
    better: str | None = None
    additive: bool = False
    per_person: bool = False
    followers: tuple[str, ...] = ()
    threshold: Threshold | None = None
    guidance: str | None = None
    key_figure: int | None = None
    lab_outcome: int | None = None
    empty_value: int | None = None
    compute: Compute | None = None

    def __post_init__(self) -> None:
        if self.axis not in AXES:
            raise ValueError(f"indicator {self.id}: axis {self.axis!r} not in {AXES}")
        if self.unit not in UNITS:
            raise ValueError(f"indicator {self.id}: unit {self.unit!r} not in {UNITS}")
        if self.better not in DIRECTIONS:
            raise ValueError(f"indicator {self.id}: better {self.better!r} not in {DIRECTIONS}")

    def label_in(self, lang: str) -> str:
        """The indicator's name in `lang`."""
        return _(self.label, lang=lang)

    def definition_in(self, lang: str) -> str:
        """The indicator's published definition in `lang`."""
        return _(self.definition, lang=lang)


class Catalogue(Mapping[str, IndicatorSpec]):
    """The report's indicators by id, in the report's order, and every lookup derived from them.

    Lookups are computed on each call, so an indicator added with `add` is everywhere at once."""

    def __init__(self, specs: Iterable[IndicatorSpec] = ()) -> None:
        self._specs: dict[str, IndicatorSpec] = {}
        for spec in specs:
            self._put(spec)
        self._check_followers()

    def __getitem__(self, key: str) -> IndicatorSpec:
        return self._specs[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    def add(self, spec: IndicatorSpec) -> None:
        """Declare one more indicator, after the others."""
        self._put(spec)
        try:
            self._check_followers()
            self.thresholds()
        except ValueError:
            del self._specs[spec.id]
            raise

    def remove(self, key: str) -> None:
        """Withdraw an indicator declared with `add`."""
        del self._specs[key]

    def _put(self, spec: IndicatorSpec) -> None:
        if spec.id in self._specs:
            raise ValueError(f"indicator {spec.id} declared twice")
        self._specs[spec.id] = spec

    def _check_followers(self) -> None:
        for spec in self._specs.values():
            unknown = [key for key in spec.followers if key not in self._specs]
            if unknown:
                raise ValueError(f"indicator {spec.id}: unknown followers {unknown}")

    def better(self) -> dict[str, str | None]:
        """Each indicator's better direction ("up", "down" or None)."""
        return {key: spec.better for key, spec in self._specs.items()}

    def additive(self) -> frozenset[str]:
        """The additive indicators (complementary suppression)."""
        return frozenset(key for key, spec in self._specs.items() if spec.additive)

    def per_person(self) -> frozenset[str]:
        """The counts of people shown with their share of n."""
        return frozenset(key for key, spec in self._specs.items() if spec.per_person)

    def followers(self) -> dict[str, tuple[str, ...]]:
        """Additive indicator → the figures withheld with its complementary suppression."""
        return {key: spec.followers for key, spec in self._specs.items() if spec.followers}

    def with_threshold(self) -> list[IndicatorSpec]:
        """The indicators that can raise a point de vigilance, in the report's order."""
        return [spec for spec in self._specs.values() if spec.threshold is not None]

    def thresholds(self) -> tuple[Threshold, ...]:
        """The distinct thresholds, in the order of their first use (the settings' order)."""
        found: dict[str, Threshold] = {}
        for spec in self.with_threshold():
            known = found.setdefault(spec.threshold.setting, spec.threshold)
            if known != spec.threshold:
                raise ValueError(f"threshold {known.setting} declared twice, differently")
        return tuple(found.values())

    def key_figures(self) -> tuple[str, ...]:
        """The figures on the first page of the network report, in their order."""
        return self._ordered("key_figure")

    def lab_outcomes(self) -> tuple[str, ...]:
        """The outcomes `lab evaluate` estimates when none is named, in their order."""
        return self._ordered("lab_outcome")

    def _ordered(self, attribute: str) -> tuple[str, ...]:
        ranked = [
            (getattr(spec, attribute), index, key)
            for index, (key, spec) in enumerate(self._specs.items())
            if getattr(spec, attribute) is not None
        ]
        return tuple(key for _rank, _index, key in sorted(ranked))
