"""Queue actors of the notifications app: one delivery actor per channel (messages
carry delivery ids, never content) and the periodic outbox relay."""

from __future__ import annotations

from collections.abc import Sequence

import dramatiq
from django.conf import settings

from notifications.delivery import SENDERS
from notifications.kinds import Channel

QUEUE = "notifications"

_RETRY_OPTIONS = {
    "queue_name": QUEUE,
    # The row's attempts counter is the real budget; the broker may retry at least as often.
    "max_retries": settings.OGC_NOTIFICATION_MAX_ATTEMPTS,
    "min_backoff": settings.OGC_NOTIFICATION_RETRY_MIN_BACKOFF_MS,
    "max_backoff": settings.OGC_NOTIFICATION_RETRY_MAX_BACKOFF_MS,
}


class DeliveryRetryError(Exception):
    """Some rows of the batch failed transiently: let dramatiq retry the message
    (rows already sent are skipped on the next run)."""


def _deliver(channel: str, delivery_ids: Sequence[int]) -> None:
    outcome = SENDERS[channel](delivery_ids=delivery_ids)
    if outcome.retry:
        raise DeliveryRetryError(f"{len(outcome.retry)} {channel} deliveries will be retried: {outcome.retry[:20]}")


@dramatiq.actor(actor_name="notifications_deliver_in_app", **_RETRY_OPTIONS)
def deliver_in_app(delivery_ids: list[int]) -> None:
    _deliver(Channel.IN_APP, delivery_ids)


@dramatiq.actor(actor_name="notifications_deliver_email", **_RETRY_OPTIONS)
def deliver_email(delivery_ids: list[int]) -> None:
    _deliver(Channel.EMAIL, delivery_ids)


@dramatiq.actor(actor_name="notifications_requeue", queue_name=QUEUE, max_retries=0)
def requeue_notifications(grace_minutes: int | None = None) -> None:
    """The outbox relay as an actor, for schedulers that enqueue messages
    (the same function as ``manage.py requeue_notifications``)."""
    from datetime import timedelta

    from notifications.services import deliveries_requeue

    older_than = None if grace_minutes is None else timedelta(minutes=grace_minutes)
    deliveries_requeue(older_than=older_than)


#: channel -> delivery actor, used by services to enqueue.
CHANNEL_ACTORS: dict[str, dramatiq.Actor] = {
    Channel.IN_APP: deliver_in_app,
    Channel.EMAIL: deliver_email,
}
