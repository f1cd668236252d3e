"""Admin pieces shared by every app: read-only mixin, the per-row action runner, the
console's display helpers (money, members, times, status pills), big-table
changelists (estimated counts, keyset "older" links, prefetching instead of joins)
and streamed CSV exports.

The console's site itself (dashboard, search, registries) is ``core.admin_site``."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Any, TypeVar

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import quote
from django.contrib.admin.views.main import ORDER_VAR, PAGE_VAR, ChangeList
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connections, router, transaction
from django.db.models import DecimalField, Model, QuerySet
from django.http import HttpRequest, HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe

from core.admin_site import ALERT, IDLE, OK, Tile, register_tile
from core.amounts import AMOUNT_DECIMAL_PLACES, format_amount
from core.audit import AuditAction, audit_record
from core.check_runs import CHECK_COMMANDS, check_runs_latest
from core.exceptions import ApplicationError
from core.models import CheckRun

T = TypeVar("T")


class ReadOnlyAdminMixin:
    """For records nobody edits in the admin (ledger rows, audit entries, votes,
    delivery states): viewing stays governed by the ``view`` permission; adding,
    changing and deleting are refused to everyone, superusers included. Changes
    happen only through the owning app's services (admin actions call those)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def run_admin_action(
    modeladmin: Any,
    request: HttpRequest,
    rows: Iterable[T],
    *,
    operation: Callable[[T], str | None],
    label: Callable[[T], str] = str,
    success: Callable[[int], str] | None = None,
) -> int:
    """The one loop behind every per-row admin action: ``operation(row)`` (one service
    call) runs in its own transaction for each row, so one refusal neither stops nor
    undoes the others; the service writes the audit entry. An operation may return a
    sentence about its row (reported as "<label>: <sentence>"); ``success(count)`` says
    what the successful rows add up to; refusals are listed in one error message, each
    with its row's label and reason. Returns how many rows succeeded."""
    done = 0
    refused: list[str] = []
    for row in rows:
        try:
            with transaction.atomic():
                outcome = operation(row)
        except ApplicationError as exc:
            refused.append(f"{label(row)}: {exc.message}")
            continue
        done += 1
        if outcome:
            modeladmin.message_user(request, f"{label(row)}: {outcome}", messages.SUCCESS)
    if done and success is not None:
        modeladmin.message_user(request, success(done), messages.SUCCESS)
    if refused:
        modeladmin.message_user(request, "Refused: " + "; ".join(refused), messages.ERROR)
    return done


def safe_next_url(request: HttpRequest, default: str) -> str:
    """``next`` (query or form) when it points back into this site, else ``default``:
    the queues' buttons return to the page (filters, search) they were pressed on."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def action_form_page(
    modeladmin: Any,
    request: HttpRequest,
    *,
    template: str,
    title: str,
    form: Any,
    rows: Any,
    action_name: str,
    back_url: str,
    **extra: Any,
) -> TemplateResponse:
    """The intermediate page of a bulk action that needs input (a reason, a score, a
    number of days): it lists the selected rows and posts them back to the action."""
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "rows": rows,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "action_name": action_name,
        "opts": modeladmin.model._meta,
        "back_url": back_url,
        **extra,
    }
    return TemplateResponse(request, template, context)


# --- display helpers (Stripe: money one way; Primer: relative times, pills) -----------------


# These run for every cell of a 100-row page: they build their HTML with ``escape`` and
# f-strings rather than nested ``format_html`` calls, and ``when_html`` computes its own
# relative time (``timesince`` cost ~0.1 ms a call, a tenth of an audit-log page).


class MemberPicker(AutocompleteSelect):
    """The member field of the console's forms: Django's autocomplete (select2 on the
    User admin's ``search_fields``) with a placeholder that says what to type (Django
    forces an empty one). ``static/admin-ogc/console.js`` names the combobox by the
    field's label for screen readers."""

    placeholder = "Type part of the member's email or display name"

    class Media:
        js = ("admin-ogc/console.js",)

    def build_attrs(self, base_attrs: dict, extra_attrs: dict | None = None) -> dict:
        attrs = super().build_attrs(base_attrs, extra_attrs=extra_attrs)
        attrs["data-placeholder"] = self.placeholder
        return attrs


