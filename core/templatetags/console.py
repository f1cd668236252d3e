"""``{% load console %}``: template tags of the operator console.

- ``{% console_chart chart %}``: a dashboard chart as SVG with its data table
  (``core.admin_charts``);
- ``{% console_date_hierarchy cl %}``: the admin's date drill-down without its scans.
  Django's tag lists the years, months or days that hold rows with ``SELECT DISTINCT``
  over the filtered list (a full scan of 250,000 audit entries for the month list);
  this one reads the table's first and last date (MIN/MAX on the indexed column: two
  index look-ups) and offers every year, month or day between them.
"""

from __future__ import annotations

import calendar
import datetime

from django import template
from django.contrib.admin.utils import get_fields_from_path
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst

from core.admin_charts import geometry

register = template.Library()


@register.inclusion_tag("admin/console/chart.html")
def console_chart(chart, index: int = 0) -> dict:
    return {"chart": chart, "geo": geometry(chart), "chart_id": f"chart-{index}"}


def _bounds(cl, field_name: str) -> tuple[datetime.date | None, datetime.date | None]:
    bounds = cl.root_queryset.aggregate(first=models.Min(field_name), last=models.Max(field_name))
    first, last = bounds["first"], bounds["last"]
    if first is None or last is None:
        return None, None
    if isinstance(first, datetime.datetime):
        first, last = timezone.localtime(first).date(), timezone.localtime(last).date()
    return first, last


@register.inclusion_tag("admin/date_hierarchy.html")
def console_date_hierarchy(cl) -> dict:
    if not cl.date_hierarchy:
        return {"show": False}
    field_name = cl.date_hierarchy
    get_fields_from_path(cl.model, field_name)  # raises on a bad path, like Django's tag
    year_field, month_field, day_field = f"{field_name}__year", f"{field_name}__month", f"{field_name}__day"
    year, month, day = (cl.params.get(f) for f in (year_field, month_field, day_field))

    def link(filters: dict) -> str:
        return cl.get_query_string(filters, [f"{field_name}__"])

    first, last = _bounds(cl, field_name)
    if first is None or last is None:
        return {"show": False}
    if not (year or month or day) and first.year == last.year:
        year = first.year
        if first.month == last.month:
            month = first.month
    if year and month and day:
        chosen = datetime.date(int(year), int(month), int(day))
        return {
            "show": True,
            "back": {
                "link": link({year_field: year, month_field: month}),
                "title": capfirst(formats.date_format(chosen, "YEAR_MONTH_FORMAT")),
            },
            "choices": [{"title": capfirst(formats.date_format(chosen, "MONTH_DAY_FORMAT"))}],
        }
    if year and month:
        y, m = int(year), int(month)
        days = [datetime.date(y, m, d) for d in range(1, calendar.monthrange(y, m)[1] + 1)]
        days = [d for d in days if first <= d <= last]
        return {
            "show": True,
            "back": {"link": link({year_field: year}), "title": str(year)},
            "choices": [
                {
                    "link": link({year_field: year, month_field: month, day_field: d.day}),
                    "title": capfirst(formats.date_format(d, "MONTH_DAY_FORMAT")),
                }
                for d in days
            ],
        }
    if year:
        y = int(year)
        months = [datetime.date(y, m, 1) for m in range(1, 13)]
        months = [m for m in months if (first.year, first.month) <= (m.year, m.month) <= (last.year, last.month)]
        return {
            "show": True,
            "back": {"link": link({}), "title": "All dates"},
            "choices": [
                {
                    "link": link({year_field: year, month_field: m.month}),
                    "title": capfirst(formats.date_format(m, "YEAR_MONTH_FORMAT")),
                }
                for m in months
            ],
        }
    return {
        "show": True,
        "back": None,
        "choices": [{"link": link({year_field: str(y)}), "title": str(y)} for y in range(first.year, last.year + 1)],
    }
