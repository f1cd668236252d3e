"""Forms of the wallet page. Validation is the services' (``core.amounts.parse_amount``,
through ``AmountFormField``, and ``normalize_evm_address``); these forms only carry the
input and show the errors.

Money forms carry a ``token`` fixed when the page is rendered; the view passes it
to the service as the ledger row's idempotency key, so a double click or a
browser resend moves the money once. The same token travels through the
confirmation page, so a double submit of "Confirm" moves the money once too.

``LedgerPageFilter`` is the wallet page's ledger filter: the API's ``TransactionFilter``
plus the page's date range (a preset ``period`` or ``date_from``/``date_to``: whole days
in the time zone active for the request, the member's), shared by the list and its CSV
export."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.amounts import AmountFormField
from core.exceptions import ApplicationError
from wallets.filters import TransactionFilter
from wallets.models import Chain, WalletAddress


def new_token() -> str:
    return uuid.uuid4().hex


class MoneyForm(forms.Form):
    amount = AmountFormField(label=_("Amount"), widget=forms.TextInput(attrs={"placeholder": "0.0"}))
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"token": new_token()})
        super().__init__(*args, **kwargs)


class AddressChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: WalletAddress) -> str:
        short = f"{obj.address[:6]}…{obj.address[-4:]}"
        return " · ".join(part for part in (obj.label, obj.get_chain_display(), short) if part)


class WithdrawForm(MoneyForm):
    address = AddressChoiceField(label=_("Address"), queryset=WalletAddress.objects.none(), empty_label=None)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["address"].queryset = WalletAddress.objects.filter(wallet__user=user).order_by("-created_at")


class TransferForm(MoneyForm):
    """Send tokens to another member, named by their login email (validated by the service)."""

    recipient = forms.EmailField(
        label=_("Their email address"),
        max_length=254,
        help_text=_("The email the other member signs in with."),
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    memo = forms.CharField(label=_("Message to them"), max_length=200, required=False)


class AddressForm(forms.Form):
    chain = forms.ChoiceField(label=_("Chain"), choices=Chain.choices, initial=Chain.ETHEREUM)
    address = forms.CharField(label=_("Address"), max_length=100, widget=forms.TextInput(attrs={"placeholder": "0x…"}))
    label = forms.CharField(label=_("Label"), max_length=60, required=False)


def apply_service_error(form: forms.Form, exc: ApplicationError) -> None:
    """Show a service refusal on the field it names (or on the form)."""
    field = {"address_id": "address"}.get(exc.field or "", exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


#: The date presets of the ledger filter: name -> number of days, today included.
PERIOD_DAYS = {"7d": 7, "30d": 30, "90d": 90}


def _day_start(day: date) -> datetime:
    """Midnight starting ``day`` in the active time zone (the member's on their pages)."""
    return timezone.make_aware(datetime.combine(day, time.min))


class LedgerPageFilter(TransactionFilter):
    period = django_filters.ChoiceFilter(
        choices=[("7d", _("Last 7 days")), ("30d", _("Last 30 days")), ("90d", _("Last 90 days"))],
        method="filter_period",
    )
    date_from = django_filters.DateFilter(method="filter_date_from", label=pgettext_lazy("date range", "From"))
    date_to = django_filters.DateFilter(method="filter_date_to", label=pgettext_lazy("date range", "To"))

    class Meta(TransactionFilter.Meta):
        fields = [*TransactionFilter.Meta.fields, "period", "date_from", "date_to"]

    def filter_period(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        today = timezone.localdate()
        return queryset.filter(created_at__gte=_day_start(today - timedelta(days=PERIOD_DAYS[value] - 1)))

    def filter_date_from(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(created_at__gte=_day_start(value))

    def filter_date_to(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(created_at__lt=_day_start(value + timedelta(days=1)))
