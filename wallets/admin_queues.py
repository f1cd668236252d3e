"""The withdrawal approval queue of the operator console.

``/admin/wallets/transaction/withdrawals/queue/``: pending withdrawals, oldest first,
each with its requester (email, display name, account age) and their history (deposits,
withdrawals done, rejected, canceled), and two buttons: "Approve <amount>" (one click:
the button says what will move) and "Reject…" (a page that restates the withdrawal and
asks for the reason the member will read). Bulk actions approve or reject the selected
rows through ``core.admin.run_admin_action``: each row in its own transaction, the
outcome reported per row. Everything goes through ``wallets.services``; the services
write the audit entries. Needs ``wallets.approve_withdrawal``.

The queue is a changelist of its own (``WithdrawalQueueAdmin``, not registered: it is
mounted by ``TransactionAdmin.get_urls``), so search, paging, the actions and the CSV
export of the filtered queue come from the admin itself.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from core.admin import (
    ConsoleAdminMixin,
    CsvExportMixin,
    ReadOnlyAdminMixin,
    action_form_page,
    amount_html,
    member_html,
    relative_time,
    row_url,
    run_admin_action,
    safe_next_url,
    user_change_url,
    when_html,
)
from core.amounts import format_amount
from wallets import selectors, services
from wallets.managers import row_state
from wallets.models import Transaction, TransactionStatus

APPROVE_PERMISSION = "wallets.approve_withdrawal"
QUEUE_URL_NAME = "admin:wallets_transaction_withdrawal_queue"

WITHDRAWAL_EXPORT_COLUMNS = (
    ("id", "id"),
    ("requested_at", "created_at"),
    ("member_email", "user__email"),
    ("member_name", "user__display_name"),
    ("amount", "amount"),
    ("status", "state"),
    ("chain", "chain"),
    ("destination_address", "destination_address"),
    ("external_reference", "state_reference"),
    ("status_reason", "state_reason"),
    ("completed_at", "state_at"),
)


class RejectForm(forms.Form):
    reason = forms.CharField(
        max_length=400,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The member reads this in their notification and on their wallet page.",
    )


def history_html(history: dict[str, Any] | None, joined) -> str:
    """The requester's record, in one cell: account age, deposits, past withdrawals."""
    if history is None:
        return ""
    age = relative_time((timezone.now() - joined).total_seconds()) if joined else "?"
    pending = history["pending"] - 1  # this request is one of them
    return format_html(
        '<span class="ogc-history">Member for <strong>{}</strong><br>'
        "{} deposit{} ({})<br>{} withdrawn ({}) · {} rejected · {} canceled{}</span>",
        age,
        history["deposits"],
        "" if history["deposits"] == 1 else "s",
        format_amount(history["deposited"], grouping=True, symbol=True),
        history["withdrawn"],
        format_amount(history["withdrawn_total"], grouping=True, symbol=True),
        history["rejected"],
        history["canceled"],
        format_html(" · <strong>{} more pending</strong>", pending) if pending > 0 else "",
    )


