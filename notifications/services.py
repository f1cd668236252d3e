"""Write layer of the notifications app.

``notify`` and ``broadcast`` are the public entry points other apps call. Both write
rows inside the caller's transaction and hand delivery ids to the broker only after
the commit, so a rolled-back business transaction leaves nothing written and sends
nothing. If the broker is unreachable at commit time the rows stay ``queued`` and the
outbox relay (``deliveries_requeue``) sends them later.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError, NotFoundError
from notifications.folded import can_fold, notification_write_folded
from notifications.kinds import Channel, NotificationKind, is_locked
from notifications.lock_objects import failed_for_update
from notifications.models import DeliveryStatus, Notification, NotificationDelivery, NotificationPreference

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

#: Delivery ids per broker message (one message per chunk and channel).
DELIVERY_CHUNK_SIZE = 500

# Computed once: ``TextChoices.values`` rebuilds its list on every access.
_KINDS = frozenset(NotificationKind.values)
_CHANNELS = tuple(Channel.values)


def _validate_kind(kind: str) -> str:
    if kind not in _KINDS:
        raise ApplicationError(
            _("Unknown notification kind %(kind)s.") % {"kind": repr(kind)}, code="invalid_kind", field="kind"
        )
    return kind


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _disabled_channels(*, user_ids: Sequence[int], kind: str) -> dict[int, set[str]]:
    """{user_id: channels the user turned off for ``kind``} in one query, asking only
    about the channels a user may turn off (a money kind's in-app channel is
    mandatory, so stale rows for it are never read)."""
    disabled: dict[int, set[str]] = defaultdict(set)
    optional = [channel for channel in _CHANNELS if not is_locked(kind=kind, channel=channel)]
    if not optional:
        return disabled
    rows = NotificationPreference.objects.filter(
        user_id__in=user_ids, kind=kind, channel__in=optional, enabled=False
    ).values_list("user_id", "channel")
    for user_id, channel in rows:
        disabled[user_id].add(channel)
    return disabled


def enqueue_deliveries(*, channel: str, delivery_ids: Sequence[int]) -> bool:
    """Hand delivery ids to the broker, one message per chunk. Never raises: the rows
    are the source of truth, and a broker outage is repaired by the outbox relay.
    Returns False when the broker refused."""
    from notifications.tasks import CHANNEL_ACTORS

    actor = CHANNEL_ACTORS[channel]
    try:
        for chunk in _chunks(list(delivery_ids), DELIVERY_CHUNK_SIZE):
            actor.send(list(chunk))
    except Exception:
        logger.warning(
            "Could not enqueue %d %s deliveries; they stay queued for requeue_notifications.",
            len(delivery_ids),
            channel,
            exc_info=True,
        )
        return False
    return True


def _enqueue_on_commit(deliveries: Iterable[NotificationDelivery]) -> None:
    _enqueue_ids_on_commit((delivery.pk, delivery.channel) for delivery in deliveries)


def _enqueue_ids_on_commit(deliveries: Iterable[tuple[int, str]]) -> None:
    by_channel: dict[str, list[int]] = defaultdict(list)
    for pk, channel in deliveries:
        by_channel[channel].append(pk)
    for channel, ids in by_channel.items():
        transaction.on_commit(functools.partial(enqueue_deliveries, channel=channel, delivery_ids=ids))


def notify(
    *,
    user: User,
    kind: str,
    title: str,
    body: str,
    data: dict | None = None,
    event_id: str | None = None,
    event_is_new: bool = False,
) -> Notification | None:
    """Notify ``user`` of an event. Call inside the caller's transaction.

    Writes the Notification and one delivery row per channel the user has not turned
    off, and enqueues delivery on commit. ``event_id`` (e.g. ``f"ledger:{txn.pk}"``)
    makes it idempotent: a second call with the same event_id returns the existing
    row and enqueues nothing. Returns None only when every channel is opted out.

    ``event_is_new=True`` is the caller's promise that no notification can exist yet
    for ``event_id`` because the id names something this same transaction just wrote
    (a ledger row's id and new status). The lookup and the savepoint that absorb a
    replay or a concurrent twin are then skipped: three statements (preferences,
    notification, deliveries) instead of six. A broken promise is not absorbed: the
    unique ``event_id`` raises IntegrityError and the caller's transaction rolls back.
    """
    _validate_kind(kind)
    if (event_id is None or event_is_new) and can_fold(kind):
        notification, pairs = notification_write_folded(user, kind, title, body, data, event_id)
        _enqueue_ids_on_commit(pairs)
        return notification
    if event_id is not None and not event_is_new:
        existing = Notification.objects.filter(event_id=event_id).first()
        if existing is not None:
            return existing
    disabled = _disabled_channels(user_ids=[user.pk], kind=kind).get(user.pk, set())
    channels = [channel for channel in _CHANNELS if channel not in disabled]
    if not channels:
        return None
    if event_id is None or event_is_new:
        notification, deliveries = _notification_write(user, kind, title, body, data, event_id, channels)
    else:
        try:
            # A savepoint: a concurrent twin with the same event_id must not break the
            # caller's transaction, only make this call return the twin's row.
            with transaction.atomic():
                notification, deliveries = _notification_write(user, kind, title, body, data, event_id, channels)
        except IntegrityError:
            existing = Notification.objects.filter(event_id=event_id).first()
            if existing is None:
                raise
            return existing
    _enqueue_on_commit(deliveries)
    return notification


def _notification_write(
    user: User, kind: str, title: str, body: str, data: dict | None, event_id: str | None, channels: list[str]
) -> tuple[Notification, list[NotificationDelivery]]:
    """One INSERT for the notification, one for its deliveries."""
    notification = Notification.objects.create(
        recipient=user, kind=kind, title=title, body=body, data=data or {}, event_id=event_id
    )
    now = timezone.now()
    deliveries = NotificationDelivery.objects.bulk_create(
        [NotificationDelivery(notification=notification, channel=c, queued_at=now) for c in channels]
    )
    if any(d.pk is None for d in deliveries):  # backends that cannot return bulk ids
        deliveries = list(notification.deliveries.all())
    return notification, deliveries


def _broadcast_recipients(*, group_name: str | None):
    users = get_user_model().objects.filter(is_active=True)
    if group_name:
        from django.contrib.auth.models import Group

        if not Group.objects.filter(name=group_name).exists():
            raise NotFoundError(_("No group named %(group)s.") % {"group": repr(group_name)}, field="group_name")
        users = users.filter(groups__name=group_name)
    return users.order_by("pk").values_list("pk", flat=True)


@transaction.atomic
def broadcast(
    *,
    kind: str = NotificationKind.ANNOUNCEMENT,
    title: str,
    body: str,
    data: dict | None = None,
    group_name: str | None = None,
    actor: User | None = None,
    chunk_size: int = DELIVERY_CHUNK_SIZE,
) -> int:
    """Fan one message out to every active user (or every active member of
    ``group_name``). Per chunk of users: one preferences query, two bulk inserts and,
    after the commit, one broker message per channel. Returns the number of
    notifications created. ``actor`` (the operator) is recorded in ``data``."""
    _validate_kind(kind)
    if not title.strip():
        raise ApplicationError(_("A title is required."), code="required", field="title")
    batch = uuid.uuid4().hex
    payload = dict(data or {})
    payload["broadcast"] = batch
    if actor is not None:
        payload["sent_by"] = getattr(actor, "pk", None)
    user_ids = list(_broadcast_recipients(group_name=group_name))
    now = timezone.now()
    created = 0
    for chunk in _chunks(user_ids, chunk_size):
        disabled = _disabled_channels(user_ids=chunk, kind=kind)
        wanted = {uid: [c for c in _CHANNELS if c not in disabled.get(uid, ())] for uid in chunk}
        wanted = {uid: channels for uid, channels in wanted.items() if channels}
        if not wanted:
            continue
        notifications = Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=uid,
                    kind=kind,
                    title=title,
                    body=body,
                    data=payload,
                    event_id=f"broadcast:{batch}:{uid}",
                )
                for uid in wanted
            ]
        )
        if any(n.pk is None for n in notifications):  # backends that cannot return bulk ids
            notifications = list(
                Notification.objects.filter(event_id__startswith=f"broadcast:{batch}:", recipient_id__in=list(wanted))
            )
        deliveries = NotificationDelivery.objects.bulk_create(
            [
                NotificationDelivery(notification_id=n.pk, channel=channel, queued_at=now)
                for n in notifications
                for channel in wanted[n.recipient_id]
            ]
        )
        if any(d.pk is None for d in deliveries):
            deliveries = list(NotificationDelivery.objects.filter(notification__in=notifications))
        _enqueue_on_commit(deliveries)
        created += len(notifications)
    logger.info("Broadcast %s (%s) created %d notifications.", batch, kind, created)
    return created


# --- Reading state ---------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of ``user``'s notifications read. Another user's id is a 404."""
    notification = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if notification is None:
        raise NotFoundError(_("Notification not found."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notification_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of ``user`` read; returns how many changed."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


# --- Preferences -------------------------------------------------------------------


@transaction.atomic
def preferences_update(*, user: User, changes: Iterable[tuple[str, str, bool]]) -> None:
    """Apply (kind, channel, enabled) choices. Turning off a mandatory in-app kind is
    refused as a whole (nothing is changed)."""
    changes = list(changes)
    for kind, channel, enabled in changes:
        _validate_kind(kind)
        if channel not in Channel.values:
            raise ApplicationError(
                _("Unknown channel %(channel)s.") % {"channel": repr(channel)}, code="invalid_channel", field="channel"
            )
        if not enabled and is_locked(kind=kind, channel=channel):
            raise ApplicationError(
                _("%(kind)s notifications cannot be turned off in the app.") % {"kind": NotificationKind(kind).label},
                code="preference_locked",
                field="preferences",
            )
    for kind, channel, enabled in changes:
        preference, created = NotificationPreference.objects.get_or_create(
            user=user, kind=kind, channel=channel, defaults={"enabled": enabled}
        )
        if not created and preference.enabled != enabled:
            preference.enabled = enabled
            preference.save(update_fields=["enabled", "updated_at"])


# --- Outbox relay and operator actions ------------------------------------------------


@dataclass
class RequeueOutcome:
    enqueued: int = 0  # deliveries handed to the broker again
    unknown: int = 0  # expired email claims whose in-flight email became failed (outcome unknown)
    released: int = 0  # never-attempted rows of expired claims, queued again


def deliveries_requeue(*, older_than: timedelta | None = None, limit: int = 10_000) -> RequeueOutcome:
    """The outbox relay. First ends the email claims whose lease expired
    (``reconcile_expired_claims``: in-flight email -> failed, outcome unknown, not resent;
    the never-attempted rows are enqueued at once). Then re-enqueues deliveries still
    ``queued`` and unclaimed ``older_than`` after they were last handed to the broker
    (default ``OGC_NOTIFICATION_REQUEUE_GRACE_MINUTES``), stamping ``queued_at`` first so
    the next run waits another grace period. Nothing is enqueued while the broker is
    unreachable; the rows stay queued for the next run."""
    from notifications.delivery import reconcile_expired_claims

    if older_than is None:
        older_than = timedelta(minutes=settings.OGC_NOTIFICATION_REQUEUE_GRACE_MINUTES)
    cutoff = timezone.now() - older_than
    reconciled = reconcile_expired_claims(limit=limit)
    outcome = RequeueOutcome(unknown=len(reconciled.unknown), released=len(reconciled.released))
    if reconciled.released and enqueue_deliveries(channel=Channel.EMAIL, delivery_ids=reconciled.released):
        outcome.enqueued += len(reconciled.released)
    rows = list(
        NotificationDelivery.objects.filter(
            status=DeliveryStatus.QUEUED, queued_at__lte=cutoff, claim_token__isnull=True
        )
        .order_by("queued_at", "notification_id", "pk")  # the order of idx_notif_deliv_stuck: no sort
        .values_list("pk", "channel")[:limit]
    )
    if not rows:
        return outcome
    NotificationDelivery.objects.filter(pk__in=[pk for pk, _ in rows], status=DeliveryStatus.QUEUED).update(
        queued_at=timezone.now()
    )
    by_channel: dict[str, list[int]] = defaultdict(list)
    for pk, channel in rows:
        by_channel[channel].append(pk)
    for channel, ids in by_channel.items():
        if enqueue_deliveries(channel=channel, delivery_ids=ids):
            outcome.enqueued += len(ids)
    return outcome


@transaction.atomic
def deliveries_resend_failed(*, notification_ids: Iterable[int]) -> tuple[int, int]:
    """Operator action: put the failed channels of these notifications back in the
    queue with a fresh attempt budget (the last error is kept until a send succeeds).
    A failed email whose outcome is unknown (its claim expired mid-send) may already
    have been delivered: resending it is the operator's decision. Returns (channels
    re-queued, how many of them had an unknown outcome)."""
    deliveries = failed_for_update(notification_ids=notification_ids)
    unknown = sum(delivery.outcome_unknown for delivery in deliveries)
    now = timezone.now()
    for delivery in deliveries:
        delivery.status = DeliveryStatus.QUEUED
        delivery.attempts = 0
        delivery.queued_at = now
        delivery.claim_token = delivery.claimed_until = None
        delivery.save(update_fields=["status", "attempts", "queued_at", "claim_token", "claimed_until", "updated_at"])
    _enqueue_on_commit(deliveries)
    return len(deliveries), unknown
