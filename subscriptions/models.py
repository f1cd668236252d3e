"""Subscription plans, each user's subscription and its billing periods.

State machine (docs/subscriptions.md has the diagram):

* ``trialing`` / ``active``: the plan is granted while ``now`` is inside
  ``[current_period_start, current_period_end)``. ``cancel_at_period_end`` keeps
  access until the end, then the subscription becomes ``canceled``.
* ``past_due``: the renewal payment failed at the period end; it is retried
  until the grace period runs out, then the subscription is ``expired``.
* ``canceled`` / ``expired``: ended (``ended_at``); subscribing again reuses the row.

Every period the subscription ever had is one ``SubscriptionPeriod`` row, unique
per (subscription, period start): a period is never paid twice. Paid periods
point at their ledger ``payment`` row.
"""

from __future__ import annotations

from datetime import datetime

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.amounts import ZERO, AmountField


def _empty_features() -> list[str]:
    return []


class Plan(models.Model):
    """A plan users subscribe to. ``price`` is in OGC tokens per period (0 = free);
    ``features`` is a list of feature codes the platform checks
    (``subscriptions.selectors.user_has_feature``)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    price = AmountField(default=ZERO, help_text="OGC tokens per period; 0 for a free plan.")
    period_days = models.PositiveIntegerField(default=30)
    trial_days = models.PositiveIntegerField(default=0, help_text="Free days before the first payment (0 = none).")
    features = models.JSONField(
        default=_empty_features, blank=True, help_text='Feature codes, e.g. ["extra_submissions"].'
    )
    is_active = models.BooleanField(
        default=True, help_text="Inactive plans take no new subscribers; existing ones renew."
    )
    withdrawal_max = AmountField(
        null=True,
        blank=True,
        help_text="The most one withdrawal may be for subscribers of this plan; empty: the platform's "
        "OGC_WITHDRAWAL_MAX.",
    )
    withdrawal_daily_max = AmountField(
        null=True,
        blank=True,
        help_text="The most a subscriber may withdraw in 24 hours; empty: the platform's OGC_WITHDRAWAL_DAILY_MAX.",
    )
    sort_order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "plans"
        ordering = ("sort_order", "price", "code")
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="plan_price_gte_0"),
            models.CheckConstraint(condition=Q(period_days__gte=1), name="plan_period_days_gte_1"),
            models.CheckConstraint(condition=Q(trial_days__lte=365), name="plan_trial_days_lte_365"),
            models.CheckConstraint(
                condition=Q(withdrawal_max__isnull=True) | Q(withdrawal_max__gt=0), name="plan_withdrawal_max_gt_0"
            ),
            models.CheckConstraint(
                condition=Q(withdrawal_daily_max__isnull=True) | Q(withdrawal_daily_max__gt=0),
                name="plan_withdrawal_daily_max_gt_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_free(self) -> bool:
        return self.price == 0

    @property
    def local_name(self) -> str:
        """The name in the reader's language: the default plans' words are in the
        catalogue (``subscriptions.services.plans``); names operators write are shown
        as written."""
        return gettext(self.name) if self.name else self.name

    @property
    def local_description(self) -> str:
        return gettext(self.description) if self.description else self.description

    def has_feature(self, feature: str) -> bool:
        return isinstance(self.features, list) and feature in self.features


class SubscriptionStatus(models.TextChoices):
    TRIALING = "trialing", _("Trialing")
    ACTIVE = "active", _("Active")
    PAST_DUE = "past_due", _("Past due")
    CANCELED = "canceled", _("Canceled")
    EXPIRED = "expired", _("Expired")


#: Statuses in which the plan can be granted (still subject to the period window).
GRANTING_STATUSES = (SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE)
#: Statuses of a subscription that has ended; subscribing again starts it afresh.
ENDED_STATUSES = (SubscriptionStatus.CANCELED, SubscriptionStatus.EXPIRED)


class Subscription(models.Model):
    """A user's (one) subscription. Changed only by ``subscriptions.services``
    under a row lock (``select_for_update``)."""

    Status = SubscriptionStatus

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,  # its periods reference ledger payments, which are never deleted
        related_name="subscription",
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    scheduled_plan = models.ForeignKey(
        Plan,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="A downgrade that takes effect at the end of the current period.",
    )
    status = models.CharField(max_length=20, choices=SubscriptionStatus.choices)
    current_period_start = models.DateTimeField()
    current_period_end = models.DateTimeField(help_text="When the current period (the access) expires.")
    trial_end = models.DateTimeField(null=True, blank=True)
    trial_used = models.BooleanField(default=False, help_text="A user gets one trial, ever.")
    cancel_at_period_end = models.BooleanField(default=False)
    canceled_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    auto_renew = models.BooleanField(default=True)
    past_due_since = models.DateTimeField(null=True, blank=True)
    expiry_notice_for = models.DateTimeField(
        null=True, blank=True, help_text="Period start for which the 'expiring soon' notice was sent."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "subscriptions"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=SubscriptionStatus.values), name="subscription_status_valid"),
            models.CheckConstraint(
                condition=Q(current_period_end__gt=F("current_period_start")), name="subscription_period_positive"
            ),
            models.CheckConstraint(
                condition=~Q(status=SubscriptionStatus.PAST_DUE) | Q(past_due_since__isnull=False),
                name="subscription_past_due_has_since",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=ENDED_STATUSES) | Q(ended_at__isnull=False),
                name="subscription_ended_has_ended_at",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "current_period_end"], name="idx_subscriptions_due"),
        ]
        permissions = [
            ("extend_subscription", "Can extend a subscription's period (with a reason)"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.plan.code} ({self.status})"

    def grants_access(self, now: datetime | None = None) -> bool:
        """Whether the subscription currently grants its plan: trialing or active and
        inside the period. Canceled-at-period-end stays active until the end."""
        now = now or timezone.now()
        return self.status in GRANTING_STATUSES and self.current_period_start <= now < self.current_period_end

    def has_feature(self, feature: str, now: datetime | None = None) -> bool:
        return self.grants_access(now) and self.plan.has_feature(feature)

    @property
    def will_renew(self) -> bool:
        return self.status in GRANTING_STATUSES and self.auto_renew and not self.cancel_at_period_end


class SubscriptionPeriod(models.Model):
    """One billing period of a subscription (trial, free, paid or prorated upgrade).

    Unique per (subscription, period_start): the database refuses to bill a period
    twice whatever races above it. ``payment`` is the ledger row that paid it
    (None for trials, free plans and operator extensions)."""

    class Kind(models.TextChoices):
        START = "start", _("Start")
        TRIAL = "trial", _("Trial")
        RENEWAL = "renewal", _("Renewal")
        UPGRADE = "upgrade", _("Upgrade")

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="periods")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    amount = AmountField(default=ZERO, help_text="Tokens paid for this period (0 when free).")
    payment = models.OneToOneField(
        "wallets.Transaction",
        on_delete=models.PROTECT,
        related_name="subscription_period",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "subscription_periods"
        ordering = ("-period_start",)
        constraints = [
            models.UniqueConstraint(fields=["subscription", "period_start"], name="uniq_subscription_period_start"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="subscription_period_amount_gte_0"),
            models.CheckConstraint(condition=Q(period_end__gt=F("period_start")), name="subscription_period_order"),
            models.CheckConstraint(
                condition=Q(amount=0) | Q(payment__isnull=False), name="subscription_period_paid_has_payment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.kind} {self.period_start:%Y-%m-%d} ({self.amount})"


auditlog.register(Plan)
auditlog.register(Subscription, exclude_fields=["updated_at", "expiry_notice_for"])
auditlog.register(SubscriptionPeriod)
