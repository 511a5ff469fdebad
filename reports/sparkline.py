"""The small year-long lines of the report's tables, as plain inline SVG (numbers only).

Also the barometer of a cooperative as small stacked bars, one per month. Kept apart from
`reports.charts` so that drawing them needs no plotting library.
"""

from __future__ import annotations

LINE = "#1b6ca8"
LAST = "#d1495b"
# the barometer's five answers, from « pas du tout d'accord » (red) to « tout à fait » (blue)
SCALE_COLOURS = ("#b2182b", "#ef8a62", "#d9d9d9", "#67a9cf", "#2166ac")


def sparkline(values: list[float | None], unit: str, width: int = 120, height: int = 26) -> str:
    """A small SVG line of `values` (gaps where None), the last value dotted; numbers only."""
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
    return (
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" aria-hidden="true">'
        f'{lines}<circle cx="{x}" cy="{y}" r="2.5" fill="{LAST}"/></svg>'
    )


def distribution_bars(series: list[list[float] | None], width: int = 240, height: int = 40) -> str:
    """One stacked bar per month of the shares of answers 1–5 (bottom: 1), a gap where a month
    has no result to show; "" when no month has one."""
    if not any(series):
        return ""
    step = width / len(series)
    bars = []
    for i, shares in enumerate(series):
        if not shares:
            continue
        bottom = float(height)
        for share, colour in zip(shares, SCALE_COLOURS, strict=True):
            size = share * height
            bottom -= size
            bars.append(
                f'<rect x="{i * step + 1:.1f}" y="{bottom:.1f}" width="{step - 2:.1f}" '
                f'height="{size:.1f}" fill="{colour}"/>'
            )
    return (
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-hidden="true">{"".join(bars)}</svg>'
    )
