"""The ledger's transactions: a big table (``LargeTableAdminMixin``: estimated count,
keyset "Older" links, members prefetched for the page) with a CSV export of any
filter, search by what the term looks like, the approve/reject withdrawal actions
(through the queue's ``settle``), the withdrawal queue's URLs, and the deposit and
adjustment forms. Nobody adds, edits or deletes a ledger row here."""

from __future__ import annotations

import re
import uuid

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from core.admin import (
    CsvExportMixin,
    LargeTableAdminMixin,
    MemberPicker,
    ReadOnlyAdminMixin,
    amount_html,
    member_html,
    pill,
    user_change_url,
    when_html,
)
from core.amounts import AmountFormField, format_amount
from core.exceptions import ApplicationError
from wallets import services
from wallets.admin_queues import (
    APPROVE_PERMISSION,
    RejectForm,
    WithdrawalQueueAdmin,
    approve_view,
    reject_form_page,
    reject_view,
)
from wallets.models import Direction, JournalEntry, Transaction, TransactionKind, TransactionStatus, Wallet

ADDRESS_RE = re.compile(r"^0x[0-9a-fA-F]{40}$")
HASH_RE = re.compile(r"^0x[0-9a-fA-F]{64}$")
ID_RE = re.compile(r"^#?(\d{1,18})$")


def _members():
    """Only the columns a member cell shows (prefetched once per page)."""
    return get_user_model().objects.only("id", "email", "display_name", "date_joined")


class MoneyForm(forms.Form):
    """Deposit or adjustment. ``token`` is fixed when the form is shown: a double
    submit (or a browser resend) reuses it as the ledger row's idempotency key
    and so moves the money once. The member is picked by autocomplete (email or
    display name, the User admin's search) instead of typing an exact email."""

    member = forms.ModelChoiceField(
        queryset=get_user_model().objects.all(),
        widget=MemberPicker(Transaction._meta.get_field("user"), admin.site),
        help_text="Type part of the member's email or display name.",
    )
    amount = AmountFormField(help_text='A decimal string, e.g. "12.5".')
    direction = forms.ChoiceField(choices=[(Direction.CREDIT, "Credit"), (Direction.DEBIT, "Debit")], required=False)
    reference = forms.CharField(max_length=255, required=False, label="External reference (deposits)")
    reason = forms.CharField(max_length=500, required=False, label="Reason / memo")
    # A uuid4 hex when shown; bounded so a tampered value cannot overflow the ledger key.
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)


TRANSACTION_EXPORT_COLUMNS = (
    ("id", "id"),
    ("created_at", "created_at"),
    ("member_email", "user__email"),
    ("member_name", "user__display_name"),
    ("kind", "kind"),
    ("status", "state"),
    ("direction", "direction"),
    ("amount", "amount"),
    ("available_after", "available_after"),
    ("staked_after", "staked_after"),
    ("held_after", "held_after"),
    ("actor_email", "actor__email"),
    ("external_reference", "state_reference"),
    ("chain", "chain"),
    ("destination_address", "destination_address"),
    ("memo", "memo"),
    ("status_reason", "state_reason"),
    ("idempotency_key", "idempotency_key"),
    ("completed_at", "state_at"),
)


class StateFilter(admin.SimpleListFilter):
    """The CURRENT status (a settled row's is its settling entry's), under the query
    parameter the plain field filter used (``status__exact``), so links keep working."""

    title = "status"
    parameter_name = "status__exact"

    def lookups(self, request, model_admin):
        return TransactionStatus.choices

    def queryset(self, request, queryset):
        return queryset.in_state(self.value()) if self.value() else queryset


