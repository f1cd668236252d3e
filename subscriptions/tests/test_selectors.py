from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts.tests.factories import UserFactory
from subscriptions.models import SubscriptionStatus
from subscriptions.selectors import user_has_feature
from subscriptions.tests.factories import PlanFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


def test_no_subscription_means_no_feature(django_assert_num_queries):
    user = UserFactory()
    with django_assert_num_queries(1):
        assert user_has_feature(user=user, feature="extra_submissions") is False
    assert user_has_feature(user=AnonymousUser(), feature="extra_submissions") is False


def test_active_subscription_grants_its_plan_features_only(django_assert_num_queries):
    sub = SubscriptionFactory(plan=PlanFactory(features=["extra_submissions", "premium_badge"]))
    with django_assert_num_queries(1):
        assert user_has_feature(user=sub.user, feature="extra_submissions") is True
    assert user_has_feature(user=sub.user, feature="premium_badge") is True
    assert user_has_feature(user=sub.user, feature="something_else") is False


@pytest.mark.parametrize(
    ("status", "cancel_at_period_end", "granted"),
    [
        (SubscriptionStatus.TRIALING, False, True),
        (SubscriptionStatus.ACTIVE, True, True),
        (SubscriptionStatus.PAST_DUE, False, False),
        (SubscriptionStatus.CANCELED, False, False),
        (SubscriptionStatus.EXPIRED, False, False),
    ],
)
def test_feature_follows_status(status, cancel_at_period_end, granted):
    now = timezone.now()
    extra = {"past_due_since": now} if status == SubscriptionStatus.PAST_DUE else {}
    if status in (SubscriptionStatus.CANCELED, SubscriptionStatus.EXPIRED):
        extra["ended_at"] = now
    sub = SubscriptionFactory(status=status, cancel_at_period_end=cancel_at_period_end, **extra)
    assert user_has_feature(user=sub.user, feature="extra_submissions") is granted
    assert sub.grants_access(now) is granted


def test_feature_only_inside_the_period():
    sub = SubscriptionFactory()
    end = sub.current_period_end
    assert user_has_feature(user=sub.user, feature="extra_submissions", now=end - timedelta(seconds=1)) is True
    assert user_has_feature(user=sub.user, feature="extra_submissions", now=end) is False
    assert sub.grants_access(end) is False
