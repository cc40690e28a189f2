"""A time axis that labels seconds as h:mm:ss(.fff), with as many decimals as the tick spacing needs."""

from __future__ import annotations

import math

import pyqtgraph as pg


def format_seconds(value: float, decimals: int) -> str:
    sign = "-" if value < 0 else ""
    total_ms = round(abs(value) * 1000)
    hours, rest = divmod(total_ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds = rest / 1000
    sec = f"{seconds:0{3 + decimals if decimals else 2}.{decimals}f}"
    return f"{sign}{hours}:{minutes:02d}:{sec}" if hours else f"{sign}{minutes}:{sec}"


def decimals_for(spacing: float) -> int:
    return 0 if spacing >= 1 else min(3, max(0, math.ceil(-math.log10(spacing) - 1e-9)))


class TimeAxisItem(pg.AxisItem):
    """Bottom axis of the timeline (x is in seconds)."""

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        decimals = decimals_for(spacing * scale)
        return [format_seconds(v * scale, decimals) for v in values]
