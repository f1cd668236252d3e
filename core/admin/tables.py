"""Big-table changelists: estimated counts, keyset "Older" links, related rows
prefetched instead of joined, page hooks, read-only amounts as people write them
(``ConsoleAdminMixin``, ``LargeTableAdminMixin``)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property, lru_cache
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import ORDER_VAR, PAGE_VAR, ChangeList
from django.core.paginator import Paginator
from django.db import connections, router
from django.db.models import DecimalField, Model, QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core.admin.display import change_url
from core.amounts import AMOUNT_DECIMAL_PLACES, format_amount
from core.pagination import parse_page_number


def table_rows_estimate(model: type[Model]) -> int | None:
    """InnoDB's row estimate of ``model``'s table from information_schema (free; within a
    few percent after ANALYZE TABLE), or None on other databases."""
    using = router.db_for_read(model)
    connection = connections[using]
    if connection.vendor != "mysql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s",
            [model._meta.db_table],
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else None


def queryset_rows_estimate(queryset: QuerySet) -> int | None:
    """The optimizer's estimate of the rows ``queryset`` reads (EXPLAIN: the product of
    each table's ``rows``), or None when it cannot tell (another database)."""
    connection = connections[queryset.db]
    if connection.vendor != "mysql":
        return None
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, r, strict=True)) for r in cursor.fetchall()]
    estimate = 1
    for row in rows:
        if row.get("select_type") not in ("SIMPLE", "PRIMARY"):
            continue
        estimate *= max(1, int(row.get("rows") or 1))
    return estimate


class EstimatedCountPaginator(Paginator):
    """A paginator that never runs ``COUNT(*)`` over a big table.

    InnoDB counts by reading a whole index: ~100 ms at 250,000 audit entries, paid on
    every page view (twice with ``show_full_result_count``). This one counts exactly
    only what is small: the unfiltered table takes the table's row estimate
    (information_schema), a filtered list the optimizer's estimate (EXPLAIN, ~1 ms); when
    an estimate is under ``exact_below`` the rows are counted exactly (the plan reads
    few rows then). ``estimated`` tells the template to write "about". Pages are
    reached by keyset links (``ConsoleChangeList``), so a count a little off never
    points at a page that does not exist; a page past the end is simply empty."""

    exact_below = 5_000

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.estimated = False

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return len(queryset)
        estimate = None
        if not queryset.query.where:
            estimate = table_rows_estimate(queryset.model)
        if estimate is None or queryset.query.where:
            estimate = queryset_rows_estimate(queryset)
            # The table's size caps a large estimate (a product over joins can exceed it);
            # a small one is counted exactly below, so the size is not read for it.
            total = table_rows_estimate(queryset.model) if (estimate or 0) >= self.exact_below else None
            if estimate is not None and total is not None:
                estimate = min(estimate, total)
        if estimate is None or estimate < self.exact_below:
            return queryset.count()
        self.estimated = True
        return estimate

    def validate_number(self, number: Any) -> int:
        """Any positive page number is valid when the count is an estimate: a page past
        the real end is empty rather than an error page."""
        if not self.estimated:
            return super().validate_number(number)
        try:
            value = int(number)
        except (TypeError, ValueError):
            return 1
        return max(1, value)


class ConsoleChangeList(ChangeList):
    """The console's changelist.

    * Related rows named by ``list_select_related`` (or the foreign keys in
      ``list_display``) are *prefetched* for the page, not joined: with an INNER JOIN
      and ``ORDER BY id DESC LIMIT 100`` MariaDB starts from the smaller joined table
      and sorts the whole list in a temporary table (0.7 s on the ledger, 0.2 s on
      challenge entries); alone, the list reads 100 rows backwards on its primary key
      and one ``IN (...)`` query per relation fetches their related rows.
    * Keyset paging (``model_admin.keyset_pagination``): "Older" links add
      ``<pk>__lt=<last id on the page>`` (a plain lookup the admin already accepts), so
      page 2,000 costs what page 1 costs (an index range) instead of an OFFSET that reads
      and drops 200,000 rows. Only for the default newest-first order; a list sorted by
      another column keeps page numbers.
    * ``model_admin.annotate_page(request, rows)``, when defined, gets the page's rows
      once, before they are rendered: what a column needs about every row (a member's
      history, the object an audit entry names) is then read in one query per page
      instead of one per row."""

    def url_for_result(self, result: Model) -> str:
        """The row's change page, from the pattern reversed once (``change_url``)."""
        url = change_url(self.opts.app_label, str(self.opts.model_name), getattr(result, self.pk_attname))
        return url if url is not None else super().url_for_result(result)

    def apply_select_related(self, qs: QuerySet) -> QuerySet:
        related: Any = self.list_select_related
        if related is True or related is False:  # Django's "every relation shown" default
            related = [name for name in self.list_display if _is_forward_relation(self.lookup_opts, name)]
        return qs.prefetch_related(*related) if related else qs

    def get_results(self, request: HttpRequest) -> None:
        if getattr(request, "console_export", False):
            return  # an export needs the filtered queryset only, not a page of it
        super().get_results(request)
        pk = self.lookup_opts.pk.attname
        self.keyset_param = f"{pk}__lt"
        self.estimated_count = getattr(self.paginator, "estimated", False)
        order = list(self.queryset.query.order_by)
        self.keyset = (
            getattr(self.model_admin, "keyset_pagination", False) and bool(order) and order[0] in ("-pk", f"-{pk}")
        )
        self.newest_url = ""
        if self.keyset and (self.keyset_param in self.params or self.page_num > 1):
            self.newest_url = self.get_query_string(remove=[self.keyset_param, PAGE_VAR])
        self.older_url = ""
        annotate = getattr(self.model_admin, "annotate_page", None)
        if not (self.keyset or annotate):
            return
        rows = list(self.result_list)  # the page's queryset caches them for the template
        if annotate is not None and rows:
            annotate(request, rows)
        if self.keyset and self.multi_page and len(rows) >= self.list_per_page:
            self.older_url = self.get_query_string({self.keyset_param: rows[-1].pk}, [PAGE_VAR])


