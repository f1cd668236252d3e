"""core.charts: the server-side SVG charts (pure functions, no database)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from core.charts import HEIGHT, WIDTH, StepSeries, diverging_bars, nice_ceiling, step_chart

D = Decimal
T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "top"),
    [(D(0), D(1)), (D("0.3"), D("0.5")), (D(1), D(1)), (D("1.01"), D(2)), (D(2100), D(2500)), (D(7000), D(10000))],
)
def test_nice_ceiling(value, top):
    assert nice_ceiling(value) == top


def test_step_chart_draws_steps_on_a_round_axis():
    series = StepSeries(
        "available", "Available", [(T0, D(0)), (T0 + timedelta(days=5), D(100)), (T0 + timedelta(days=10), D(50))]
    )
    chart = step_chart([series], start=T0, end=T0 + timedelta(days=10))
    assert chart.y_ticks == [D(100), D(50), D(0)]
    assert chart.grid == ["0", "100", "200"]
    assert chart.view_box == f"0 0 {WIDTH} {HEIGHT}"
    # From (0, bottom): across to the middle, up to the top, across to the end, down to half.
    assert chart.lines[0].d == "M0 200H320V0H640V100H640"


def test_step_chart_keeps_the_last_value_of_a_column_and_clamps_to_the_window():
    points = [(T0 - timedelta(days=1), D(10)), (T0, D(20)), (T0 + timedelta(seconds=1), D(40))]
    chart = step_chart([StepSeries("held", "Held", points)], start=T0, end=T0 + timedelta(days=30))
    assert chart.y_ticks[0] == D(50)
    assert chart.lines[0].d == "M0 40H640"  # one column: the last value (40) wins


def test_diverging_bars():
    days = ["a", "b", "c"]
    chart = diverging_bars(days, [D(10), D(0), D("2.5")], [D(0), D(5), D(0)])
    assert chart.top == D(10) and chart.zero == "100"
    bars = {(b.category, b.key): b for b in chart.bars}
    assert set(bars) == {("a", "up"), ("b", "down"), ("c", "up")}
    assert (bars["a", "up"].y, bars["a", "up"].height) == ("0", "100")
    assert (bars["b", "down"].y, bars["b", "down"].height) == ("100", "50")
    assert bars["c", "up"].height == "25"