@admin.register(Transaction)
class TransactionAdmin(CsvExportMixin, LargeTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "when", "member", "what", "amount_col", "available_after_col", "by")
    list_filter = ("kind", StateFilter, "direction", "created_at")
    search_fields = ("=id",)  # the search itself is get_search_results: what the term looks like decides
    search_help_text = "A transaction id (#123), a member's email, an address or chain hash, an idempotency key."
    prefetch = (Prefetch("user", queryset=_members()), Prefetch("actor", queryset=_members()))
    actions = ["approve_withdrawals", "reject_withdrawals"]
    readonly_fields = [
        *(f.name for f in Transaction._meta.fields if f.name not in ("source_type", "source_id")),
        "current_state",
        "settled_at",
        "settled_reason",
        "payout_reference",
    ]
    export_columns = TRANSACTION_EXPORT_COLUMNS

    def get_queryset(self, request):
        return super().get_queryset(request).with_state()

    def export_source(self):
        return Transaction.objects.with_state()  # the export's status columns are the current state

    def __init__(self, model, admin_site) -> None:
        super().__init__(model, admin_site)
        self.withdrawal_queue = WithdrawalQueueAdmin(model, admin_site)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            amount = format_amount(obj.amount, grouping=True, symbol=True)
            context["subtitle"] = (
                f"{obj.get_kind_display()} #{obj.pk}: {amount} ({TransactionStatus(obj.state).label}), {obj.user.email}"
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def has_approve_withdrawal_permission(self, request) -> bool:
        return request.user.has_perm(APPROVE_PERMISSION)

    def get_urls(self):
        view = self.admin_site.admin_view
        queue = self.withdrawal_queue
        return [
            path("deposit/", view(self.deposit_view), name="wallets_transaction_deposit"),
            path("adjust/", view(self.adjustment_view), name="wallets_transaction_adjust"),
            path("withdrawals/queue/", view(queue.changelist_view), name="wallets_transaction_withdrawal_queue"),
            path(
                "withdrawals/queue/export.csv",
                view(queue.export_csv_view),
                name="wallets_transaction_withdrawal_queue_export",
            ),
            path(
                "withdrawals/<int:pk>/approve/",
                view(lambda request, pk: approve_view(self, request, pk)),
                name="wallets_transaction_withdrawal_approve",
            ),
            path(
                "withdrawals/<int:pk>/reject/",
                view(lambda request, pk: reject_view(self, request, pk)),
                name="wallets_transaction_withdrawal_reject",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_deposit": request.user.has_perm("wallets.create_deposit"),
            "can_adjust": request.user.has_perm("wallets.create_adjustment"),
            "can_approve": request.user.has_perm(APPROVE_PERMISSION),
        }
        return super().changelist_view(request, extra_context=extra_context)

    def get_search_results(self, request, queryset, search_term):
        """What the term looks like picks the one indexed lookup it can mean (an OR over
        every column would read the whole ledger): an id, an email (the member's rows,
        through ``idx_txn_user_created``), an address (deposit address: the wallet's rows;
        else a withdrawal's destination), a chain hash (external reference) or an
        idempotency key."""
        term = search_term.strip()
        if not term:
            return queryset, False
        if match := ID_RE.match(term):
            return queryset.filter(pk=int(match[1])), False
        if "@" in term:
            users = get_user_model().objects.filter(email__istartswith=term).values("pk")[:50]
            return queryset.filter(user_id__in=list(users.values_list("pk", flat=True))), False
        if ADDRESS_RE.match(term):
            wallet = Wallet.objects.filter(deposit_address__iexact=term).values_list("pk", flat=True).first()
            if wallet is not None:
                return queryset.filter(wallet_id=wallet), False
            return queryset.filter(destination_address__iexact=term), False
        if HASH_RE.match(term):
            # A deposit's hash is on its row; a payout hash on the withdrawal's settling entry.
            settled = JournalEntry.objects.filter(kind=TransactionKind.WITHDRAWAL, external_reference=term)
            return queryset.filter(
                Q(kind__in=TransactionKind.values, external_reference=term)
                | Q(pk__in=list(settled.values_list("transaction_id", flat=True)[:10]))
            ), False
        return queryset.filter(idempotency_key=term), False

    # --- columns --------------------------------------------------------------------------

    @admin.display(description="when", ordering="created_at")
    def when(self, obj: Transaction) -> str:
        return when_html(obj.created_at)

    @admin.display(description="member")
    def member(self, obj: Transaction) -> str:
        return member_html(obj.user, url=user_change_url(obj.user_id))

    @admin.display(description="kind · status")
    def what(self, obj: Transaction) -> str:
        return format_html("{}<br>{}", obj.get_kind_display(), pill(obj.state, TransactionStatus(obj.state).label))

    # The current state (the columns above keep what the row was written with).
    @admin.display(description="current status")
    def current_state(self, obj: Transaction) -> str:
        return TransactionStatus(obj.state).label

    @admin.display(description="settled (or completed) at")
    def settled_at(self, obj: Transaction):
        return obj.state_at

    @admin.display(description="why it was canceled or failed")
    def settled_reason(self, obj: Transaction) -> str:
        return obj.state_reason or ""

    @admin.display(description="payout or chain reference")
    def payout_reference(self, obj: Transaction) -> str:
        return obj.state_reference or ""

    @admin.display(description="amount", ordering="amount")
    def amount_col(self, obj: Transaction) -> str:
        return amount_html(obj.amount, direction=obj.direction)

    @admin.display(description="available after")
    def available_after_col(self, obj: Transaction) -> str:
        return amount_html(obj.available_after, symbol=False)

    @admin.display(description="by")
    def by(self, obj: Transaction) -> str:
        if obj.actor_id is None:
            return format_html('<span class="ogc-muted">{}</span>', "system")
        if obj.actor_id == obj.user_id:
            return format_html('<span class="ogc-muted">{}</span>', "the member")
        return member_html(obj.actor, url=user_change_url(obj.actor_id))

    # --- actions -------------------------------------------------------------------------

    def _pending(self, request, queryset):
        """The pending withdrawals among the selected rows (the others are skipped, said so)."""
        pending = queryset.unsettled().filter(kind=TransactionKind.WITHDRAWAL)
        skipped = queryset.count() - pending.count()
        if skipped:
            self.message_user(
                request, f"{skipped} selected row(s) are not pending withdrawals: skipped.", messages.WARNING
            )
        return pending

    @admin.action(description="Approve selected pending withdrawals", permissions=["approve_withdrawal"])
    def approve_withdrawals(self, request: HttpRequest, queryset) -> None:
        self.withdrawal_queue.settle(request, self._pending(request, queryset), approve=True)

    @admin.action(description="Reject selected pending withdrawals…", permissions=["approve_withdrawal"])
    def reject_withdrawals(self, request: HttpRequest, queryset) -> HttpResponse | None:
        form = RejectForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            pending = self._pending(request, queryset)
            self.withdrawal_queue.settle(request, pending, approve=False, reason=form.cleaned_data["reason"])
            return None
        return reject_form_page(self, request, form, queryset, action_name="reject_withdrawals")

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
                        user=data["member"],
                        amount=data["amount"],
                        actor=request.user,
                        external_reference=data["reference"],
                        memo=data["reason"],
                        idempotency_key=key,
                    )
                else:
                    row = services.adjustment_create(
                        user=data["member"],
                        amount=data["amount"],
                        direction=data["direction"],
                        reason=data["reason"],
                        actor=request.user,
                        idempotency_key=key,
                    )
            except ApplicationError as exc:
                field = {"external_reference": "reference", "user": "member"}.get(exc.field or "", exc.field)
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                signed = format_amount(
                    row.amount if row.direction != Direction.DEBIT else -row.amount,
                    grouping=True,
                    signed=True,
                    symbol=True,
                )
                self.message_user(
                    request, f"{kind.capitalize()} #{row.pk} written: {signed} for {row.user.email}.", messages.SUCCESS
                )
                return redirect(reverse("admin:wallets_transaction_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Credit a deposit" if kind == "deposit" else "Write an adjustment",
            "form": form,
            "media": self.media + form.media,
            "kind": kind,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/wallets/transaction/money_form.html", context)
