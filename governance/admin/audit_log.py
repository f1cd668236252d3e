"""The audit log (django-auditlog's LogEntry) as the console shows it, read-only for
everyone, superusers included: no add, no change, no delete, no bulk delete. It reads
as who did what to which object, from where and when (``audit_text``); updates that
changed nothing are hidden unless asked for. It is a big table: estimated counts,
keyset links, no joins. With the global search for a request id."""

from __future__ import annotations

import ipaddress
import re
from collections import defaultdict
from functools import lru_cache
from urllib.parse import quote_plus

from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from core.admin import (
    CsvExportMixin,
    LargeTableAdminMixin,
    ReadOnlyAdminMixin,
    change_url,
    member_html,
    pill,
    user_change_url,
    when_html,
)
from core.admin_site import SearchHit, register_search
from core.audit import AuditAction
from governance.admin.audit_filters import ActionFilter, ActorFilter, ObjectTypeFilter, RequestFilter, RowsFilter
from governance.admin.audit_text import (
    ACTION_NAMES,
    LABELS,
    _diff_pairs,
    _label_rows,
    _named_details,
    _named_from_text,
    _pair_html,
    _type_label,
    named_action,
)

_REQUEST_ID = re.compile(r"^(?:[0-9a-f]{32}|[0-9a-f-]{36}|cmd:[\w.-]+:[0-9a-f]+)$", re.IGNORECASE)
DIFF_FIELDS_SHOWN = 3


admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditLogAdmin(CsvExportMixin, LargeTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """django-auditlog's entries as the console's audit log (read-only for everyone)."""

    list_display = ("when", "who", "what", "on", "change", "origin")
    list_display_links = ("when",)
    list_filter = (RowsFilter, ActionFilter, ObjectTypeFilter, ActorFilter, RequestFilter)
    date_hierarchy = "timestamp"
    search_fields = ("=cid",)  # the search itself is get_search_results
    search_help_text = "A member's or operator's email, a request id, an object id (#123) or an IP address."
    prefetch = ("actor",)
    fieldsets = (
        (None, {"fields": ("when_full", "who", "what", "on", "origin")}),
        ("Change", {"fields": ("diff_table", "named_table")}),
        ("As recorded", {"fields": ("object_repr", "actor_email", "cid", "remote_addr", "remote_port")}),
    )
    readonly_fields = (
        "when_full",
        "who",
        "what",
        "on",
        "origin",
        "diff_table",
        "named_table",
        "object_repr",
        "actor_email",
        "cid",
        "remote_addr",
        "remote_port",
    )
    export_columns = (
        ("id", "id"),
        ("timestamp", "timestamp"),
        ("actor", "actor__email"),
        ("actor_email_at_the_time", "actor_email"),
        ("action", "action"),
        ("named_action", "changes_text"),
        ("object_type", "content_type_id"),
        ("object_id", "object_pk"),
        ("object_repr", "object_repr"),
        ("changes", "changes"),
        ("details", "additional_data"),
        ("remote_addr", "remote_addr"),
        ("request_id", "cid"),
    )
    export_converters = {
        "action": lambda value: ACTION_NAMES.get(value, value),
        "named_action": _named_from_text,
        "object_type": _type_label,
    }

    def get_actions(self, request):
        return {}

    def get_ordering(self, request):
        # A date drill-down reads a timestamp range in index order; any other view pages
        # newest-first by id (keyset links), which the content-type and actor indexes
        # serve in order as well (InnoDB appends the id to every secondary index).
        if any(key.startswith("timestamp__") for key in request.GET):
            return ("-timestamp", "-pk")
        return ("-pk",)

    def get_search_results(self, request, queryset, search_term):
        """One indexed lookup per kind of term (an OR over every text column would read
        the whole log): an email (the actor), a request id (``cid``), ``#123`` (the
        object id) or an IP address (remote address)."""
        term = search_term.strip()
        if not term:
            return queryset, False
        if "@" in term:
            users = get_user_model().objects.filter(email__istartswith=term).values_list("pk", flat=True)[:50]
            return queryset.filter(actor_id__in=list(users)), False
        if term.lstrip("#").isdigit():
            return queryset.filter(object_id=int(term.lstrip("#"))), False
        try:
            ipaddress.ip_address(term)
        except ValueError:
            return queryset.filter(cid=term), False
        return queryset.filter(remote_addr=term), False

    def annotate_page(self, request: HttpRequest, rows: list[LogEntry]) -> None:
        """What each entry is about, as it reads today (one query per object type)."""
        wanted: dict[str, set[int]] = defaultdict(set)
        for entry in rows:
            if entry.object_id is not None:
                wanted[_type_label(entry.content_type_id)].add(entry.object_id)
        labels = _label_rows(wanted)
        for entry in rows:
            key = (_type_label(entry.content_type_id), entry.object_id)
            entry.console_label = labels.get(key)  # type: ignore[attr-defined]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            name = named_action(obj)
            what = str(AuditAction(name).label) if name in AuditAction.values else ACTION_NAMES.get(obj.action, "")
            context["subtitle"] = f"{what.capitalize()}: {getattr(obj, 'console_label', None) or obj.object_repr}"
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_object(self, request, object_id, from_field=None):
        entry = super().get_object(request, object_id, from_field)
        if entry is not None:
            self.annotate_page(request, [entry])
        return entry

    # --- columns -----------------------------------------------------------------------------

    @admin.display(description="when", ordering="timestamp")
    def when(self, entry: LogEntry) -> SafeString | str:
        return when_html(entry.timestamp)

    @admin.display(description="when")
    def when_full(self, entry: LogEntry) -> SafeString:
        stamp = timezone.localtime(entry.timestamp).strftime("%Y-%m-%d %H:%M:%S %Z")
        return format_html("{} ({})", stamp, when_html(entry.timestamp))

    @admin.display(description="who")
    def who(self, entry: LogEntry) -> SafeString | str:
        if entry.actor_id is not None and entry.actor is not None:
            return member_html(entry.actor, url=user_change_url(entry.actor_id))
        if entry.actor_email:
            return format_html('{} <span class="ogc-muted">(account removed)</span>', entry.actor_email)
        if entry.cid and entry.cid.startswith("cmd:"):
            return format_html('<span class="ogc-muted">command</span> {}', entry.cid.split(":")[1])
        return format_html('<span class="ogc-muted">{}</span>', "system")

    @admin.display(description="action")
    def what(self, entry: LogEntry) -> SafeString:
        name = named_action(entry)
        if name:
            try:
                label = AuditAction(name).label
            except ValueError:
                label = name
            return pill("named", str(label))
        return pill({0: "create", 1: "update", 2: "delete"}.get(entry.action, "access"), ACTION_NAMES.get(entry.action))

    @admin.display(description="on")
    def on(self, entry: LogEntry) -> SafeString:
        content_type = ContentType.objects.get_for_id(entry.content_type_id)
        kind = str(content_type.name).capitalize()
        label = getattr(entry, "console_label", None)
        url = change_url(content_type.app_label, content_type.model, entry.object_id or entry.object_pk)
        if label is None:
            label = entry.object_repr
            resolvable = (
                f"{content_type.app_label}.{content_type.model}" in LABELS or content_type.model == "contenttype"
            )
            if resolvable or entry.action == LogEntry.Action.DELETE:
                label, url = f"{label} (no longer exists)", None  # resolvable kinds resolve unless gone
        text = format_html('<span class="ogc-muted">{}</span><br>{}', kind, label)
        return format_html('<a href="{}">{}</a>', url, text) if url else text

    @admin.display(description="change")
    def change(self, entry: LogEntry) -> SafeString | str:
        if named_action(entry):
            details = _named_details(entry)[:DIFF_FIELDS_SHOWN]
            if not details:
                return ""
            items = format_html_join("", '<li><span class="ogc-diff__field">{}</span>: {}</li>', details)
            return format_html('<ul class="ogc-diff">{}</ul>', items)
        pairs = _diff_pairs(entry)
        if not pairs:
            return format_html('<span class="ogc-muted">{}</span>', "no change")
        shown = format_html_join("", "<li>{}</li>", ((_pair_html(*pair),) for pair in pairs[:DIFF_FIELDS_SHOWN]))
        more = len(pairs) - DIFF_FIELDS_SHOWN
        extra = format_html('<li class="ogc-muted">+ {} more</li>', more) if more > 0 else ""
        return format_html('<ul class="ogc-diff">{}{}</ul>', shown, extra)

    @admin.display(description="from")
    def origin(self, entry: LogEntry) -> SafeString | str:
        parts = []
        if entry.remote_addr:
            parts.append(f'<span class="ogc-code">{escape(entry.remote_addr)}</span>')
        if entry.cid:
            url = f"{_log_url()}?cid={quote_plus(entry.cid)}"
            short = entry.cid if entry.cid.startswith("cmd:") else entry.cid[:8] + "…"
            parts.append(
                f'<a href="{escape(url)}" class="ogc-code" title="Every entry of request {escape(entry.cid)}">'
                f"{escape(short)}</a>"
            )
        return mark_safe("<br>".join(parts)) if parts else "—"  # noqa: S308 - every part escaped

    @admin.display(description="before → after")
    def diff_table(self, entry: LogEntry) -> SafeString | str:
        pairs = _diff_pairs(entry)
        if not pairs:
            return "No field changed."
        rows = format_html_join(
            "",
            '<tr><th scope="row">{}</th><td class="ogc-diff__old">{}</td><td class="ogc-diff__new">{}</td></tr>',
            pairs,
        )
        return format_html(
            '<table class="ogc-diff-table"><thead><tr><th scope="col">field</th><th scope="col">before</th>'
            '<th scope="col">after</th></tr></thead><tbody>{}</tbody></table>',
            rows,
        )

    @admin.display(description="details of the action")
    def named_table(self, entry: LogEntry) -> SafeString | str:
        details = _named_details(entry)
        if not details:
            return "—"
        rows = format_html_join("", '<tr><th scope="row">{}</th><td>{}</td></tr>', details)
        return format_html('<table class="ogc-diff-table"><tbody>{}</tbody></table>', rows)


@lru_cache(maxsize=1)
def _log_url() -> str:
    return reverse("admin:auditlog_logentry_changelist")


def _query(params: dict[str, str]) -> str:
    from django.utils.http import urlencode

    return urlencode(params)


@register_search("Audit log (request id)", order=90, permissions=["auditlog.view_logentry"])
def search_requests(query: str, limit: int) -> list[SearchHit]:
    if not _REQUEST_ID.match(query):
        return []
    count = LogEntry.objects.filter(cid=query).count()
    if not count:
        return []
    url = reverse("admin:auditlog_logentry_changelist") + "?" + _query({"cid": query, "empty": "show"})
    return [SearchHit(f"Request {query}", f"{count} audit entr{'y' if count == 1 else 'ies'}", url)]
