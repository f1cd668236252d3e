from decimal import Decimal

import pytest

from subscriptions import services
from subscriptions.models import Plan, Subscription, SubscriptionStatus
from subscriptions.tests.helpers import payments_of
from wallets.tests.factories import funded_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_client(client):
    services.seed_plans()
    user = funded_user("100")
    client.force_login(user)
    client.user = user
    return client


def test_page_requires_login(client):
    response = client.get("/subscription/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"] or "login" in response["Location"]


def test_page_shows_plans_with_prices_and_no_subscription(member_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = member_client.get("/subscription/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="no-subscription"' in html
    assert "50 OGC / 30 days" in html and "7-day free trial" in html


def test_subscribe_cancel_and_reactivate_from_the_page(member_client):
    response = member_client.post("/subscription/subscribe/", {"plan": "pro", "auto_renew": "on"}, follow=True)
    assert response.status_code == 200
    assert "Your Pro plan has started." in response.content.decode()
    sub = Subscription.objects.get(user=member_client.user)
    assert sub.status == SubscriptionStatus.TRIALING

    response = member_client.post("/subscription/cancel/", {"at_period_end": "on"}, follow=True)
    html = response.content.decode()
    assert 'data-testid="ends-notice"' in html
    sub.refresh_from_db()
    assert sub.cancel_at_period_end and sub.grants_access()

    member_client.post("/subscription/reactivate/", follow=True)
    sub.refresh_from_db()
    assert not sub.cancel_at_period_end

    member_client.post("/subscription/cancel/", {}, follow=True)
    sub.refresh_from_db()
    assert sub.status == SubscriptionStatus.CANCELED


def test_insufficient_funds_shows_the_error_and_writes_nothing(client):
    services.seed_plans()
    Plan.objects.filter(code="pro").update(trial_days=0, price=Decimal("500"))
    user = funded_user("100")
    client.force_login(user)
    response = client.post("/subscription/subscribe/", {"plan": "pro"})
    assert response.status_code == 400
    assert "Insufficient available balance." in response.content.decode()
    assert not Subscription.objects.filter(user=user).exists()
    assert payments_of(user) == []


def test_reactivate_errors_are_shown_as_messages(member_client):
    response = member_client.post("/subscription/reactivate/", follow=True)
    assert "You have no subscription." in response.content.decode()
