import re
from typing import cast

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, QuerySet, Window
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination

#: The largest OFFSET every database we run on accepts (MariaDB takes up to 2**64-1, beyond
#: which the number is a syntax error, 1064; SQLite and PostgreSQL stop at 2**63-1). No
#: table comes near it, so a page that starts past it is refused before any query.
MAX_OFFSET = 2**63 - 1


def parse_page_number(raw: str) -> int | None:
    """A ``?page=`` value as a number, or None when it is not one: ASCII digits only
    (``int()`` would also take a sign, spaces, underscores and other scripts' digits).
    A number of more than 20 digits is past any row and is returned as ``10**20``
    (``int()`` itself refuses numbers of more than 4,300 digits with a ValueError)."""
    if not raw.isascii() or not raw.isdigit():
        return None
    digits = raw.lstrip("0") or "0"
    return int(digits) if len(digits) <= 20 else 10**20


def _strict_page_size(paginator, request) -> int:
    """``page_size`` must be one whole number of at least 1 (larger than
    ``max_page_size`` is capped, as DRF does, however many digits it has: the schema
    sets no maximum): DRF would quietly fall back to the default on ``?page_size=abc``
    or ``0``; we answer 400."""
    raw = request.query_params.getlist(paginator.page_size_query_param)
    if not raw:
        return paginator.page_size
    if len(raw) > 1 or not re.fullmatch(r"[0-9]+", raw[0]) or not raw[0].strip("0"):
        raise ValidationError({paginator.page_size_query_param: ["Enter one whole number of at least 1."]})
    digits = raw[0].lstrip("0")
    return paginator.max_page_size if len(digits) > 9 else min(int(digits), paginator.max_page_size)


class StrictPageSizeMixin:
    def get_page_size(self, request):
        return _strict_page_size(self, request)

    def get_schema_operation_parameters(self, view):
        """DRF's parameters, with the lower bound the code enforces: ``page`` and
        ``page_size`` are integers of at least 1."""
        parameters = super().get_schema_operation_parameters(view)  # type: ignore[misc]
        bounded = {getattr(self, "page_query_param", None), getattr(self, "page_size_query_param", None)}
        for parameter in parameters:
            if parameter["name"] in bounded and parameter["schema"].get("type") == "integer":
                parameter["schema"]["minimum"] = 1
        return parameters


class DefaultPagination(StrictPageSizeMixin, PageNumberPagination):
    """DRF's page-number pagination with a strict ``page``: one value of ASCII digits
    (or ``last``). DRF reads ``?page=`` (empty) as page 1 and ``int()`` takes ``+1``,
    `` 1`` or ``1_0``; here any of them, like a page past the end (however large), is
    DRF's 404 "Invalid page." — never a query with an impossible OFFSET."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_number(self, request, paginator):
        raw = request.query_params.getlist(self.page_query_param)
        if not raw:
            return 1
        if len(raw) == 1 and raw[0] in self.last_page_strings:
            return paginator.num_pages
        number = parse_page_number(raw[0]) if len(raw) == 1 else None
        if number is None:
            raise NotFound(self.invalid_page_message)
        return number  # 0 or past the end: the paginator's EmptyPage, DRF's 404


class CreatedCursorPagination(StrictPageSizeMixin, CursorPagination):
    """Stable cursor pagination over append-only rows, newest first."""

    ordering = ("-created_at", "-id")
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


class WindowCountPaginator(Paginator):
    """Django's paginator with the total in the page's own query: the rows are fetched
    with ``COUNT(*) OVER ()``, so a page is one query instead of ``COUNT(*)`` + rows.

    The database still counts every matching row (the window spans the filtered set
    before LIMIT), in the same statement: what is saved is a round trip and Django's
    compilation of a second query. A page past the end returns no rows, which is
    enough to refuse it (``EmptyPage``) without counting; page 1 of nothing has a
    count of 0. ``count``/``num_pages`` read before ``page()`` (DRF's ``page=last``)
    still run Django's ``COUNT(*)``. Works on model and ``.values()`` querysets; the
    rows come back without the annotation. No orphans. A page that would start past
    ``MAX_OFFSET`` is refused without a query (MariaDB answers a larger OFFSET with a
    syntax error)."""

    total_alias = "_paginator_window_total"

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, error_messages=None):
        if orphans:
            raise ValueError("WindowCountPaginator does not merge orphans.")
        super().__init__(object_list, per_page, 0, allow_empty_first_page, error_messages)

    def page(self, number):
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        alias = self.total_alias
        bottom = (number - 1) * self.per_page
        if bottom + self.per_page > MAX_OFFSET:
            raise EmptyPage(self.error_messages["no_results"])
        # object_list is a QuerySet here (the pagination class hands one over); the stub
        # types Paginator's list as a generic sliceable.
        queryset = cast(QuerySet, self.object_list)
        rows = list(queryset.annotate(**{alias: Window(Count("*"))})[bottom : bottom + self.per_page])
        if rows:
            is_dict = isinstance(rows[0], dict)
            total = rows[0][alias] if is_dict else getattr(rows[0], alias)
            for row in rows:
                if is_dict:
                    del row[alias]
                else:
                    delattr(row, alias)
        elif number == 1 and self.allow_empty_first_page:
            total = 0
        else:
            raise EmptyPage(self.error_messages["no_results"])
        self.__dict__["count"] = total  # ``count`` is a cached_property: no COUNT(*) query
        return self._get_page(rows, number, self)  # type: ignore[attr-defined]  # Paginator's documented hook, not in the stub


class WindowCountPagination(DefaultPagination):
    """``DefaultPagination`` (same parameters, same response, same schema) whose page
    and count come from one query (``WindowCountPaginator``)."""

    django_paginator_class = WindowCountPaginator
