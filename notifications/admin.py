"""Operator console for notifications: search, per-channel state, resend, broadcast."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from core.admin import ReadOnlyAdminMixin
from core.exceptions import ApplicationError
from notifications.kinds import NotificationKind
from notifications.models import Notification, NotificationDelivery, NotificationPreference
from notifications.services import broadcast, deliveries_resend_failed


class DeliveryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = NotificationDelivery
    extra = 0
    can_delete = False
    fields = ("channel", "status", "attempts", "last_error", "queued_at", "claimed_until", "sent_at")
    readonly_fields = fields


class BroadcastForm(forms.Form):
    kind = forms.ChoiceField(choices=NotificationKind.choices, initial=NotificationKind.ANNOUNCEMENT)
    title = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea)
    group = forms.ModelChoiceField(
        queryset=Group.objects.order_by("name"),
        required=False,
        empty_label="Every active user",
        help_text="Only active members of this group.",
    )


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Notifications are written by services only: the admin reads, resends, broadcasts."""

    list_display = ("id", "recipient", "kind", "title", "channel_states", "created_at", "read_at")
    list_filter = ("kind", "deliveries__status", "deliveries__channel", "created_at")
    search_fields = ("recipient__email", "title", "event_id")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
    readonly_fields = ("recipient", "kind", "title", "body", "data", "event_id", "created_at", "read_at")
    inlines = [DeliveryInline]
    actions = ["resend_failed"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("deliveries")

    @admin.display(description="channels")
    def channel_states(self, obj: Notification) -> str:
        return ", ".join(f"{d.channel}: {d.status}" for d in obj.deliveries.all())

    def has_resend_permission(self, request) -> bool:
        return request.user.has_perm("notifications.change_notificationdelivery")

    @admin.action(description="Resend failed channels", permissions=["resend"])
    def resend_failed(self, request: HttpRequest, queryset) -> None:
        count, unknown = deliveries_resend_failed(notification_ids=list(queryset.values_list("pk", flat=True)))
        note = f" {unknown} of them had an unknown outcome and may be received twice." if unknown else ""
        self.message_user(request, f"{count} failed channel(s) queued again.{note}", messages.SUCCESS)

    def get_urls(self):
        return [
            path("broadcast/", self.admin_site.admin_view(self.broadcast_view), name="notifications_broadcast"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_broadcast": request.user.has_perm("notifications.broadcast_notification"),
        }
        return super().changelist_view(request, extra_context=extra_context)

    def broadcast_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("notifications.broadcast_notification"):
            raise PermissionDenied
        form = BroadcastForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            group = form.cleaned_data["group"]
            try:
                count = broadcast(
                    kind=form.cleaned_data["kind"],
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    group_name=group.name if group else None,
                    actor=request.user,
                )
            except ApplicationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                self.message_user(request, f"Broadcast queued for {count} user(s).", messages.SUCCESS)
                return redirect(reverse("admin:notifications_notification_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Broadcast an announcement",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/notifications/broadcast.html", context)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: users choose their preferences themselves."""

    list_display = ("user", "kind", "channel", "enabled", "updated_at")
    list_filter = ("kind", "channel", "enabled")
    search_fields = ("user__email",)
    list_select_related = ("user",)
