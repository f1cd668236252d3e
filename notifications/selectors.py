"""Read layer of the notifications app."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Min, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from notifications.kinds import Channel, NotificationKind, is_locked
from notifications.models import DeliveryStatus, Notification, NotificationDelivery, NotificationPreference

if TYPE_CHECKING:
    from accounts.models import User


def notification_list(*, user: User, unread: bool | None = None, kind: str | None = None) -> QuerySet[Notification]:
    """``user``'s notifications, newest first (index ``idx_notif_inbox``)."""
    qs = Notification.objects.filter(recipient=user)
    if unread is True:
        qs = qs.filter(read_at__isnull=True)
    elif unread is False:
        qs = qs.filter(read_at__isnull=False)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-id")


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


#: The page a notification of each kind is about when its ``data`` names no object.
_KIND_PAGES: dict[str, str] = {
    NotificationKind.WELCOME: "dashboard",
    NotificationKind.BADGE_EARNED: "my_badges",
    NotificationKind.BADGE_REVOKED: "my_badges",
    **{kind: "wallet" for kind in NotificationKind.values if kind.startswith(("deposit_", "withdrawal_"))},
    NotificationKind.STAKE_CHANGED: "wallet",
    NotificationKind.ADJUSTMENT: "wallet",
    NotificationKind.REWARD_PAID: "wallet",
    NotificationKind.PAYMENT_DEBITED: "wallet",
    NotificationKind.TRANSFER_RECEIVED: "wallet",
    NotificationKind.ADDRESS_ADDED: "wallet",
    NotificationKind.ADDRESS_REMOVED: "wallet",
    **{kind: "subscription_page" for kind in NotificationKind.values if kind.startswith("subscription_")},
    NotificationKind.AI_REQUEST_FINISHED: "ai_history",
}


def notification_url(*, notification: Notification) -> str | None:
    """The page a notification leads to, derived from what its ``data`` names (the
    most specific object first: a proposal, a challenge, an assistant request, a badge, a subscription, a
    ledger row), else from its kind; ``None`` for kinds about no page (security,
    announcements). URL names only: this app imports no domain app."""
    data = notification.data if isinstance(notification.data, dict) else {}
    try:
        if data.get("proposal_id"):
            return reverse("governance_detail", kwargs={"pk": int(data["proposal_id"])})
        if data.get("challenge"):
            return reverse("challenge_detail", kwargs={"slug": str(data["challenge"])})
        if data.get("ai_request_id"):
            return reverse("ai_request_detail", kwargs={"pk": int(data["ai_request_id"])})
    except (NoReverseMatch, TypeError, ValueError):
        pass  # a malformed payload falls back to the kind's page
    for key, name in (("badge", "my_badges"), ("subscription_id", "subscription_page"), ("transaction_id", "wallet")):
        if data.get(key):
            return reverse(name)
    page = _KIND_PAGES.get(notification.kind)
    return reverse(page) if page else None


def preference_matrix(*, user: User) -> list[dict]:
    """Every (kind, channel) with its effective state for ``user`` (one query)."""
    stored = {
        (kind, channel): enabled
        for kind, channel, enabled in NotificationPreference.objects.filter(user=user).values_list(
            "kind", "channel", "enabled"
        )
    }
    rows = []
    for kind in NotificationKind:
        for channel in Channel:
            locked = is_locked(kind=kind, channel=channel)
            rows.append(
                {
                    "kind": kind.value,
                    "kind_label": kind.label,
                    "channel": channel.value,
                    "enabled": True if locked else stored.get((kind.value, channel.value), True),
                    "locked": locked,
                }
            )
    return rows


# --- operator console -----------------------------------------------------------------------


def deliveries_stuck(
    *, older_than: timedelta | None = None, now: datetime | None = None
) -> QuerySet[NotificationDelivery]:
    """Deliveries still ``queued`` a grace period after they were handed to the broker
    (``OGC_NOTIFICATION_REQUEUE_GRACE_MINUTES``): the relay should have sent them again.
    A range of ``idx_notif_deliv_stuck`` (status, queued_at, notification), which also
    holds the notification ids the console's filter needs: no row is read."""
    if older_than is None:
        older_than = timedelta(minutes=settings.OGC_NOTIFICATION_REQUEUE_GRACE_MINUTES)
    cutoff = (now or timezone.now()) - older_than
    return NotificationDelivery.objects.filter(status=DeliveryStatus.QUEUED, queued_at__lte=cutoff)


def delivery_states(*, notification_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """Each notification's (channel, status) pairs, channels in name order: the console
    list's "channels" column for a page of rows, in one query of three columns (a
    prefetch built a queryset and a model instance per row and delivery)."""
    states: dict[int, list[tuple[str, str]]] = {pk: [] for pk in notification_ids}
    rows = (
        NotificationDelivery.objects.filter(notification_id__in=notification_ids)
        .order_by("notification_id", "channel")
        .values_list("notification_id", "channel", "status")
    )
    for notification_id, channel, status in rows:
        states[notification_id].append((channel, status))
    return states


def deliveries_stuck_summary() -> dict:
    """How many deliveries are stuck and the oldest hand-over (one query)."""
    return deliveries_stuck().aggregate(count=Count("pk"), oldest=Min("queued_at"))
