"""The past-due subscriptions queue of the console: retry the payment now, extend with
a reason, cancel; operators only."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from core.permissions import ROLE_AUDITOR, ROLE_MODERATOR, ROLE_OPERATOR
from subscriptions.models import Subscription, SubscriptionStatus
from subscriptions.tests.factories import PlanFactory, SubscriptionFactory
from tests.console import client_for, seed_roles, staff
from wallets.tests.factories import funded_user

pytestmark = pytest.mark.django_db

QUEUE = "/admin/subscriptions/subscription/past-due/"


def _past_due(funded: str, *, hours_ago: int = 2, **user_kwargs) -> Subscription:
    user = funded_user(funded, **user_kwargs)
    plan = PlanFactory(code=f"plus-{user.pk}", name="Plus", price=Decimal("20"), period_days=30)
    end = timezone.now() - timedelta(hours=hours_ago)
    return SubscriptionFactory(
        user=user,
        plan=plan,
        status=SubscriptionStatus.PAST_DUE,
        current_period_start=end - timedelta(days=30),
        current_period_end=end,
        past_due_since=end,
    )


@pytest.fixture
def operator_client():
    seed_roles()
    return client_for(staff(ROLE_OPERATOR))


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_only_operators_work_the_queue():
    seed_roles()
    assert client_for(staff(ROLE_OPERATOR)).get(QUEUE).status_code == 200
    assert client_for(staff(ROLE_MODERATOR)).get(QUEUE).status_code == 403
    assert client_for(staff(ROLE_AUDITOR)).get(QUEUE).status_code == 403


def test_the_queue_shows_the_deadline_and_whether_the_wallet_can_pay(operator_client):
    _past_due("100", email="rich@example.test")
    _past_due("0", email="short@example.test", hours_ago=60)
    html = operator_client.get(QUEUE).content.decode()
    assert html.index("short@example.test") < html.index("rich@example.test")  # longest overdue first
    assert "enough to renew" in html and "short of the price" in html
    assert "2 subscriptions past due; 1 loses access within a day" in html


def test_retry_renews_when_the_wallet_can_pay_and_says_so_when_not(operator_client):
    paying = _past_due("100")
    short = _past_due("0", email="short@example.test")
    response = operator_client.post(reverse("admin:subscriptions_subscription_retry", args=[paying.pk]))
    assert response.status_code == 302
    assert Subscription.objects.get(pk=paying.pk).status == SubscriptionStatus.ACTIVE
    response = operator_client.post(reverse("admin:subscriptions_subscription_retry", args=[short.pk]))
    assert "short@example.test: still past due: the wallet cannot pay the price yet" in _messages(response)


def test_extend_from_the_queue_needs_a_reason_and_reactivates(operator_client):
    sub = _past_due("0")
    page = operator_client.post(QUEUE, {"action": "extend_period", "_selected_action": [sub.pk]})
    assert page.status_code == 200 and "Extend subscriptions" in page.content.decode()
    response = operator_client.post(
        QUEUE,
        {"action": "extend_period", "_selected_action": [sub.pk], "days": "7", "reason": "outage credit"},
        follow=True,
    )
    assert "1 subscription(s) extended by 7 day(s)." in _messages(response)
    assert Subscription.objects.get(pk=sub.pk).status == SubscriptionStatus.ACTIVE
