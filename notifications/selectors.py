"""Read layer of the notifications app."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Min, QuerySet
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
    (``OGC_NOTIFICATION_REQUEUE_GRACE_MINUTES``): the relay should have sent them again;
    index ``idx_notif_deliv_status_q``."""
    if older_than is None:
        older_than = timedelta(minutes=settings.OGC_NOTIFICATION_REQUEUE_GRACE_MINUTES)
    cutoff = (now or timezone.now()) - older_than
    return NotificationDelivery.objects.filter(status=DeliveryStatus.QUEUED, queued_at__lte=cutoff)


def deliveries_stuck_summary() -> dict:
    """How many deliveries are stuck and the oldest hand-over (one query)."""
    return deliveries_stuck().aggregate(count=Count("pk"), oldest=Min("queued_at"))
