"""django-filter FilterSets of the governance API."""

from __future__ import annotations

import django_filters
from auditlog.models import LogEntry
from django.db.models import Q, QuerySet

from core.audit import AuditAction
from core.filters import IdFilter

ACTION_NAMES = {
    "create": LogEntry.Action.CREATE,
    "update": LogEntry.Action.UPDATE,
    "delete": LogEntry.Action.DELETE,
    "access": LogEntry.Action.ACCESS,
}


class AuditLogFilter(django_filters.FilterSet):
    """``actor`` (user id), ``actor_email``, ``model`` (``app_label.model``, e.g.
    ``wallets.transaction``), ``object`` (the object's primary key; with ``model``),
    ``action`` (create/update/delete/access), ``admin_action`` (the name of the
    operation a service recorded, ``core.audit.AuditAction``: ``withdrawal_approve``...), ``cid`` (correlation id, or a ``cmd:<name>`` prefix),
    ``date_after``/``date_before`` (ISO date or datetime, inclusive)."""

    actor = IdFilter(field_name="actor_id")
    actor_email = django_filters.CharFilter(field_name="actor_email", lookup_expr="iexact")
    model = django_filters.CharFilter(method="filter_model")
    object = django_filters.CharFilter(field_name="object_pk")
    action = django_filters.ChoiceFilter(choices=[(name, name) for name in ACTION_NAMES], method="filter_action")
    admin_action = django_filters.ChoiceFilter(choices=AuditAction.choices, field_name="additional_data__action")
    cid = django_filters.CharFilter(method="filter_cid")
    date_after = django_filters.IsoDateTimeFilter(field_name="timestamp", lookup_expr="gte")
    date_before = django_filters.IsoDateTimeFilter(field_name="timestamp", lookup_expr="lte")

    class Meta:
        model = LogEntry
        fields: list[str] = []

    def filter_model(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        app_label, _, model = value.lower().partition(".")
        if not model:
            return queryset.filter(content_type__model=app_label)
        return queryset.filter(content_type__app_label=app_label, content_type__model=model)

    def filter_action(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(action=ACTION_NAMES[value])

    def filter_cid(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value.startswith("cmd:") and value.count(":") == 1:
            return queryset.filter(cid__startswith=value + ":")
        return queryset.filter(Q(cid=value))
