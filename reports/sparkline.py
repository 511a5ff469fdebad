"""The small year-long lines of the report's tables, as plain inline SVG (numbers only).

Kept apart from `reports.charts` so that drawing them needs no plotting library.
"""

from __future__ import annotations

LINE = "#1b6ca8"
VERDICT_COLOURS = {"better": "#1e7b3a", "worse": "#b3261e"}  # the report's green and red


def sparkline(
    values: list[float | None],
    unit: str,
    verdict: str | None = None,
    width: int = 120,
    height: int = 26,
) -> str:
    """A small SVG line of `values` (gaps where None), the last value dotted: green or red when
    it is the report's month and its change is judged better or worse (`verdict`, the trend's),
    as the report's legend says, else a neutral ring; numbers only."""
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return ""
    low, high = min(known), max(known)
    if unit in ("share",):
        low, high = min(low, 0.0), max(high, low + 0.05)
    span = (high - low) or 1.0
    step = (width - 6) / max(len(values) - 1, 1)

    def point(i: int, v: float) -> str:
        return f"{3 + i * step:.1f},{height - 3 - (v - low) / span * (height - 6):.1f}"

    segments, current = [], []
    for i, v in enumerate(values):
        if v is None:
            if current:
                segments.append(current)
            current = []
        else:
            current.append(point(i, v))
    if current:
        segments.append(current)
    lines = "".join(
        f'<polyline points="{" ".join(seg)}" fill="none" stroke="{LINE}" stroke-width="1.5"/>'
        for seg in segments
    )
    last = next((i, v) for i, v in reversed(list(enumerate(values))) if v is not None)
    x, y = point(*last).split(",")
    colour = VERDICT_COLOURS.get(verdict or "") if last[0] == len(values) - 1 else None
    paint = f'fill="{colour}"' if colour else f'fill="white" stroke="{LINE}" stroke-width="1.2"'
    return (
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" aria-hidden="true">'
        f'{lines}<circle cx="{x}" cy="{y}" r="2.5" {paint}/></svg>'
    )
