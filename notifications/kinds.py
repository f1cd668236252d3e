"""The public vocabulary of the notifications app: event kinds and delivery channels.

Other apps pass ``NotificationKind`` values (plain strings) to ``notifications.services.notify``.
"""

from __future__ import annotations

from django.db import models


class NotificationKind(models.TextChoices):
    WELCOME = "welcome", "Welcome"
    DEPOSIT_CREDITED = "deposit_credited", "Deposit credited"
    WITHDRAWAL_REQUESTED = "withdrawal_requested", "Withdrawal requested"
    WITHDRAWAL_APPROVED = "withdrawal_approved", "Withdrawal approved"
    WITHDRAWAL_REJECTED = "withdrawal_rejected", "Withdrawal rejected"
    WITHDRAWAL_CANCELED = "withdrawal_canceled", "Withdrawal canceled"
    STAKE_CHANGED = "stake_changed", "Stake changed"
    ADJUSTMENT = "adjustment", "Balance adjustment"
    REWARD_PAID = "reward_paid", "Reward paid"
    PAYMENT_DEBITED = "payment_debited", "Payment debited"
    BADGE_EARNED = "badge_earned", "Badge earned"
    BADGE_REVOKED = "badge_revoked", "Badge revoked"
    SUBMISSION_REVIEWED = "submission_reviewed", "Submission reviewed"
    SUBSCRIPTION_STARTED = "subscription_started", "Subscription started"
    SUBSCRIPTION_EXPIRING = "subscription_expiring", "Subscription expiring"
    SUBSCRIPTION_EXPIRED = "subscription_expired", "Subscription expired"
    SUBSCRIPTION_RENEWED = "subscription_renewed", "Subscription renewed"
    SUBSCRIPTION_RENEWAL_FAILED = "subscription_renewal_failed", "Subscription renewal failed"
    SUBSCRIPTION_CANCELED = "subscription_canceled", "Subscription canceled"
    PROPOSAL_CLOSED = "proposal_closed", "Proposal closed"
    SECURITY = "security", "Security"
    ANNOUNCEMENT = "announcement", "Announcement"


class Channel(models.TextChoices):
    """Where a notification is delivered. Adding a channel: a value here, a sender in
    ``notifications.delivery`` and its actor in ``notifications.tasks`` (``CHANNEL_ACTORS``)."""

    IN_APP = "in_app", "In-app"
    EMAIL = "email", "Email"


#: Money movements and security events: a user cannot turn these off in-app
#: (the database refuses such a preference row too, see NotificationPreference).
MANDATORY_IN_APP_KINDS: frozenset[str] = frozenset(
    {
        NotificationKind.DEPOSIT_CREDITED,
        NotificationKind.WITHDRAWAL_REQUESTED,
        NotificationKind.WITHDRAWAL_APPROVED,
        NotificationKind.WITHDRAWAL_REJECTED,
        NotificationKind.WITHDRAWAL_CANCELED,
        NotificationKind.STAKE_CHANGED,
        NotificationKind.ADJUSTMENT,
        NotificationKind.REWARD_PAID,
        NotificationKind.PAYMENT_DEBITED,
        NotificationKind.SECURITY,
    }
)


def is_locked(*, kind: str, channel: str) -> bool:
    """True when the user may not opt out of ``kind`` on ``channel``."""
    return channel == Channel.IN_APP and kind in MANDATORY_IN_APP_KINDS
