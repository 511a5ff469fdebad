"""The settings helpers every package's settings module uses.

A settings module is a set of frozen dataclasses, one per campus.toml table, each a `Section`
naming its table (`SECTION`) and its title for `campus init` (`TITLE`). Each field is declared
with `doc(default, help, bounds=…)`: the default, the French comment `campus init` writes above
it (core.config), and the values it may take. `Section` refuses a value outside its bounds with
one message for every table, so no settings class writes a range check by hand; a class adds
`check()` only for what bounds cannot say (a URL, a language, two fields that go together).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import ClassVar

from core.errors import InputError
from core.i18n import _


@dataclass(frozen=True)
class Bounds:
    """The values a number may take: from `low` to `high` (None: no upper bound), each end
    included or not; never NaN or infinite."""

    low: int | float
    high: int | float | None = None
    low_included: bool = True
    high_included: bool = True

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, int | float) or not math.isfinite(value):
            return False
        above = value >= self.low if self.low_included else value > self.low
        if self.high is None:
            return above
        below = value <= self.high if self.high_included else value < self.high
        return above and below

    @property
    def text(self) -> str:
        """The bounds as the error messages write them (« > 0 et ≤ 1 »)."""
        parts = [f"{'≥' if self.low_included else '>'} {self.low:g}"]
        if self.high is not None:
            parts.append(f"{'≤' if self.high_included else '<'} {self.high:g}")
        return f" {_('et')} ".join(parts)


NON_NEGATIVE = Bounds(0)
POSITIVE = Bounds(0, low_included=False)
AT_LEAST_ONE = Bounds(1)


def doc(default, text: str, *, bounds: Bounds | None = None, env: str | None = None, **kwargs):
    """A dataclass field with its default, the comment `campus init` writes for it, the values
    it may take (`bounds`, for numbers; checked by `Section`) and the environment variable that
    replaces it (`env`)."""
    metadata = {"doc": text, "bounds": bounds, "env": env}
    if isinstance(default, dict | list):
        return field(default_factory=lambda: type(default)(default), metadata=metadata, **kwargs)
    return field(default=default, metadata=metadata, **kwargs)


def out_of_bounds(section: str, key: str, value: object, bounds: Bounds) -> InputError:
    """The one message for a setting outside its bounds (exit 2)."""
    return InputError(
        _(
            "[{section}] {key} = {value!r} : une valeur {expected} est attendue.",
            section=section,
            key=key,
            value=value,
            expected=bounds.text,
        )
    )


class Section:
    """Base of a settings dataclass: refuses, at construction, a field outside its bounds,
    then runs the class's own `check()`."""

    SECTION: ClassVar[str]
    TITLE: ClassVar[str]

    def __post_init__(self) -> None:
        for f in fields(self):  # type: ignore[arg-type]
            bounds = f.metadata.get("bounds")
            value = getattr(self, f.name)
            if bounds is not None and value not in bounds:
                raise out_of_bounds(self.SECTION, f.name, value, bounds)
        self.check()

    def check(self) -> None:
        """What bounds cannot say; nothing by default."""
