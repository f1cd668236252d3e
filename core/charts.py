"""Small charts drawn on the server as SVG: no chart library, no script, nothing the
strict CSP would block (shapes carry classes, ``site.css`` colours them with tokens, so
dark mode follows). Two shapes, each data for a template in ``templates/components/``:

- ``step_chart``: lines of values that hold until the next change (balances over time),
  for ``components/chart_steps.html``;
- ``diverging_bars``: two values per category, one up and one down from a zero line
  (tokens in and out per day), for ``components/chart_bars.html``.

The SVG is stretched to its box (``preserveAspectRatio="none"``; strokes keep their
width with ``vector-effect``); the axis labels are HTML around it, so they keep their
size on a phone. Pixel positions are floats (drawing only); values shown as text stay
``Decimal`` and are formatted by the templates. Every chart needs a text alternative
next to it (a sentence, a table): the SVG is one ``role="img"`` with a title."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

WIDTH = 640
HEIGHT = 200
_NICE_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))


def nice_ceiling(value: Decimal) -> Decimal:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is >= ``value`` (1 for 0),
    so the top of the axis is a round number."""
    if value <= 0:
        return Decimal(1)
    exponent = value.adjusted()
    for step in _NICE_STEPS:
        candidate = step.scaleb(exponent)
        if candidate >= value:
            return candidate
    return Decimal(10).scaleb(exponent)  # not reached: 10 x 10^e is always >= value


def _number(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


# --- steps ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepSeries:
    """One line: ``points`` are (instant, value) pairs, oldest first; each value holds
    until the next point. ``key`` names its CSS modifier (``chart-line-<key>``)."""

    key: str
    label: str
    points: Sequence[tuple[datetime, Decimal]]


@dataclass(frozen=True)
class ChartLine:
    key: str
    label: str
    d: str


@dataclass(frozen=True)
class StepChart:
    lines: list[ChartLine]
    y_ticks: list[Decimal]  # top to bottom: the maximum, half of it, 0
    grid: list[str]  # the y of each tick's grid line
    start: datetime
    end: datetime
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def step_chart(series: Sequence[StepSeries], *, start: datetime, end: datetime) -> StepChart:
    """Lines for ``series`` between ``start`` and ``end``, on one axis from 0 to a round
    maximum. Points before ``start`` are drawn at the left edge; several points in one
    column of the chart keep the last (at most ``WIDTH`` vertices per line)."""
    span = max((end - start).total_seconds(), 1.0)
    top = nice_ceiling(max((value for s in series for _, value in s.points), default=Decimal(0)))

    def x_of(at: datetime) -> float:
        return min(max((at - start).total_seconds() / span, 0.0), 1.0) * WIDTH

    def y_of(value: Decimal) -> float:
        return HEIGHT - float(value / top) * HEIGHT

    lines = []
    for s in series:
        columns: dict[int, tuple[float, float]] = {}
        for at, value in s.points:
            x = x_of(at)
            columns[round(x)] = (x, y_of(value))  # the last value of a column wins
        if not columns:
            continue
        steps = list(columns.values())
        parts = [f"M{_number(steps[0][0])} {_number(steps[0][1])}"]
        for x, y in steps[1:]:
            parts.append(f"H{_number(x)}V{_number(y)}")
        parts.append(f"H{WIDTH}")
        lines.append(ChartLine(key=s.key, label=s.label, d="".join(parts)))
    ticks = [top, top / 2, Decimal(0)]
    return StepChart(lines=lines, y_ticks=ticks, grid=[_number(y_of(t)) for t in ticks], start=start, end=end)


# --- diverging bars ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    key: str  # "up" or "down": its CSS modifier (chart-bar-up, chart-bar-down)
    x: str
    y: str
    width: str
    height: str
    category: Any
    value: Decimal


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    top: Decimal  # the axis runs from +top to -top
    zero: str  # the y of the zero line
    categories: list[Any]
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def diverging_bars(categories: Sequence[Any], up: Sequence[Decimal], down: Sequence[Decimal]) -> BarChart:
    """Per category a bar up (``up[i]``) and a bar down (``down[i]``) from a zero line in
    the middle, on one round scale. Zero values draw no bar."""
    top = nice_ceiling(max([*up, *down], default=Decimal(0)))
    middle = HEIGHT / 2
    slot = WIDTH / max(len(categories), 1)
    bar_width = max(slot * 0.6, 1.0)
    bars = []
    for i, category in enumerate(categories):
        x = _number(i * slot + (slot - bar_width) / 2)
        for key, value in (("up", up[i]), ("down", down[i])):
            if value <= 0:
                continue
            height = max(float(value / top) * middle, 1.0)
            y = middle - height if key == "up" else middle
            bars.append(Bar(key, x, _number(y), _number(bar_width), _number(height), category, value))
    return BarChart(bars=bars, top=top, zero=_number(middle), categories=list(categories))