_AMOUNT_CSS = {"credit": "ogc-amount ogc-amount--credit", "debit": "ogc-amount ogc-amount--debit"}


def amount_html(value: Decimal | None, *, direction: str = "", symbol: bool | str = True) -> SafeString | str:
    """An amount as the console shows it everywhere: thousands separators, no trailing
    zeros, the token symbol, and for ledger rows the sign of its effect on the wallet
    (``direction`` credit ``+``, debit ``-``; internal moves unsigned)."""
    if value is None:
        return "—"
    amount = -value if direction == "debit" else value
    text = format_amount(amount, grouping=True, signed=direction == "credit", symbol=symbol)
    return mark_safe(f'<span class="{_AMOUNT_CSS.get(direction, "ogc-amount")}">{escape(text)}</span>')  # noqa: S308


def member_html(user: Any, *, url: str | None = None) -> SafeString | str:
    """A member as people recognise them: email first, display name under it, linked to
    their account page when ``url`` is given. Never "User 7" or "Wallet of 7"."""
    if user is None:
        return mark_safe('<span class="ogc-muted">system</span>')
    name = getattr(user, "display_name", "") or ""
    email = escape(getattr(user, "email", "") or f"#{user.pk}")
    label = f'<a href="{escape(url)}">{email}</a>' if url else email
    if name:
        label += f'<span class="ogc-member__name">{escape(name)}</span>'
    return mark_safe(f'<span class="ogc-member">{label}</span>')  # noqa: S308 - every part escaped


_PLACEHOLDER = 987654321987


@lru_cache(maxsize=256)
def _change_url_pattern(app_label: str, model_name: str) -> str | None:
    try:
        return reverse(f"admin:{app_label}_{model_name}_change", args=[_PLACEHOLDER])
    except NoReverseMatch:
        return None


def change_url(app_label: str, model_name: str, pk: Any) -> str | None:
    """The admin change page of ``app_label.model_name`` ``pk``, or None when that model
    has no admin. The URL pattern is reversed once per model (a ``reverse()`` per row
    and column was a tenth of a 100-row page)."""
    pattern = _change_url_pattern(app_label, model_name)
    if pattern is None or pk is None:
        return None
    return pattern.replace(str(_PLACEHOLDER), quote(str(pk)))


@lru_cache(maxsize=256)
def _url_pattern(viewname: str) -> str:
    return reverse(viewname, args=[_PLACEHOLDER])


def row_url(viewname: str, pk: Any) -> str:
    """``reverse(viewname, args=[pk])`` for a URL taking one id, reversed once per name
    (the queues' row buttons: two per row)."""
    return _url_pattern(viewname).replace(str(_PLACEHOLDER), quote(str(pk)))


def user_change_url(user_id: int | None) -> str | None:
    """The admin page of account ``user_id`` (the user model's own admin)."""
    from django.conf import settings

    app_label, model = settings.AUTH_USER_MODEL.lower().split(".")
    return change_url(app_label, model, user_id)


_UNITS = (
    (31_536_000, "year"),
    (2_592_000, "month"),
    (604_800, "week"),
    (86_400, "day"),
    (3_600, "hour"),
    (60, "minute"),
)


def relative_time(seconds: float) -> str:
    """``3 hours``, ``1 day``, ``5 months`` (the largest unit, like ``timesince(depth=1)``)."""
    for size, name in _UNITS:
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {name}{'' if count == 1 else 's'}"
    return "moments"


def when_html(moment: datetime | None, *, now: datetime | None = None) -> SafeString | str:
    """A relative time ("3 hours ago") with the absolute UTC time on hover and in
    the ``datetime`` attribute (GitHub Primer's relative-time)."""
    if moment is None:
        return "—"
    now = now or timezone.now()
    utc = moment.astimezone(UTC)
    delta = (now - moment).total_seconds()
    relative = f"{relative_time(delta)} ago" if delta >= 0 else f"in {relative_time(-delta)}"
    return mark_safe(  # noqa: S308 - digits and fixed words only
        f'<time datetime="{utc.isoformat()}" title="{utc:%Y-%m-%d %H:%M} UTC">{relative}</time>'
    )


def pill(value: str, label: str | None = None) -> SafeString:
    """A status pill, one colour per state (``.ogc-pill--<value>`` in console.css)."""
    text = escape(label if label is not None else value.replace("_", " "))
    return mark_safe(f'<span class="ogc-pill ogc-pill--{escape(value)}">{text}</span>')  # noqa: S308


