"""Operator console for notifications: search, per-channel state, resend, broadcast."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince

from core.admin import (
    ConsoleAdminMixin,
    LargeTableAdminMixin,
    ReadOnlyAdminMixin,
    member_html,
    pill,
    user_change_url,
    when_html,
)
from core.admin_site import ALERT, OK, Tile, register_tile
from core.exceptions import ApplicationError
from notifications import selectors
from notifications.kinds import Channel, NotificationKind
from notifications.models import DeliveryStatus, Notification, NotificationDelivery, NotificationPreference
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


class DeliveryFilter(admin.SimpleListFilter):
    """A notification with a channel in this state (EXISTS on the deliveries: no join,
    no duplicate rows); "stuck" is queued past the relay's grace period. Both read
    ``idx_notif_deliv_stuck`` alone (status, queued_at, notification)."""

    title = "delivery"
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        grace = settings.OGC_NOTIFICATION_REQUEUE_GRACE_MINUTES
        return [
            ("stuck", f"Stuck (queued over {grace} min)"),
            *((status.value, f"A channel {status.label.lower()}") for status in DeliveryStatus),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "stuck":
            deliveries = selectors.deliveries_stuck()
        elif value in DeliveryStatus.values:
            deliveries = NotificationDelivery.objects.filter(status=value)
        else:
            return queryset
        return queryset.filter(Exists(deliveries.filter(notification_id=OuterRef("pk"))))


class ChannelFilter(admin.SimpleListFilter):
    title = "channel"
    parameter_name = "channel"

    def lookups(self, request, model_admin):
        return Channel.choices

    def queryset(self, request, queryset):
        if self.value() in Channel.values:
            channel = NotificationDelivery.objects.filter(notification_id=OuterRef("pk"), channel=self.value())
            return queryset.filter(Exists(channel))
        return queryset


@admin.register(Notification)
class NotificationAdmin(LargeTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Notifications are written by services only: the admin reads, resends, broadcasts."""

    list_display = ("id", "member", "kind", "title", "channel_states", "created", "read_at")
    list_filter = (DeliveryFilter, ChannelFilter, "kind", "created_at")
    search_fields = ("=event_id",)  # get_search_results: an email finds the recipient's inbox
    search_help_text = "A member's email, or an event id."
    # Only the columns a member cell shows; the deliveries' states come from annotate_page.
    prefetch = (Prefetch("recipient", queryset=get_user_model().objects.only("id", "email", "display_name")),)
    readonly_fields = ("recipient", "kind", "title", "body", "data", "event_id", "created_at", "read_at")
    inlines = [DeliveryInline]
    actions = ["resend_failed"]

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if "@" in term:
            users = get_user_model().objects.filter(email__istartswith=term).values_list("pk", flat=True)[:50]
            return queryset.filter(recipient_id__in=list(users)), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="member")
    def member(self, obj: Notification) -> str:
        return member_html(obj.recipient, url=user_change_url(obj.recipient_id))

    @admin.display(description="created", ordering="created_at")
    def created(self, obj: Notification) -> str:
        return when_html(obj.created_at)

    def annotate_page(self, request: HttpRequest, rows: list[Notification]) -> None:
        """The page's delivery states in one query (``selectors.delivery_states``)."""
        states = selectors.delivery_states(notification_ids=[row.pk for row in rows])
        for row in rows:
            row.console_channels = states[row.pk]  # type: ignore[attr-defined]

    @admin.display(description="channels")
    def channel_states(self, obj: Notification) -> str:
        states = getattr(obj, "console_channels", None)
        if states is None:
            states = obj.deliveries.order_by("channel").values_list("channel", "status")
        return mark_safe(" ".join(pill(status, f"{channel}: {status}") for channel, status in states))  # noqa: S308 - pills escape

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
class NotificationPreferenceAdmin(ConsoleAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: users choose their preferences themselves."""

    list_display = ("user", "kind", "channel", "enabled", "updated_at")
    list_filter = ("kind", "channel", "enabled")
    search_fields = ("user__email",)
    list_select_related = ("user",)


@register_tile("notifications.stuck", order=50, permissions=["notifications.view_notification"])
def stuck_deliveries_tile(request: HttpRequest) -> Tile:
    summary = selectors.deliveries_stuck_summary()
    count = summary["count"]
    grace = settings.OGC_NOTIFICATION_REQUEUE_GRACE_MINUTES
    detail = f"queued over {grace} min; oldest {timesince(summary['oldest'], depth=1)}" if count else ""
    if count:
        detail += ". Is a worker running? manage.py requeue_notifications sends them again."
    return Tile(
        title="Notification deliveries stuck",
        value=f"{count:,}",
        detail=detail,
        url=reverse("admin:notifications_notification_changelist") + "?delivery=stuck",
        state=ALERT if count else OK,
        action="View",
    )
