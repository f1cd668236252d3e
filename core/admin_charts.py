"""Server-side SVG bar charts for the console's dashboard (``core.admin_site.Chart``).

No chart library and no script: the CSP allows neither inline code nor eval, and a
30-day bar chart is a few dozen rectangles. The geometry is computed here and drawn by
``templates/admin/console/chart.html`` with SVG attributes only (colours come from
classes in ``static/admin-ogc/console.css``, so dark mode and the CSP both hold). Each
chart carries its text alternative: a ``<title>``/``<desc>`` pair named by
``aria-labelledby``, a ``<title>`` per bar (hover), and the data as a table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from core.admin_site import Chart
from core.amounts import format_amount

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 64, 8, 12, 26


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int
    label: str


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class DayLabel:
    x: float
    label: str
    anchor: str


def format_value(value: Decimal | int, chart: Chart) -> str:
    if chart.money:
        return format_amount(Decimal(value), places=2 if abs(Decimal(value)) >= 1000 else None, grouping=True)
    return f"{int(value):,}"


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above ``value`` (axis top)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def geometry(chart: Chart) -> dict[str, Any]:
    """Bars, y-axis ticks and day labels of ``chart`` in the SVG's coordinates."""
    days = list(chart.days)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    peak = max((float(v) for s in chart.series for v in s.values), default=0.0)
    top = nice_ceiling(peak)
    group = plot_w / max(1, len(days))
    count = max(1, len(chart.series))
    bar_w = group * 0.8 / count
    bars = []
    unit = f" {chart.unit}" if chart.unit else ""
    for index, series in enumerate(chart.series):
        for n, (day, value) in enumerate(zip(days, series.values, strict=True)):
            height = plot_h * float(value) / top if top else 0
            bars.append(
                Bar(
                    x=round(LEFT + n * group + group * 0.1 + index * bar_w, 2),
                    y=round(TOP + plot_h - height, 2),
                    width=round(max(bar_w - 1, 1), 2),
                    height=round(max(height, 0), 2),
                    series=index + 1,
                    label=f"{day:%b %-d}: {series.label} {format_value(value, chart)}{unit}",
                )
            )
    ticks = [
        Tick(y=round(TOP + plot_h - plot_h * share, 2), label=format_value(_tick_value(top * share, chart), chart))
        for share in (0, 0.5, 1)
    ]
    labels = []
    if days:
        for n, anchor in ((0, "start"), (len(days) // 2, "middle"), (len(days) - 1, "end")):
            x = LEFT + n * group + (0 if anchor == "start" else group / 2 if anchor == "middle" else group)
            labels.append(DayLabel(x=round(x, 2), label=f"{days[n]:%b %-d}", anchor=anchor))
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "baseline": TOP + plot_h,
        "label_y": HEIGHT - 8,
        "bars": bars,
        "ticks": ticks,
        "labels": labels,
        "rows": [(day, [format_value(s.values[n], chart) for s in chart.series]) for n, day in enumerate(days)],
    }


def _tick_value(value: float, chart: Chart) -> Decimal | int:
    return Decimal(str(round(value, 2))).normalize() if chart.money else round(value)
