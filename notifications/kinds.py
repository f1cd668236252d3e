"""The public vocabulary of the notifications app: event kinds and delivery channels.

Other apps pass ``NotificationKind`` values (plain strings) to ``notifications.services.notify``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    WELCOME = "welcome", _("Welcome")
    DEPOSIT_CREDITED = "deposit_credited", _("Deposit credited")
    WITHDRAWAL_REQUESTED = "withdrawal_requested", _("Withdrawal requested")
    WITHDRAWAL_APPROVED = "withdrawal_approved", _("Withdrawal approved")
    WITHDRAWAL_REJECTED = "withdrawal_rejected", _("Withdrawal rejected")
    WITHDRAWAL_CANCELED = "withdrawal_canceled", _("Withdrawal canceled")
    STAKE_CHANGED = "stake_changed", _("Stake changed")
    ADJUSTMENT = "adjustment", _("Balance adjustment")
    REWARD_PAID = "reward_paid", _("Reward paid")
    PAYMENT_DEBITED = "payment_debited", _("Payment debited")
    TRANSFER_RECEIVED = "transfer_received", _("Transfer received")
    ADDRESS_ADDED = "address_added", _("Withdrawal address added")
    ADDRESS_REMOVED = "address_removed", _("Withdrawal address removed")
    BADGE_EARNED = "badge_earned", _("Badge earned")
    BADGE_REVOKED = "badge_revoked", _("Badge revoked")
    SUBMISSION_REVIEWED = "submission_reviewed", _("Submission reviewed")
    SUBSCRIPTION_STARTED = "subscription_started", _("Subscription started")
    SUBSCRIPTION_EXPIRING = "subscription_expiring", _("Subscription expiring")
    SUBSCRIPTION_EXPIRED = "subscription_expired", _("Subscription expired")
    SUBSCRIPTION_RENEWED = "subscription_renewed", _("Subscription renewed")
    SUBSCRIPTION_RENEWAL_FAILED = "subscription_renewal_failed", _("Subscription renewal failed")
    SUBSCRIPTION_CANCELED = "subscription_canceled", _("Subscription canceled")
    PROPOSAL_CLOSED = "proposal_closed", _("Proposal closed")
    AI_REQUEST_FINISHED = "ai_request_finished", _("Assistant answer ready")
    SECURITY = "security", _("Security")
    ANNOUNCEMENT = "announcement", _("Announcement")


class Channel(models.TextChoices):
    """Where a notification is delivered. Adding a channel: a value here, a sender in
    ``notifications.delivery`` and its actor in ``notifications.tasks`` (``CHANNEL_ACTORS``)."""

    IN_APP = "in_app", _("In-app")
    EMAIL = "email", _("Email")


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
        NotificationKind.TRANSFER_RECEIVED,
        NotificationKind.SECURITY,
        NotificationKind.ADDRESS_ADDED,
        NotificationKind.ADDRESS_REMOVED,
    }
)

#: Security events a user cannot turn off on ANY channel: the email is how the owner of
#: the mailbox learns that someone with their session changed where money can go (and the
#: address confirmation link travels in it).
MANDATORY_KINDS: frozenset[str] = frozenset({NotificationKind.ADDRESS_ADDED, NotificationKind.ADDRESS_REMOVED})


def is_locked(*, kind: str, channel: str) -> bool:
    """True when the user may not opt out of ``kind`` on ``channel``."""
    return kind in MANDATORY_KINDS or (channel == Channel.IN_APP and kind in MANDATORY_IN_APP_KINDS)
