"""Operator console for the ledger.

Wallets, transactions and addresses are readable and searchable; nobody (not even
a superuser) can add, edit or delete a ledger row here. Money moves only through
the services: the "approve/reject selected withdrawals" actions and the
deposit/adjustment forms call them, and each writes an audit entry naming the
action (``core.audit.audit_record``, written by the service) in the same transaction.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from core.admin import ReadOnlyAdminMixin, run_admin_action
from core.amounts import AmountFormField
from core.exceptions import ApplicationError
from wallets import services
from wallets.models import Direction, Transaction, TransactionKind, TransactionStatus, Wallet, WalletAddress

RECENT_ROWS = 20


class WalletAddressInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = WalletAddress
    extra = 0
    can_delete = False
    fields = ("chain", "address", "label", "created_at")
    readonly_fields = fields


@admin.register(Wallet)
class WalletAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "user", "available", "staked", "held", "deposit_address", "updated_at")
    search_fields = ("user__email", "deposit_address", "=id")
    list_select_related = ("user",)
    fields = ("user", "token_symbol", "available", "staked", "held", "deposit_address", "created_at", "updated_at")
    readonly_fields = (*fields, "recent_transactions")
    inlines = [WalletAddressInline]
    show_full_result_count = False

    def get_fields(self, request, obj=None):
        return (*self.fields, "recent_transactions")

    @admin.display(description=f"last {RECENT_ROWS} transactions")
    def recent_transactions(self, obj: Wallet) -> str:
        rows = obj.transactions.order_by("-created_at", "-id")[:RECENT_ROWS]
        url = reverse("admin:wallets_transaction_changelist")
        body = format_html_join(
            "",
            "<tr><td><a href='{}?id={}'>{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((url, r.pk, r.pk, r.created_at, r.kind, r.status, r.amount, r.available_after) for r in rows),
        )
        return format_html(
            "<table><tr><th>id</th><th>created</th><th>kind</th><th>status</th><th>amount</th>"
            "<th>available after</th></tr>{}</table>",
            body,
        )


@admin.register(WalletAddress)
class WalletAddressAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("address", "chain", "label", "wallet", "created_at")
    list_filter = ("chain",)
    search_fields = ("address", "wallet__user__email", "label")
    list_select_related = ("wallet__user",)


class RejectForm(forms.Form):
    reason = forms.CharField(max_length=400, widget=forms.Textarea(attrs={"rows": 3}))


class MoneyForm(forms.Form):
    """Deposit or adjustment. ``token`` is fixed when the form is shown: a double
    submit (or a browser resend) reuses it as the ledger row's idempotency key
    and so moves the money once."""

    email = forms.EmailField(label="User email")
    amount = AmountFormField(help_text='A decimal string, e.g. "12.5".')
    direction = forms.ChoiceField(choices=[(Direction.CREDIT, "Credit"), (Direction.DEBIT, "Debit")], required=False)
    reference = forms.CharField(max_length=255, required=False, label="External reference (deposits)")
    reason = forms.CharField(max_length=500, required=False, label="Reason / memo")
    # A uuid4 hex when shown; bounded so a tampered value cannot overflow the ledger key.
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def clean_email(self) -> Any:
        email = self.cleaned_data["email"].strip().lower()
        user = get_user_model().objects.filter(email=email).first()
        if user is None:
            raise forms.ValidationError("No user with this email.")
        return user


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "created_at", "user", "kind", "status", "direction", "amount", "available_after", "actor")
    list_filter = ("kind", "status", "direction", "created_at")
    search_fields = ("user__email", "external_reference", "idempotency_key", "=id", "destination_address")
    list_select_related = ("user", "actor")
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ["approve_withdrawals", "reject_withdrawals"]
    readonly_fields = [f.name for f in Transaction._meta.fields if f.name not in ("source_type", "source_id")]

    def has_approve_withdrawal_permission(self, request) -> bool:
        return request.user.has_perm("wallets.approve_withdrawal")

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("deposit/", view(self.deposit_view), name="wallets_transaction_deposit"),
            path("adjust/", view(self.adjustment_view), name="wallets_transaction_adjust"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_deposit": request.user.has_perm("wallets.create_deposit"),
            "can_adjust": request.user.has_perm("wallets.create_adjustment"),
        }
        return super().changelist_view(request, extra_context=extra_context)

    # --- actions -------------------------------------------------------------------------

    def _pending_ids(self, request, queryset) -> list[int]:
        ids = list(
            queryset.filter(kind=TransactionKind.WITHDRAWAL, status=TransactionStatus.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        skipped = queryset.count() - len(ids)
        if skipped:
            self.message_user(
                request, f"{skipped} selected row(s) are not pending withdrawals: skipped.", messages.WARNING
            )
        return ids

    def _settle(self, request, ids: list[int], action: str, **kwargs: Any) -> None:
        approve = action == "withdrawal_approve"

        def settle(withdrawal_id: int) -> None:
            if approve:
                services.withdrawal_approve(withdrawal_id=withdrawal_id, actor=request.user)
            else:
                services.withdrawal_reject(withdrawal_id=withdrawal_id, actor=request.user, **kwargs)

        verb = "approved" if approve else "rejected"
        run_admin_action(
            self,
            request,
            ids,
            operation=settle,
            label=lambda wid: f"#{wid}",
            success=lambda n: f"{n} withdrawal(s) {verb}.",
        )

    @admin.action(description="Approve selected pending withdrawals", permissions=["approve_withdrawal"])
    def approve_withdrawals(self, request: HttpRequest, queryset) -> None:
        self._settle(request, self._pending_ids(request, queryset), "withdrawal_approve")

    @admin.action(description="Reject selected pending withdrawals…", permissions=["approve_withdrawal"])
    def reject_withdrawals(self, request: HttpRequest, queryset) -> HttpResponse | None:
        form = RejectForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._settle(
                request, self._pending_ids(request, queryset), "withdrawal_reject", reason=form.cleaned_data["reason"]
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Reject withdrawals",
            "form": form,
            "rows": queryset.select_related("user"),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/wallets/transaction/reject.html", context)

    # --- deposit and adjustment forms -----------------------------------------------------------

    def deposit_view(self, request: HttpRequest) -> HttpResponse:
        return self._money_view(request, kind="deposit", permission="wallets.create_deposit")

    def adjustment_view(self, request: HttpRequest) -> HttpResponse:
        return self._money_view(request, kind="adjustment", permission="wallets.create_adjustment")

    def _money_view(self, request: HttpRequest, *, kind: str, permission: str) -> HttpResponse:
        if not request.user.has_perm(permission):
            raise PermissionDenied
        form = MoneyForm(request.POST or None, initial={"token": uuid.uuid4().hex, "direction": Direction.CREDIT})
        del form.fields["direction" if kind == "deposit" else "reference"]
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            key = f"admin{request.user.pk}:{data['token']}"
            try:
                if kind == "deposit":
                    row = services.deposit_create(
                        user=data["email"],
                        amount=data["amount"],
                        actor=request.user,
                        external_reference=data["reference"],
                        memo=data["reason"],
                        idempotency_key=key,
                    )
                else:
                    row = services.adjustment_create(
                        user=data["email"],
                        amount=data["amount"],
                        direction=data["direction"],
                        reason=data["reason"],
                        actor=request.user,
                        idempotency_key=key,
                    )
            except ApplicationError as exc:
                field = {"external_reference": "reference", "user": "email"}.get(exc.field or "", exc.field)
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                self.message_user(request, f"{kind.capitalize()} #{row.pk} of {row.amount} written.", messages.SUCCESS)
                return redirect(reverse("admin:wallets_transaction_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Credit a deposit" if kind == "deposit" else "Write an adjustment",
            "form": form,
            "kind": kind,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/wallets/transaction/money_form.html", context)