class WithdrawalQueueAdmin(CsvExportMixin, ConsoleAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("requested", "requester", "amount_col", "destination", "history", "decide")
    list_display_links = None
    list_select_related = ("user", "wallet")
    search_fields = ("=id", "user__email", "destination_address")
    list_filter = ("chain",)
    show_facets = admin.ShowFacets.NEVER
    ordering = ("pk",)
    actions = ["approve_selected", "reject_selected"]
    change_list_template = "admin/wallets/transaction/withdrawal_queue.html"
    export_columns = WITHDRAWAL_EXPORT_COLUMNS
    export_url_name = "wallets_transaction_withdrawal_queue_export"

    def get_queryset(self, request: HttpRequest):
        return selectors.withdrawal_queue().with_state()

    def export_source(self):
        return Transaction.objects.with_state()  # the export's status columns are the current state

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(APPROVE_PERMISSION)

    def has_approve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(APPROVE_PERMISSION)

    def annotate_page(self, request: HttpRequest, rows: list[Transaction]) -> None:
        history = selectors.members_ledger_history(user_ids=sorted({row.user_id for row in rows}))
        here = request.get_full_path()
        back = urlencode({"next": here})
        for row in rows:
            row.console_history = history.get(row.user_id)
            row.console_next = here
            row.console_back = back

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        summary = selectors.withdrawals_pending_summary()
        extra_context = {
            **(extra_context or {}),
            "title": "Withdrawals awaiting approval",
            "summary": summary,
            "summary_total": format_amount(summary["total"], grouping=True, symbol=True),
        }
        return super().changelist_view(request, extra_context=extra_context)

    # --- columns ------------------------------------------------------------------------

    @admin.display(description="requested", ordering="pk")
    def requested(self, row: Transaction) -> str:
        link = row_url("admin:wallets_transaction_change", row.pk)
        return format_html('<a href="{}">#{}</a><br>{}', link, row.pk, when_html(row.created_at))

    @admin.display(description="member")
    def requester(self, row: Transaction) -> str:
        return member_html(row.user, url=user_change_url(row.user_id))

    @admin.display(description="amount", ordering="amount")
    def amount_col(self, row: Transaction) -> str:
        return amount_html(row.amount, symbol=row.wallet.token_symbol)

    @admin.display(description="to")
    def destination(self, row: Transaction) -> str:
        return format_html(
            '{}<br><span class="ogc-code" title="{}">{}…{}</span>',
            row.get_chain_display() or "—",
            row.destination_address,
            row.destination_address[:8],
            row.destination_address[-6:],
        )

    @admin.display(description="history")
    def history(self, row: Transaction) -> str:
        return history_html(getattr(row, "console_history", None), row.user.date_joined)

    @admin.display(description="decide")
    def decide(self, row: Transaction) -> str:
        approve = row_url("admin:wallets_transaction_withdrawal_approve", row.pk)
        reject = row_url("admin:wallets_transaction_withdrawal_reject", row.pk)
        amount = escape(format_amount(row.amount, grouping=True, symbol=row.wallet.token_symbol))
        next_url = escape(getattr(row, "console_next", ""))
        back = escape(getattr(row, "console_back", ""))
        needed = services.approvals_needed(amount=row.amount)
        given = getattr(row, "approval_count", 0)
        approvals = (
            f'<span class="ogc-pill" data-testid="approvals">{given} of {needed} approvals</span> '
            if needed > 1
            else ""
        )
        return mark_safe(  # noqa: S308 - every value escaped
            f'<div class="ogc-row-actions">{approvals}'
            f'<button type="submit" class="ogc-approve" formaction="{approve}" name="next" value="{next_url}">'
            f"Approve {amount}</button>"
            f'<a class="button ogc-reject" href="{reject}?{back}">Reject…</a></div>'
        )

    # --- bulk actions ----------------------------------------------------------------------

    def _report_gone(self, request: HttpRequest, queryset) -> None:
        """Selected rows that left the queue meanwhile (another operator, the owner)
        are not in the action's queryset: say which, rather than drop them silently."""
        selected = {int(pk) for pk in request.POST.getlist(ACTION_CHECKBOX_NAME) if pk.isdigit()}
        gone = sorted(selected - set(queryset.values_list("pk", flat=True)))
        if gone:
            ids = ", ".join(f"#{pk}" for pk in gone)
            self.message_user(request, f"No longer pending, skipped: {ids}.", messages.WARNING)

    def settle(self, request: HttpRequest, queryset, *, approve: bool, reason: str = "") -> None:
        recorded: list[int] = []  # four-eyes: approvals that wait for another operator

        def settle(row: Transaction) -> str | None:
            if approve:
                outcome = approval_outcome(services.withdrawal_approve(withdrawal_id=row.pk, actor=request.user))
                if outcome:
                    recorded.append(row.pk)
                return outcome
            services.withdrawal_reject(withdrawal_id=row.pk, actor=request.user, reason=reason)
            return None

        verb = "approved" if approve else "rejected"
        run_admin_action(
            self,
            request,
            queryset.select_related("user").order_by("pk"),
            operation=settle,
            label=lambda row: f"#{row.pk} ({row.user.email}, {format_amount(row.amount, grouping=True)})",
            success=lambda n: f"{n - len(recorded)} withdrawal(s) {verb}.",
        )

    @admin.action(description="Approve selected withdrawals", permissions=["approve"])
    def approve_selected(self, request: HttpRequest, queryset) -> None:
        self._report_gone(request, queryset)
        self.settle(request, queryset, approve=True)

    @admin.action(description="Reject selected withdrawals (with a reason)…", permissions=["approve"])
    def reject_selected(self, request: HttpRequest, queryset) -> HttpResponse | None:
        form = RejectForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._report_gone(request, queryset)
            self.settle(request, queryset, approve=False, reason=form.cleaned_data["reason"])
            return None
        return reject_form_page(self, request, form, queryset, action_name="reject_selected")


def approval_outcome(row: Transaction) -> str | None:
    """What an approval did when it did not settle the withdrawal (four-eyes)."""
    if row_state(row).state != TransactionStatus.PENDING:  # the settling entry's, not the column's
        return None
    return (
        f"your approval is recorded (1 of {services.approvals_needed(amount=row.amount)} approvals); "
        "another operator's approval sends it."
    )


def reject_form_page(modeladmin: Any, request: HttpRequest, form: RejectForm, queryset, *, action_name: str):
    """The "reject selected withdrawals" page of the queue and of the transactions list."""
    return action_form_page(
        modeladmin,
        request,
        template="admin/wallets/transaction/reject.html",
        title="Reject withdrawals",
        form=form,
        rows=queryset.select_related("user", "wallet"),
        action_name=action_name,
        back_url=reverse(QUEUE_URL_NAME),
    )


# --- one-row views (the queue's buttons) ---------------------------------------------------------


def approve_view(model_admin: Any, request: HttpRequest, pk: int) -> HttpResponse:
    """POST only: approve withdrawal ``pk`` (the queue's "Approve <amount>" button)."""
    if not request.user.has_perm(APPROVE_PERMISSION):
        raise PermissionDenied
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    row = get_object_or_404(Transaction.objects.select_related("user"), pk=pk)

    settled: list[Transaction] = []

    def approve(r: Transaction) -> str | None:
        after = services.withdrawal_approve(withdrawal_id=r.pk, actor=request.user)
        if row_state(after).state == TransactionStatus.PENDING:
            return approval_outcome(after)
        settled.append(after)
        return None

    run_admin_action(
        model_admin,
        request,
        [row],
        operation=approve,
        label=lambda r: f"Withdrawal #{r.pk} ({r.user.email}, {format_amount(r.amount, grouping=True, symbol=True)})",
    )
    if settled:
        model_admin.message_user(
            request,
            f"Withdrawal #{row.pk} approved: {format_amount(row.amount, grouping=True, symbol=True)} "
            f"to {row.user.email}.",
            messages.SUCCESS,
        )
    return HttpResponseRedirect(safe_next_url(request, reverse(QUEUE_URL_NAME)))


def reject_view(model_admin: Any, request: HttpRequest, pk: int) -> HttpResponse:
    """Restates the withdrawal and the member's record, asks for the reason, rejects."""
    if not request.user.has_perm(APPROVE_PERMISSION):
        raise PermissionDenied
    row = get_object_or_404(Transaction.objects.with_state().select_related("user", "wallet"), pk=pk)
    back = safe_next_url(request, reverse(QUEUE_URL_NAME))
    form = RejectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = run_admin_action(
            model_admin,
            request,
            [row],
            operation=lambda r: (
                services.withdrawal_reject(withdrawal_id=r.pk, actor=request.user, reason=form.cleaned_data["reason"])
                and None
            ),
            label=lambda r: f"Withdrawal #{r.pk}",
            success=lambda n: (
                f"Withdrawal #{row.pk} rejected: "
                f"{format_amount(row.amount, grouping=True, symbol=True)} returned to {row.user.email}'s available balance."
            ),
        )
        if done:
            return HttpResponseRedirect(back)
    history = selectors.members_ledger_history(user_ids=[row.user_id])[row.user_id]
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Reject withdrawal #{row.pk}",
        "row": row,
        "member": member_html(row.user, url=user_change_url(row.user_id)),
        "amount": amount_html(row.amount, symbol=row.wallet.token_symbol),
        "history": history_html(history, row.user.date_joined),
        "requested": when_html(row.created_at),
        "form": form,
        "next": back,
        "opts": Transaction._meta,
        "back_url": back,
    }
    if row.state != "pending":
        messages.warning(request, f"Withdrawal #{row.pk} is {row.state}: there is nothing to reject.")
    return TemplateResponse(request, "admin/wallets/transaction/reject_one.html", context)
