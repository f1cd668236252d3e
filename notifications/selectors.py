"""Read layer of the notifications app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from notifications.kinds import Channel, NotificationKind, is_locked
from notifications.models import Notification, NotificationPreference

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
