"""Notifications: the message (``Notification``), its delivery state per channel
(``NotificationDelivery``) and the users' opt-outs (``NotificationPreference``).

The rows are the source of truth; the broker only carries delivery ids. A delivery
row is ``queued`` until a worker sends it (``sent``) or gives up (``failed``). An email
row is claimed (a claim token and a lease, still ``queued``) in a committed transaction
before its email is handed to the mail server; a claim that expires without a result
makes the email ``failed`` with an "outcome unknown" reason (it may have gone out; it is
never resent automatically). See docs/notifications.md, "Delivery state machine".
"""

from __future__ import annotations

from auditlog.registry import auditlog
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q

from notifications.kinds import MANDATORY_IN_APP_KINDS, MANDATORY_KINDS, Channel, NotificationKind


class Notification(models.Model):
    """A message to one user. ``event_id`` (unique when set) names the business event
    that caused it, so a redelivered event creates nothing twice."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,  # a user's inbox goes with the user
        related_name="notifications",
    )
    kind = models.CharField(max_length=40, choices=NotificationKind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    # Amounts arrive as Decimals and are stored as strings (DjangoJSONEncoder).
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    # 191 characters keeps the unique index within InnoDB's limit on utf8mb4.
    event_id = models.CharField(max_length=191, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "notifications"
        ordering = ("-created_at", "-id")
        permissions = [("broadcast_notification", "Can broadcast announcements to users")]
        indexes = [
            # "my unread, newest first" and the nav badge's COUNT.
            models.Index(fields=["recipient", "read_at", "-created_at"], name="idx_notif_inbox"),
            models.Index(fields=["recipient", "-created_at"], name="idx_notif_recipient_new"),
            models.Index(fields=["kind", "-created_at"], name="idx_notif_kind_new"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=NotificationKind.values), name="notif_kind_valid"),
            models.CheckConstraint(
                condition=Q(event_id__isnull=True) | ~Q(event_id=""), name="notif_event_id_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class NotificationDelivery(models.Model):
    """Delivery state of one notification on one channel."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # When the row was last handed to the broker: the outbox relay re-enqueues rows
    # still queued a grace period after this.
    queued_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # An email row's claim: the worker batch that holds it and until when. Open while the
    # row is ``queued``; kept on the row the claim sent (``sent``) or lost track of
    # (``failed``, outcome unknown); cleared when the row goes back to the queue.
    claim_token = models.CharField(max_length=32, null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "notification_deliveries"
        verbose_name_plural = "notification deliveries"
        indexes = [
            # "queued older than N minutes": the relay (in this order) and the console's
            # "stuck" filter; the console's status filters. The notification id makes
            # the filters' EXISTS read the index alone (no row per delivery).
            models.Index(fields=["status", "queued_at", "notification"], name="idx_notif_deliv_stuck"),
            # "queued rows whose claim expired" (the reconcile): a range after the NULLs.
            models.Index(fields=["status", "claimed_until"], name="idx_notif_deliv_claim"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="uniq_notif_delivery_channel"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="notif_deliv_channel_valid"),
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="notif_deliv_status_valid"),
            models.CheckConstraint(
                condition=Q(status=DeliveryStatus.SENT, sent_at__isnull=False) | ~Q(status=DeliveryStatus.SENT),
                name="notif_deliv_sent_has_sent_at",
            ),
            models.CheckConstraint(
                condition=Q(claim_token__isnull=True, claimed_until__isnull=True)
                | Q(claim_token__isnull=False, claimed_until__isnull=False),
                name="notif_deliv_claim_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} #{self.notification_id}: {self.status}"

    @property
    def outcome_unknown(self) -> bool:
        """Failed because its claim expired mid-send: the email may have gone out."""
        return self.status == DeliveryStatus.FAILED and self.claim_token is not None


#: Deliveries whose send outcome is unknown (see ``NotificationDelivery.outcome_unknown``).
OUTCOME_UNKNOWN = Q(status=DeliveryStatus.FAILED, claim_token__isnull=False)


class NotificationPreference(models.Model):
    """A user's choice for one (kind, channel). No row means enabled; money and
    security kinds cannot be disabled in-app, and address changes on no channel
    (database constraints)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(max_length=40, choices=NotificationKind.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "notification_preferences"
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "channel"], name="uniq_notif_pref_user_kind_channel"),
            models.CheckConstraint(condition=Q(kind__in=NotificationKind.values), name="notif_pref_kind_valid"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="notif_pref_channel_valid"),
            models.CheckConstraint(
                condition=Q(enabled=True) | ~Q(channel=Channel.IN_APP, kind__in=sorted(MANDATORY_IN_APP_KINDS)),
                name="notif_pref_mandatory_in_app",
            ),
            models.CheckConstraint(
                condition=Q(enabled=True) | ~Q(kind__in=sorted(MANDATORY_KINDS)), name="notif_pref_mandatory_kinds"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}/{self.channel}: {'on' if self.enabled else 'off'}"


# Preferences are user choices worth an audit trail; notifications and deliveries are
# high-volume transport state (and written in bulk), so they are not audited.
auditlog.register(NotificationPreference, exclude_fields=["updated_at"])