@lru_cache(maxsize=512)
def _readable_amount(model: type[Model], name: Any) -> Any:
    """``name`` itself, or for an amount field a display function that formats it (one
    function per model and field, so that ``fields`` and ``readonly_fields`` agree)."""
    if not isinstance(name, str):
        return name
    try:
        field = model._meta.get_field(name)
    except Exception:  # a method or an admin column, not a field
        return name
    if not isinstance(field, DecimalField) or field.decimal_places != AMOUNT_DECIMAL_PLACES:
        return name

    def display(obj: Model) -> str:
        value = getattr(obj, name)
        return "—" if value is None else format_amount(value, grouping=True)

    display.short_description = field.verbose_name  # type: ignore[attr-defined]
    display.__name__ = f"{name}_amount"
    return display


def _is_forward_relation(opts: Any, name: Any) -> bool:
    if not isinstance(name, str):
        return False
    try:
        field = opts.get_field(name)
    except Exception:  # a method or an admin column, not a field
        return False
    return bool(field.is_relation and (field.many_to_one or field.one_to_one) and not field.auto_created)


class ConsoleAdminMixin:
    """The console's behaviour for a ModelAdmin:

    * its changelist is a ``ConsoleChangeList`` (related rows prefetched, keyset links
      when ``keyset_pagination``, page hooks);
    * the row checkbox is written directly (Django renders it through the form-widget
      template engine: about half a millisecond per row, 50 ms on a page of 100);
    * read-only amounts on change forms read as people write them ("1,250.5", not
      "1250.500000000000000000"): every read-only ``DECIMAL(36, 18)`` field is shown
      through ``format_amount``."""

    keyset_pagination = False
    #: Rows per page. Rendering, not the database, is most of a console page's time
    #: (the query count does not depend on it): 50 rows is a long screen already.
    list_per_page = 50

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = super().get_readonly_fields(request, obj)  # type: ignore[misc]
        return [_readable_amount(self.model, name) for name in fields]  # type: ignore[attr-defined]

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        # The read-only amounts are shown by their display functions: keep their raw
        # fields out of the form (the admin excludes read-only fields by name).
        excluded = list(super().get_exclude(request, obj) or [])  # type: ignore[misc]
        names = super().get_readonly_fields(request, obj)  # type: ignore[misc]
        return excluded + [n for n in names if _readable_amount(self.model, n) is not n]  # type: ignore[attr-defined]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = super().get_fields(request, obj)  # type: ignore[misc]
        view_only = obj is not None and not self.has_change_permission(request, obj)  # type: ignore[attr-defined]
        readonly = set(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        return [
            _readable_amount(self.model, name) if view_only or name in readonly else name  # type: ignore[attr-defined]
            for name in fields
        ]

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return ConsoleChangeList

    def action_checkbox(self, obj: Model) -> SafeString:
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            obj.pk,
            f"Select {obj._meta.verbose_name} {obj.pk} for an action",
        )


class LargeTableAdminMixin(ConsoleAdminMixin):
    """Changelist settings for tables of 10^5-10^6 rows (ledger, audit log,
    notifications): no exact counts, keyset links, newest first by primary key (ids
    follow time), and related rows prefetched for the page rather than joined (a join
    with ORDER BY made MariaDB sort the whole table in a temporary table: 0.7 s).

    ``prefetch`` names the relations ``get_queryset`` prefetches."""

    keyset_pagination = True
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # facet counts are a COUNT(*) per filter choice
    paginator = EstimatedCountPaginator
    list_select_related: Sequence[str] = ()
    ordering: Sequence[str] = ("-pk",)
    prefetch: Sequence[Any] = ()

    #: Page numbers past this one are not served on the newest-first view: an OFFSET of
    #: 200,000 rows reads and drops them all (0.9 s on the audit log). "Older" links and
    #: the filters reach any row in constant time instead.
    max_offset_page = 10

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        return queryset.prefetch_related(*self.prefetch) if self.prefetch else queryset

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        page = request.GET.get(PAGE_VAR, "")
        hierarchy = getattr(self, "date_hierarchy", None)
        drilled = bool(hierarchy) and any(key.startswith(f"{hierarchy}__") for key in request.GET)
        number = parse_page_number(page)  # not int(): a page of 5,000 digits made it a 500
        if number is not None and number > self.max_offset_page and ORDER_VAR not in request.GET and not drilled:
            params = request.GET.copy()
            del params[PAGE_VAR]
            self.message_user(  # type: ignore[attr-defined]
                request,
                f"Page {page} is not shown: deep pages are reached with “Older »” or narrowed with the filters.",
                messages.INFO,
            )
            return HttpResponseRedirect(f"{request.path}?{params.urlencode()}" if params else request.path)
        return super().changelist_view(request, extra_context=extra_context)  # type: ignore[misc]
