from decimal import Decimal

import pytest

from conftest import make_token_client
from subscriptions import services
from subscriptions.models import Subscription, SubscriptionStatus
from subscriptions.tests.helpers import payments_of
from wallets.tests.factories import funded_user

pytestmark = pytest.mark.django_db
S = SubscriptionStatus


@pytest.fixture
def plans():
    services.seed_plans()


def test_plans_are_public_with_decimal_string_prices(api_client, plans):
    response = api_client.get("/api/v1/plans/")
    assert response.status_code == 200
    assert [(p["code"], p["price"]) for p in response.json()] == [
        ("free", "0.000000000000000000"),
        ("pro", "50.000000000000000000"),
    ]
    assert "extra_submissions" in response.json()[1]["features"]


def test_get_without_subscription_is_404(auth_client):
    response = auth_client.get("/api/v1/subscription/")
    assert response.status_code == 404
    assert response.json()["code"] == "no_subscription"


def test_subscribe_get_cancel_reactivate(plans):
    client = make_token_client(funded_user("100"))
    response = client.post("/api/v1/subscription/", {"plan": "pro"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["action"], body["status"], body["plan"]["code"], body["grants_access"]) == (
        "started",
        "trialing",
        "pro",
        True,
    )
    assert client.get("/api/v1/subscription/").json()["status"] == "trialing"

    response = client.post("/api/v1/subscription/cancel/", {"at_period_end": True}, format="json")
    assert response.status_code == 200
    assert (response.json()["cancel_at_period_end"], response.json()["will_renew"]) == (True, False)

    response = client.post("/api/v1/subscription/reactivate/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["cancel_at_period_end"] is False

    response = client.post("/api/v1/subscription/reactivate/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "not_canceled"

    response = client.post("/api/v1/subscription/cancel/", {"at_period_end": False}, format="json")
    assert response.json()["status"] == "canceled"
    assert response.json()["grants_access"] is False


def test_subscribe_with_insufficient_funds_is_a_field_error_and_writes_nothing(plans):
    from subscriptions.models import Plan

    Plan.objects.filter(code="pro").update(trial_days=0)
    user = funded_user("10")
    client = make_token_client(user)
    response = client.post("/api/v1/subscription/", {"plan": "pro"}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_funds"
    assert "amount" in response.json()["fields"]
    assert not Subscription.objects.filter(user=user).exists()
    assert payments_of(user) == []


def test_subscribe_replay_with_the_same_key_pays_once(plans):
    from subscriptions.models import Plan

    Plan.objects.filter(code="pro").update(trial_days=0)
    user = funded_user("100")
    client = make_token_client(user)
    first = client.post("/api/v1/subscription/", {"plan": "pro"}, format="json", HTTP_IDEMPOTENCY_KEY="sub-1")
    again = client.post("/api/v1/subscription/", {"plan": "pro"}, format="json", HTTP_IDEMPOTENCY_KEY="sub-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert [p.amount for p in payments_of(user)] == [Decimal("50")]
    # Without the key the duplicate is a domain conflict, still one payment.
    response = client.post("/api/v1/subscription/", {"plan": "pro"}, format="json")
    assert response.status_code == 409
    assert len(payments_of(user)) == 1


def test_unknown_fields_and_plans_are_refused(plans):
    client = make_token_client(funded_user("100"))
    response = client.post("/api/v1/subscription/", {"plan": "pro", "price": "0"}, format="json")
    assert response.status_code == 400
    assert "price" in response.json()["fields"]
    response = client.post("/api/v1/subscription/", {"plan": "gold"}, format="json")
    assert response.status_code == 404
    assert response.json()["fields"] == {"plan": ["No such plan."]}


def test_downgrade_is_scheduled_through_the_api(plans):
    client = make_token_client(funded_user("100"))
    client.post("/api/v1/subscription/", {"plan": "pro"}, format="json")
    response = client.post("/api/v1/subscription/", {"plan": "free"}, format="json")
    assert response.status_code == 200
    assert (response.json()["action"], response.json()["scheduled_plan"]) == ("downgrade_scheduled", "free")


def test_anonymous_cannot_subscribe(api_client, plans):
    assert api_client.post("/api/v1/subscription/", {"plan": "pro"}, format="json").status_code == 401
    assert api_client.get("/api/v1/subscription/").status_code == 401


def test_get_subscription_query_count(plans, django_assert_num_queries):
    user = funded_user("100")
    services.subscription_subscribe(user=user, plan_code="pro")
    client = make_token_client(user)
    client.get("/api/v1/me/")  # the token's first use records it (then at most once a minute)
    with django_assert_num_queries(2):  # the token (with its user), the subscription with its plans
        response = client.get("/api/v1/subscription/")
    assert response.json()["plan"]["code"] == "pro"