# --- big tables: counts, keyset links, no joins -----------------------------------------------


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
        if page.isdigit() and int(page) > self.max_offset_page and ORDER_VAR not in request.GET and not drilled:
            params = request.GET.copy()
            del params[PAGE_VAR]
            self.message_user(  # type: ignore[attr-defined]
                request,
                f"Page {page} is not shown: deep pages are reached with “Older »” or narrowed with the filters.",
                messages.INFO,
            )
            return HttpResponseRedirect(f"{request.path}?{params.urlencode()}" if params else request.path)
        return super().changelist_view(request, extra_context=extra_context)  # type: ignore[misc]


# --- streamed CSV exports -------------------------------------------------------------------


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
    queryset: QuerySet, columns: Sequence[tuple[str, str]], *, chunk_size: int = 2_000
) -> Iterator[Sequence[Any]]:
    """The rows of ``queryset`` as ``values_list`` tuples of ``columns`` (header, path),
    ``chunk_size`` rows at a time in primary-key order: ``SELECT id WHERE <filters> AND
    id > <last> ORDER BY id LIMIT n``, then those rows' columns by id. Memory stays
    constant whatever the row count:
    mysqlclient reads a whole result set into memory before the first row (Django's
    ``.iterator(chunk_size=...)`` streams only on PostgreSQL and Oracle), so a single
    query over a million rows would not; each chunk here is one small result."""
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
        rows = base.model._default_manager.filter(pk__in=ids).order_by("pk").values_list(*paths)
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
            for row in stream_csv_rows(queryset, columns, chunk_size=self.export_chunk_size):
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


# --- the data checks' runs (core.models.CheckRun) -----------------------------------------------


@admin.register(CheckRun)
class CheckRunAdmin(ConsoleAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Runs of ``verify_ledger`` and ``check_integrity``, newest first: written by the
    commands, read by everyone with ``core.view_checkrun`` (operators, auditors)."""

    list_display = ("name", "result", "summary", "finished", "duration")
    list_filter = ("name", "ok")
    ordering = ("-finished_at", "-pk")
    readonly_fields = ("name", "ok", "summary", "details", "started_at", "finished_at", "cid")

    @admin.display(description="result", ordering="ok")
    def result(self, obj: CheckRun) -> SafeString:
        return pill("ok" if obj.ok else "failed", "clean" if obj.ok else "problems found")

    @admin.display(description="finished", ordering="finished_at")
    def finished(self, obj: CheckRun) -> SafeString | str:
        return when_html(obj.finished_at)

    @admin.display(description="took")
    def duration(self, obj: CheckRun) -> str:
        return f"{(obj.finished_at - obj.started_at).total_seconds():.1f} s"


CHECK_STALE_AFTER_HOURS = 26  # a daily job that missed a day


def _check_tile(request: HttpRequest, name: str, title: str) -> Tile:
    run = check_runs_latest(names=[name])[name]
    url = reverse("admin:core_checkrun_changelist") + f"?name={name}"
    if run is None:
        return Tile(
            title=title,
            value="never run",
            detail=f"Run manage.py {name} (docs/operations.md).",
            url=url,
            state=IDLE,
            action="History",
        )
    age = timezone.now() - run.finished_at
    stale = age.total_seconds() > CHECK_STALE_AFTER_HOURS * 3600
    state = ALERT if not run.ok else (IDLE if stale else OK)
    detail = f"{run.summary} Ran {relative_time(age.total_seconds())} ago."
    if stale and run.ok:
        detail += " Older than a day: is the job scheduled?"
    return Tile(
        title=title, value="clean" if run.ok else "problems", detail=detail, url=url, state=state, action="History"
    )


@register_tile("core.verify_ledger", order=80, permissions=["core.view_checkrun"])
def verify_ledger_tile(request: HttpRequest) -> Tile:
    return _check_tile(request, CHECK_COMMANDS[0], "Last verify_ledger")


@register_tile("core.check_integrity", order=81, permissions=["core.view_checkrun"])
def check_integrity_tile(request: HttpRequest) -> Tile:
    return _check_tile(request, CHECK_COMMANDS[1], "Last check_integrity")
