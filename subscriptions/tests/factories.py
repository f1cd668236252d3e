"""Factories of the subscriptions domain."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from subscriptions.models import Plan, Subscription, SubscriptionStatus


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"plan-{n}")
    name = factory.LazyAttribute(lambda o: o.code.title())
    price = Decimal("10")
    period_days = 30
    trial_days = 0
    features = factory.LazyFunction(lambda: ["extra_submissions"])
    is_active = True


class FreePlanFactory(PlanFactory):
    code = "free-test"
    price = Decimal("0")
    features = factory.LazyFunction(list)


class SubscriptionFactory(factory.django.DjangoModelFactory):
    """A subscription row written directly (for selector and page tests); service
    tests create theirs through ``subscription_subscribe``."""

    class Meta:
        model = Subscription

    user = factory.SubFactory(UserFactory)
    plan = factory.SubFactory(PlanFactory)
    status = SubscriptionStatus.ACTIVE
    current_period_start = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    current_period_end = factory.LazyAttribute(lambda o: o.current_period_start + timedelta(days=o.plan.period_days))
