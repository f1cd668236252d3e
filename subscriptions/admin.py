"""Admin of plans and subscriptions.

Plans are edited by operators (price changes apply from each subscriber's next
renewal). Subscriptions and their periods are read-only: operators change them
only through the actions, which call the services and write an audit entry
naming the action (``core.audit.audit_record``, written by the service).
"""

from __future__ import annotations

from functools import partial

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import path, reverse

from core.admin import ConsoleAdminMixin, ReadOnlyAdminMixin, amount_html, member_html, pill, user_change_url
from core.admin_site import Tile, queue_tile, register_tile
from core.amounts import AmountFormField
from subscriptions import selectors, services
from subscriptions.admin_queues import (
    CHANGE_PERMISSION,
    QUEUE_URL_NAME,
    PastDueQueueAdmin,
    SubscriptionActionsMixin,
    retry_view,
)
from subscriptions.models import Plan, Subscription, SubscriptionPeriod


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = (
            "code",
            "name",
            "description",
            "price",
            "period_days",
            "trial_days",
            "features",
            "is_active",
            "sort_order",
        )
        field_classes = {"price": partial(AmountFormField, allow_zero=True)}

    def clean_features(self) -> list[str]:
        features = self.cleaned_data.get("features")
        if features in (None, ""):
            return []
        if not isinstance(features, list) or not all(isinstance(f, str) and f.strip() for f in features):
            raise forms.ValidationError('Enter a JSON list of feature codes, e.g. ["extra_submissions"].')
        return sorted({f.strip() for f in features})


@admin.register(Plan)
class PlanAdmin(ConsoleAdminMixin, admin.ModelAdmin):
    form = PlanForm
    list_display = ("code", "name", "price_col", "period_days", "trial_days", "features", "is_active", "sort_order")
    list_filter = ("is_active",)
    search_fields = ("code", "name")
    ordering = ("sort_order", "price")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # subscriptions and their history point at plans: deactivate instead

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj is not None else ()

    @admin.display(description="price", ordering="price")
    def price_col(self, obj: Plan) -> str:
        return amount_html(obj.price)


class SubscriptionPeriodInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SubscriptionPeriod
    extra = 0
    can_delete = False
    fields = ("period_start", "period_end", "plan", "kind", "amount", "payment", "created_at")
    readonly_fields = fields
    ordering = ("-period_start",)


@admin.register(Subscription)
class SubscriptionAdmin(SubscriptionActionsMixin, ConsoleAdminMixin, admin.ModelAdmin):
    list_display = (
        "member",
        "plan",
        "status_pill",
        "current_period_end",
        "cancel_at_period_end",
        "auto_renew",
        "scheduled_plan",
    )
    list_filter = ("status", "plan", "cancel_at_period_end", "auto_renew")
    search_fields = ("user__email",)
    list_select_related = ("user", "plan", "scheduled_plan")
    date_hierarchy = "current_period_end"
    inlines = [SubscriptionPeriodInline]
    actions = ["extend_period", "cancel_at_period_end", "cancel_now"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def __init__(self, model, admin_site) -> None:
        super().__init__(model, admin_site)
        self.past_due_queue = PastDueQueueAdmin(model, admin_site)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "past-due/", view(self.past_due_queue.changelist_view), name="subscriptions_subscription_past_due_queue"
            ),
            path(
                "<int:pk>/retry/",
                view(lambda request, pk: retry_view(self, request, pk)),
                name="subscriptions_subscription_retry",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_work_queue": request.user.has_perm(CHANGE_PERMISSION)}
        return super().changelist_view(request, extra_context=extra_context)

    @admin.display(description="member", ordering="user__email")
    def member(self, obj: Subscription) -> str:
        return member_html(obj.user, url=user_change_url(obj.user_id))

    @admin.display(description="status", ordering="status")
    def status_pill(self, obj: Subscription) -> str:
        return pill(obj.status, obj.get_status_display())


@admin.register(SubscriptionPeriod)
class SubscriptionPeriodAdmin(ConsoleAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("subscription", "plan", "kind", "period_start", "period_end", "amount_col", "payment")
    list_filter = ("kind", "plan")
    search_fields = ("subscription__user__email",)
    list_select_related = ("subscription__user", "subscription__plan", "plan", "payment")

    @admin.display(description="amount", ordering="amount")
    def amount_col(self, obj: SubscriptionPeriod) -> str:
        return amount_html(obj.amount)


@register_tile("subscriptions.past_due", order=40, permissions=["subscriptions.view_subscription"])
def past_due_tile(request: HttpRequest) -> Tile:
    summary = selectors.subscriptions_past_due_summary(grace=services.grace_period())
    return queue_tile(
        request,
        title="Subscriptions past due",
        count=summary["count"],
        detail=f"{summary['expiring']} {'loses' if summary['expiring'] == 1 else 'lose'} access within a day",
        queue_url=reverse(QUEUE_URL_NAME),
        list_url=reverse("admin:subscriptions_subscription_changelist") + "?status__exact=past_due",
        permission=CHANGE_PERMISSION,
        urgent=bool(summary["expiring"]),
        action="Work the queue",
    )
