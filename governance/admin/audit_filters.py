"""The audit log's list filters: rows, action, object type, actor, request."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from core.audit import AuditAction
from governance.admin.audit_text import NAMED_PREFIX


class RowsFilter(admin.SimpleListFilter):
    """Hides updates that changed nothing and name no action (auditlog's "0 changes"
    rows) unless asked for."""

    title = "rows"
    parameter_name = "empty"

    def lookups(self, request, model_admin):
        return [("show", "Include updates that changed nothing")]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "With a change or a named action",
        }
        yield {
            "selected": self.value() == "show",
            "query_string": changelist.get_query_string({self.parameter_name: "show"}),
            "display": "All, with updates that changed nothing",
        }

    def queryset(self, request, queryset):
        if self.value() == "show":
            return queryset
        empty = Q(action=LogEntry.Action.UPDATE) & (Q(changes__isnull=True) | Q(changes={})) & Q(changes_text="")
        return queryset.exclude(empty)


class ActionFilter(admin.SimpleListFilter):
    """Create / update / delete, or one named action (``AuditAction``)."""

    title = "action"
    parameter_name = "named"

    def lookups(self, request, model_admin):
        basic = [(f"_{value}", label.capitalize()) for value, label in LogEntry.Action.choices]
        return basic + [(action.value, action.label) for action in AuditAction]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if value.startswith("_") and value[1:].isdigit():
            return queryset.filter(action=int(value[1:]))
        return queryset.filter(changes_text=f"{NAMED_PREFIX}{value}")  # idx_logentry_named_action


class ObjectTypeFilter(admin.SimpleListFilter):
    """The audited models (and exports), from auditlog's registry: no scan of the log."""

    title = "object type"
    parameter_name = "type"

    def lookups(self, request, model_admin):
        from auditlog.registry import auditlog

        models = sorted(auditlog.get_models(), key=lambda m: m._meta.label_lower)
        choices = [(m._meta.label_lower, str(m._meta.verbose_name).capitalize()) for m in models]
        return [*choices, ("contenttypes.contenttype", "Table (exports)")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        app_label, _, model = self.value().partition(".")
        try:
            content_type = ContentType.objects.get_by_natural_key(app_label, model)
        except ContentType.DoesNotExist:
            return queryset.none()
        return queryset.filter(content_type_id=content_type.pk)


class ActorFilter(admin.SimpleListFilter):
    """Staff accounts (a short list), or entries with no actor (jobs, commands)."""

    title = "actor"
    parameter_name = "actor"

    def lookups(self, request, model_admin):
        staff = get_user_model().objects.filter(is_staff=True).order_by("email").values_list("pk", "email")[:50]
        return [("system", "System and commands"), *((str(pk), email) for pk, email in staff)]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "system":
            return queryset.filter(actor_id__isnull=True)
        if value and value.isdigit():
            return queryset.filter(actor_id=int(value))
        return queryset


class RequestFilter(admin.SimpleListFilter):
    """``?cid=<request id>``: every entry of one request or command run."""

    title = "request"
    parameter_name = "cid"

    def lookups(self, request, model_admin):
        return [(self.value(), self.value())] if self.value() else []

    def has_output(self) -> bool:
        return True

    def queryset(self, request, queryset):
        return queryset.filter(cid=self.value()) if self.value() else queryset
