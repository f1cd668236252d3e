"""Forms of the wallet page. Validation is the services' (``core.amounts.parse_amount``,
through ``AmountFormField``, and ``normalize_evm_address``); these forms only carry the
input and show the errors.

Money forms carry a ``token`` fixed when the page is rendered; the view passes it
to the service as the ledger row's idempotency key, so a double click or a
browser resend moves the money once."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms

from core.amounts import AmountFormField
from core.exceptions import ApplicationError
from wallets.models import Chain, WalletAddress


def new_token() -> str:
    return uuid.uuid4().hex


class MoneyForm(forms.Form):
    amount = AmountFormField(widget=forms.TextInput(attrs={"placeholder": "0.0"}))
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"token": new_token()})
        super().__init__(*args, **kwargs)


class WithdrawForm(MoneyForm):
    address = forms.ModelChoiceField(queryset=WalletAddress.objects.none(), empty_label=None)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["address"].queryset = WalletAddress.objects.filter(wallet__user=user).order_by("-created_at")


class AddressForm(forms.Form):
    chain = forms.ChoiceField(choices=Chain.choices, initial=Chain.ETHEREUM)
    address = forms.CharField(max_length=100, widget=forms.TextInput(attrs={"placeholder": "0x…"}))
    label = forms.CharField(max_length=60, required=False)


def apply_service_error(form: forms.Form, exc: ApplicationError) -> None:
    """Show a service refusal on the field it names (or on the form)."""
    field = {"address_id": "address"}.get(exc.field or "", exc.field)
    form.add_error(field if field in form.fields else None, exc.message)
