"""Row locks of the notifications app, in one place.

Delivery rows are the only rows locked here. Workers claim queued email rows with
``SKIP LOCKED`` (two workers never wait for each other and never take the same row);
operators' resends and the claim reconciliation lock the rows they change, in
primary-key order.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from notifications.models import DeliveryStatus, NotificationDelivery


def queued_unclaimed_for_update(*, pks: Iterable[int]) -> QuerySet[NotificationDelivery]:
    """The queued, unclaimed rows among ``pks``, locked; rows another worker holds are
    skipped, not waited for."""
    return NotificationDelivery.objects.select_for_update(skip_locked=True).filter(
        pk__in=list(pks), status=DeliveryStatus.QUEUED, claim_token__isnull=True
    )


def expired_claims_for_update(
    expired: QuerySet[NotificationDelivery], *, tokens: Iterable[str]
) -> QuerySet[NotificationDelivery]:
    """The rows of these expired claims, locked in (lease end, pk) order."""
    return expired.filter(claim_token__in=sorted(tokens)).select_for_update().order_by("claimed_until", "pk")


def failed_for_update(*, notification_ids: Iterable[int]) -> list[NotificationDelivery]:
    """The failed deliveries of these notifications, locked in primary-key order."""
    return list(
        NotificationDelivery.objects.select_for_update()
        .filter(notification_id__in=list(notification_ids), status=DeliveryStatus.FAILED)
        .order_by("pk")
    )
