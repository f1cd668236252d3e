"""Admin of plans and subscriptions.

Plans are edited by operators (price changes apply from each subscriber's next
renewal). Subscriptions and their periods are read-only: operators change them
only through the actions, which call the services and write an audit entry
naming the action (``core.audit.audit_record``, written by the service).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from core.admin import ReadOnlyAdminMixin, run_admin_action
from core.amounts import AmountFormField
from subscriptions import services
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
class PlanAdmin(admin.ModelAdmin):
    form = PlanForm
    list_display = ("code", "name", "price", "period_days", "trial_days", "features", "is_active", "sort_order")
    list_filter = ("is_active",)
    search_fields = ("code", "name")
    ordering = ("sort_order", "price")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # subscriptions and their history point at plans: deactivate instead

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj is not None else ()


class SubscriptionPeriodInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SubscriptionPeriod
    extra = 0
    can_delete = False
    fields = ("period_start", "period_end", "plan", "kind", "amount", "payment", "created_at")
    readonly_fields = fields
    ordering = ("-period_start",)


class ExtendForm(forms.Form):
    days = forms.IntegerField(min_value=1, max_value=services.MAX_EXTEND_DAYS)
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "plan",
        "status",
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

    def has_extend_permission(self, request) -> bool:
        return request.user.has_perm("subscriptions.extend_subscription")

    def _apply(self, request: HttpRequest, queryset, operation: Callable[[Subscription], Any], done: str) -> None:
        """Run ``operation(subscription)`` (one service call, which writes the audit entry) per row."""
        run_admin_action(
            self,
            request,
            queryset.select_related("user"),
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
        context = {
            **self.admin_site.each_context(request),
            "title": "Extend subscriptions",
            "form": form,
            "rows": queryset.select_related("user", "plan"),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/subscriptions/extend.html", context)

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


@admin.register(SubscriptionPeriod)
class SubscriptionPeriodAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("subscription", "plan", "kind", "period_start", "period_end", "amount", "payment")
    list_filter = ("kind", "plan")
    search_fields = ("subscription__user__email",)
    list_select_related = ("subscription__user", "subscription__plan", "plan", "payment")
