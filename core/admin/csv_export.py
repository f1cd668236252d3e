"""Streamed, audited CSV exports of any filtered changelist (``CsvExportMixin``)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import path, reverse
from django.utils import timezone

from core.amounts import format_amount
from core.audit import AuditAction, audit_record


class _Echo:
    """A file-like object whose write() returns the line (csv.writer into a generator)."""

    def write(self, value: str) -> str:
        return value


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A value for a spreadsheet: amounts as exact plain decimals ("50", not
    "50.000000000000000000"), datetimes in ISO 8601 UTC, and text that a spreadsheet
    would run as a formula ("=HYPERLINK(...)" in a memo) prefixed with a quote."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_amount(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def stream_csv_rows(
    queryset: QuerySet,
    columns: Sequence[tuple[str, str]],
    *,
    chunk_size: int = 2_000,
    source: QuerySet | None = None,
) -> Iterator[Sequence[Any]]:
    """The rows of ``queryset`` as ``values_list`` tuples of ``columns`` (header, path),
    ``chunk_size`` rows at a time in primary-key order: ``SELECT id WHERE <filters> AND
    id > <last> ORDER BY id LIMIT n``, then those rows' columns by id. Memory stays
    constant whatever the row count:
    mysqlclient reads a whole result set into memory before the first row (Django's
    ``.iterator(chunk_size=...)`` streams only on PostgreSQL and Oracle), so a single
    query over a million rows would not; each chunk here is one small result. ``source``
    (default: the model's manager) is where the columns are read from: a queryset whose
    annotations some ``columns`` name."""
    paths = [p for _, p in columns]
    base = queryset.order_by("pk")
    last = None
    while True:
        # The chunk's ids alone first (one table, its primary key in order), then their
        # columns: with the joins of the related columns in the same query, MariaDB may
        # start from the joined table and sort everything for every chunk.
        chunk_qs = base if last is None else base.filter(pk__gt=last)
        ids = list(chunk_qs.values_list("pk", flat=True)[:chunk_size])
        if not ids:
            return
        origin = source if source is not None else base.model._default_manager.all()
        rows = origin.filter(pk__in=ids).order_by("pk").values_list(*paths)
        yield from rows
        if len(ids) < chunk_size:
            return
        last = ids[-1]


class CsvExportMixin:
    """ "Export CSV" of any filtered changelist: ``<changelist>/export.csv?<the list's
    query string>`` streams every row the list would show (its filters and search, in
    primary-key order, not only the page) as ``export_columns`` (header, values_list
    path). The export is audited (``AuditAction.EXPORT_CSV`` on the model's content
    type: who, which table, which filters) before the first byte is sent. Needs the
    model's view permission."""

    export_columns: Sequence[tuple[str, str]] = ()
    #: Per header, a function turning the column's raw value into the cell (an action
    #: number into its name, a content type id into "app.model").
    export_converters: dict[str, Callable[[Any], Any]] = {}
    export_chunk_size = 2_000

    def export_source(self) -> QuerySet | None:
        """Where the export reads its columns (None: the model's manager); override when
        ``export_columns`` name annotations."""
        return None

    #: The URL name of this admin's export view (a queue mounted elsewhere sets its own).
    export_url_name = ""

    def get_export_url_name(self) -> str:
        opts = self.model._meta  # type: ignore[attr-defined]
        return self.export_url_name or f"{opts.app_label}_{opts.model_name}_export"

    def get_urls(self) -> list:
        view = self.admin_site.admin_view(self.export_csv_view)  # type: ignore[attr-defined]
        return [path("export.csv", view, name=self.get_export_url_name()), *super().get_urls()]  # type: ignore[misc]

    def export_queryset(self, request: HttpRequest) -> QuerySet:
        """The changelist's queryset for this query string (filters and search applied;
        no page is read: ``ConsoleChangeList`` skips its results for an export)."""
        request.console_export = True  # type: ignore[attr-defined]
        changelist = self.get_changelist_instance(request)  # type: ignore[attr-defined]
        return changelist.queryset

    def export_csv_view(self, request: HttpRequest) -> StreamingHttpResponse:
        if not self.has_view_permission(request):  # type: ignore[attr-defined]
            raise PermissionDenied
        opts = self.model._meta  # type: ignore[attr-defined]
        queryset = self.export_queryset(request)
        columns = list(self.export_columns)
        audit_record(
            action=AuditAction.EXPORT_CSV,
            instance=ContentType.objects.get_for_model(self.model),  # type: ignore[attr-defined]
            actor=request.user,
            data={"table": opts.label_lower, "query": request.GET.urlencode(), "columns": [h for h, _ in columns]},
        )
        writer = csv.writer(_Echo())

        identity: Callable[[Any], Any] = lambda value: value  # noqa: E731
        convert = [self.export_converters.get(header, identity) for header, _ in columns]

        def lines() -> Iterator[str]:
            yield writer.writerow([header for header, _ in columns])
            rows = stream_csv_rows(queryset, columns, chunk_size=self.export_chunk_size, source=self.export_source())
            for row in rows:
                yield writer.writerow([csv_cell(fn(value)) for fn, value in zip(convert, row, strict=True)])

        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{opts.model_name}-{stamp}.csv"'
        return response

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        url = reverse(f"admin:{self.get_export_url_name()}")
        query = request.GET.urlencode()
        extra_context = {**(extra_context or {}), "export_url": f"{url}?{query}" if query else url}
        return super().changelist_view(request, extra_context=extra_context)  # type: ignore[misc]
