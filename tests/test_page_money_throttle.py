"""Money-moving page POSTs share the API's ``money`` throttle: without it, a script
holding a session cookie bypassed ``OGC_THROTTLE_MONEY`` by posting the wallet and
subscription forms instead of the API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from rest_framework.throttling import SimpleRateThrottle

from accounts.tests.factories import UserFactory, login_fresh
from tests.endpoint_policy import idempotency_headers
from wallets.services import deposit_create, stake_create
from wallets.tests.factories import WalletAddressFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "money", "2/min")
    user = UserFactory()
    deposit_create(user=user, amount=Decimal("50"), memo="throttle fixture")
    stake_create(user=user, amount=Decimal("10"))
    return user


def _form(prefix: str, n: int, **fields: str) -> dict[str, str]:
    return {f"{prefix}-token": f"tok{n}", **{f"{prefix}-{k}": v for k, v in fields.items()}}


@pytest.mark.parametrize(
    ("path", "prefix", "fields"),
    [
        ("/wallet/stake/", "stake", {"amount": "1"}),
        ("/wallet/unstake/", "unstake", {"amount": "0.5"}),
        ("/wallet/withdraw/", "withdraw", {"amount": "1", "address": "ADDRESS"}),
    ],
)
def test_wallet_page_money_posts_are_throttled(member, path, prefix, fields):
    address = WalletAddressFactory(wallet=member.wallet)
    fields = {k: (str(address.pk) if v == "ADDRESS" else v) for k, v in fields.items()}
    client = Client()
    login_fresh(client, member)  # a withdrawal asks for a recent re-authentication
    for n in range(2):
        assert client.post(path, _form(prefix, n, **fields)).status_code == 302
    response = client.post(path, _form(prefix, 9, **fields))
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60


def test_pages_and_api_share_one_money_budget(member):
    from conftest import make_token_client

    client = Client()
    client.force_login(member)
    api = make_token_client(member)
    assert client.post("/wallet/stake/", _form("stake", 1, amount="1")).status_code == 302
    assert api.post("/api/v1/wallet/stake/", {"amount": "1"}, format="json", **idempotency_headers()).status_code == 201
    assert client.post("/wallet/stake/", _form("stake", 2, amount="1")).status_code == 429


def test_subscription_page_subscribe_is_throttled(member):
    from subscriptions.models import Plan

    plan = Plan.objects.filter(is_active=True).order_by("price").first() or Plan.objects.create(
        code="basic-throttle", name="Basic", price=Decimal("0"), period_days=30
    )
    client = Client()
    client.force_login(member)
    for _ in range(2):
        assert client.post("/subscription/subscribe/", {"plan": plan.code}).status_code in (302, 400)
    assert client.post("/subscription/subscribe/", {"plan": plan.code}).status_code == 429


def test_challenge_submissions_draw_on_the_money_budget(member):
    """A first submission pays the entry fee: the submit POSTs (API and page) are
    money-throttled; reading the challenge and its submissions is not."""
    from challenges.tests.factories import ChallengeFactory
    from conftest import make_token_client

    challenge = ChallengeFactory(max_submissions_per_user=10)
    api = make_token_client(member)
    url = f"/api/v1/challenges/{challenge.slug}/submissions/"
    for n in range(2):
        response = api.post(url, {"title": f"Entry {n}", "content": "x"}, format="json")
        assert response.status_code == 201, response.json()
    refused = api.post(url, {"title": "Entry 3", "content": "x"}, format="json")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert api.get(url).status_code == 200
    client = Client()
    client.force_login(member)
    assert client.get(f"/challenges/{challenge.slug}/").status_code == 200
    page = client.post(f"/challenges/{challenge.slug}/", {"title": "Entry 4", "content": "x"})
    assert page.status_code == 429
