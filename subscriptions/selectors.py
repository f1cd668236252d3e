"""Reads of the subscriptions domain."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from subscriptions.models import GRANTING_STATUSES, Plan, Subscription, SubscriptionPeriod, SubscriptionStatus

if TYPE_CHECKING:
    from accounts.models import User


def user_has_feature(*, user: User, feature: str, now: datetime | None = None) -> bool:
    """True when ``user``'s subscription currently grants a plan whose ``features``
    contain ``feature`` (trialing or active, inside the period; a subscription
    canceled at period end grants until the end). One query; no subscription,
    an anonymous user or an ended subscription means False."""
    if user is None or not getattr(user, "is_authenticated", False) or user.pk is None:
        return False
    now = now or timezone.now()
    features = (
        Subscription.objects.filter(
            user_id=user.pk,
            status__in=GRANTING_STATUSES,
            current_period_start__lte=now,
            current_period_end__gt=now,
        )
        .values_list("plan__features", flat=True)
        .first()
    )
    # JSON containment lookups differ by backend (MariaDB's JSON is LONGTEXT);
    # the list is small, so the membership test runs here on the one row read.
    return isinstance(features, list) and feature in features


def plan_withdrawal_limits(*, user: User, now: datetime | None = None) -> tuple[Decimal | None, Decimal | None]:
    """The withdrawal limits of ``user``'s current plan (per withdrawal, per 24 hours;
    ``None``: the platform's), from the subscription that grants access now. One query."""
    now = now or timezone.now()
    limits = (
        Subscription.objects.filter(
            user_id=user.pk,
            status__in=GRANTING_STATUSES,
            current_period_start__lte=now,
            current_period_end__gt=now,
        )
        .values_list("plan__withdrawal_max", "plan__withdrawal_daily_max")
        .first()
    )
    return limits or (None, None)


def plan_list(*, include_inactive: bool = False) -> QuerySet[Plan]:
    plans = Plan.objects.all()
    if not include_inactive:
        plans = plans.filter(is_active=True)
    return plans.order_by("sort_order", "price", "code")


def plan_get(*, code: str, active_only: bool = True) -> Plan | None:
    plans = Plan.objects.filter(code=code)
    if active_only:
        plans = plans.filter(is_active=True)
    return plans.first()


def subscription_for_user(*, user: User) -> Subscription | None:
    """The user's subscription with its plans, or None (one query)."""
    return Subscription.objects.select_related("plan", "scheduled_plan").filter(user_id=user.pk).first()


def subscription_periods(*, subscription: Subscription) -> QuerySet[SubscriptionPeriod]:
    return subscription.periods.select_related("plan", "payment").order_by("-period_start")


def subscriptions_due_ids(*, now: datetime, notice_window: timedelta, limit: int = 10_000) -> list[int]:
    """Ids of the subscriptions the periodic job has something to do for: a running
    period that ended, a past-due renewal to retry or expire, or an "expiring soon"
    notice not yet handled for the current period. Uses ``idx_subscriptions_due``."""
    due = (
        Q(status__in=GRANTING_STATUSES, current_period_end__lte=now)
        | Q(status=SubscriptionStatus.PAST_DUE)
        | (
            Q(status__in=GRANTING_STATUSES, current_period_end__lte=now + notice_window)
            & (Q(expiry_notice_for__isnull=True) | ~Q(expiry_notice_for=F("current_period_start")))
        )
    )
    return list(
        Subscription.objects.filter(due).order_by("current_period_end", "pk").values_list("pk", flat=True)[:limit]
    )


# --- operator console -----------------------------------------------------------------------


def subscriptions_past_due() -> QuerySet[Subscription]:
    """Past-due subscriptions, the longest overdue first (``idx_subscriptions_due``)."""
    return Subscription.objects.filter(status=SubscriptionStatus.PAST_DUE).order_by("past_due_since", "pk")


def subscriptions_past_due_summary(*, grace: timedelta, now: datetime | None = None) -> dict:
    """How many subscriptions are past due, and how many of them expire within a day
    (their grace period ends); one query."""
    from django.db.models import Count

    now = now or timezone.now()
    return (
        subscriptions_past_due()
        .order_by()
        .aggregate(
            count=Count("pk"), expiring=Count("pk", filter=Q(past_due_since__lte=now + timedelta(days=1) - grace))
        )
    )
