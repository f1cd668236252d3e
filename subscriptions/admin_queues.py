"""The past-due subscriptions queue of the operator console.

``/admin/subscriptions/subscription/past-due/``: subscriptions whose renewal failed,
the longest overdue first, with when their grace period ends and what the member's
wallet holds against the price. Row buttons: "Retry payment" (runs the periodic job's
step now: ``subscription_process``, which renews if the wallet can pay), "Extend…"
(the extend form, with a reason) and "Cancel now". Bulk actions do the same per row
through ``core.admin.run_admin_action``. Needs ``subscriptions.change_subscription``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from core.admin import (
    ConsoleAdminMixin,
    action_form_page,
    amount_html,
    member_html,
    run_admin_action,
    safe_next_url,
    user_change_url,
    when_html,
)
from subscriptions import selectors, services
from subscriptions.models import Subscription

CHANGE_PERMISSION = "subscriptions.change_subscription"
QUEUE_URL_NAME = "admin:subscriptions_subscription_past_due_queue"


class ExtendForm(forms.Form):
    days = forms.IntegerField(min_value=1, max_value=services.MAX_EXTEND_DAYS)
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class SubscriptionActionsMixin:
    """The subscription actions of the list and of the past-due queue: each calls one
    service per row (which writes the audit entry) through ``run_admin_action``."""

    def has_extend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("subscriptions.extend_subscription")

    def _apply(self, request: HttpRequest, queryset, operation: Callable[[Subscription], Any], done: str) -> None:
        run_admin_action(
            self,
            request,
            queryset.select_related("user").order_by("pk"),
            operation=lambda sub: operation(sub) and None,
            label=lambda sub: str(sub.user),
            success=lambda n: f"{n} subscription(s) {done}.",
        )

    @admin.action(description="Extend the current period (with a reason)…", permissions=["extend"])
    def extend_period(self, request: HttpRequest, queryset) -> HttpResponse | None:
        form = ExtendForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            days, reason = form.cleaned_data["days"], form.cleaned_data["reason"]
            self._apply(
                request,
                queryset,
                lambda sub: services.subscription_extend(
                    subscription_id=sub.pk, days=days, reason=reason, actor=request.user
                ),
                f"extended by {days} day(s)",
            )
            return None
        return action_form_page(
            self,
            request,
            template="admin/subscriptions/extend.html",
            title="Extend subscriptions",
            form=form,
            rows=queryset.select_related("user", "plan"),
            action_name="extend_period",
            back_url=reverse("admin:subscriptions_subscription_changelist"),
        )

    @admin.action(description="Cancel at the period end", permissions=["change"])
    def cancel_at_period_end(self, request: HttpRequest, queryset) -> None:
        self._apply(
            request,
            queryset,
            lambda sub: services.subscription_cancel(user=sub.user, at_period_end=True, actor=request.user),
            "set to end at the period end",
        )

    @admin.action(description="Cancel now (access ends at once, no refund)", permissions=["change"])
    def cancel_now(self, request: HttpRequest, queryset) -> None:
        self._apply(
            request,
            queryset,
            lambda sub: services.subscription_cancel(user=sub.user, at_period_end=False, actor=request.user),
            "canceled now",
        )


class PastDueQueueAdmin(SubscriptionActionsMixin, ConsoleAdminMixin, admin.ModelAdmin):
    list_display = ("member", "plan_col", "overdue", "grace_ends", "wallet_col", "decide")
    list_display_links = None
    list_select_related = ("user__wallet", "plan", "scheduled_plan")
    list_filter = ("plan",)
    search_fields = ("user__email",)
    show_facets = admin.ShowFacets.NEVER
    ordering = ("past_due_since", "pk")
    show_full_result_count = False
    change_list_template = "admin/subscriptions/subscription/past_due_queue.html"
    actions = ["retry_selected", "extend_period", "cancel_now"]

    def get_queryset(self, request: HttpRequest):
        return selectors.subscriptions_past_due()

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(CHANGE_PERMISSION)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def annotate_page(self, request: HttpRequest, rows: list[Subscription]) -> None:
        for row in rows:
            row.console_next = request.get_full_path()

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        summary = selectors.subscriptions_past_due_summary(grace=services.grace_period())
        extra_context = {
            **(extra_context or {}),
            "title": "Subscriptions past due",
            "summary": summary,
            "grace_days": services.grace_period().days,
        }
        return super().changelist_view(request, extra_context=extra_context)

    @admin.display(description="member")
    def member(self, row: Subscription) -> str:
        return member_html(row.user, url=user_change_url(row.user_id))

    @admin.display(description="plan")
    def plan_col(self, row: Subscription) -> str:
        plan = row.scheduled_plan or row.plan
        return format_html("{}<br>{} per {} days", plan.name, amount_html(plan.price), plan.period_days)

    @admin.display(description="past due since", ordering="past_due_since")
    def overdue(self, row: Subscription) -> str:
        return when_html(row.past_due_since)

    @admin.display(description="access ends")
    def grace_ends(self, row: Subscription) -> str:
        if row.past_due_since is None:
            return "—"
        return when_html(row.past_due_since + services.grace_period())

    @admin.display(description="wallet holds")
    def wallet_col(self, row: Subscription) -> str:
        wallet = getattr(row.user, "wallet", None)
        if wallet is None:
            return "—"
        plan = row.scheduled_plan or row.plan
        enough = wallet.available >= plan.price
        return format_html(
            '{}<br><span class="{}">{}</span>',
            amount_html(wallet.available),
            "ogc-muted" if enough else "ogc-diff__old",
            "enough to renew" if enough else "short of the price",
        )

    @admin.display(description="decide")
    def decide(self, row: Subscription) -> str:
        retry = reverse("admin:subscriptions_subscription_retry", args=[row.pk])
        return format_html(
            '<div class="ogc-row-actions">'
            '<button type="submit" class="ogc-approve" formaction="{}" name="next" value="{}">Retry payment</button>'
            '<a class="button" href="{}">Details</a></div>',
            retry,
            getattr(row, "console_next", ""),
            reverse("admin:subscriptions_subscription_change", args=[row.pk]),
        )

    @admin.action(description="Retry the payment now", permissions=["change"])
    def retry_selected(self, request: HttpRequest, queryset) -> None:
        run_admin_action(
            self,
            request,
            queryset.select_related("user").order_by("pk"),
            operation=_retry,
            label=lambda sub: sub.user.email,
            success=lambda n: f"{n} subscription(s) checked.",
        )


def _retry(sub: Subscription) -> str:
    steps = services.subscription_process(subscription_id=sub.pk, now=timezone.now())
    return ", ".join(steps) if steps else "still past due: the wallet cannot pay the price yet"


def retry_view(model_admin: Any, request: HttpRequest, pk: int) -> HttpResponse:
    """POST from the queue's row: run the renewal step now."""
    if not request.user.has_perm(CHANGE_PERMISSION):
        raise PermissionDenied
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    sub = get_object_or_404(Subscription.objects.select_related("user"), pk=pk)
    run_admin_action(model_admin, request, [sub], operation=_retry, label=lambda s: s.user.email)
    return HttpResponseRedirect(safe_next_url(request, reverse(QUEUE_URL_NAME)))
