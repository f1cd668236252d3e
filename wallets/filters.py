"""django-filter sets for ledger lists (API and the wallet page share them)."""

from __future__ import annotations

import django_filters

from wallets.models import Transaction, TransactionKind, TransactionStatus


class TransactionFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=TransactionKind.choices)
    # The CURRENT state (a settled row's is its settling entry's), not the written column.
    status = django_filters.ChoiceFilter(choices=TransactionStatus.choices, method="filter_state")
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Transaction
        fields = ["kind", "status", "created_after", "created_before"]

    def filter_state(self, queryset, name, value):
        return queryset.filter(Transaction.objects.state_q(value)) if value else queryset
