"""Abuse limits (issue 9, part 4): login lockout and throttles answer 429 + Retry-After.

``governance/tests/test_login_lockout.py`` proves that the three login paths lock an
account (and /admin/ an address) after ``AXES_FAILURE_LIMIT`` failures; here: the
lockout response itself (Retry-After on every path, the API error body under /api/),
the per-address lockout of the API and allauth paths, and the DRF throttles of
signup and money-moving POSTs. Limits come from settings (``OGC_LOGIN_FAILURE_LIMIT``,
``OGC_THROTTLE_*``); the tests tighten them.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from accounts.tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory
from tests.endpoint_policy import idempotency_headers

pytestmark = pytest.mark.django_db

WRONG = "wrong-password-0"


def _token(client, email, password):
    return client.post("/api/v1/auth/token/", {"email": email, "password": password}, format="json")


def _site(client, email, password):
    return client.post("/accounts/login/", {"login": email, "password": password})


def _admin(client, email, password):
    # /admin/login/ is the site's login (core.admin_site), with next=/admin/.
    return client.post("/accounts/login/?next=/admin/", {"login": email, "password": password})


PATHS = [(APIClient, _token), (Client, _site), (Client, _admin)]
PATH_IDS = ["api-token", "allauth", "admin"]


def _assert_locked(response, settings, *, api: bool):
    assert response.status_code == 429
    assert int(response["Retry-After"]) == int(settings.AXES_COOLOFF_TIME * 3600)
    if api:
        assert response.json() == {
            "code": "locked_out",
            "detail": "Too many failed login attempts. Try again later.",
            "fields": {},
        }


@pytest.mark.parametrize(("make_client", "login"), PATHS, ids=PATH_IDS)
def test_account_lockout_carries_retry_after(settings, make_client, login):
    settings.AXES_FAILURE_LIMIT = 3
    user = UserFactory()
    client = make_client(REMOTE_ADDR="203.0.113.10")
    for _ in range(2):
        assert login(client, user.email, WRONG).status_code != 429
    _assert_locked(login(client, user.email, WRONG), settings, api=login is _token)
    # The right password from another address is refused while the account is locked.
    _assert_locked(
        login(make_client(REMOTE_ADDR="203.0.113.11"), user.email, DEFAULT_PASSWORD), settings, api=login is _token
    )


@pytest.mark.parametrize(("make_client", "login"), PATHS[:2], ids=PATH_IDS[:2])
def test_one_address_spraying_accounts_is_locked(settings, make_client, login):
    settings.AXES_FAILURE_LIMIT = 3
    victims = UserFactory.create_batch(4)
    client = make_client(REMOTE_ADDR="203.0.113.20")
    for victim in victims[:2]:
        assert login(client, victim.email, WRONG).status_code != 429
    _assert_locked(login(client, victims[2].email, WRONG), settings, api=login is _token)
    # The address is locked: even a right password for a fresh account is refused...
    _assert_locked(login(client, victims[3].email, DEFAULT_PASSWORD), settings, api=login is _token)
    # ...while another address logs into that account.
    assert login(make_client(REMOTE_ADDR="203.0.113.21"), victims[3].email, DEFAULT_PASSWORD).status_code in (200, 302)


def test_lockout_limit_comes_from_settings(settings):
    from django.conf import settings as live

    assert live.AXES_FAILURE_LIMIT >= 1  # OGC_LOGIN_FAILURE_LIMIT
    assert live.AXES_LOCKOUT_PARAMETERS == [["username"], ["ip_address"]]
    assert live.AXES_LOCKOUT_CALLABLE == "core.lockout.lockout_response"
    for scope in ("anon", "user", "signup", "login", "money"):
        assert scope in live.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]


@pytest.fixture
def rates(monkeypatch):
    """Tighten DRF throttle rates (the throttle classes keep a reference to the dict)."""

    def tighten(**scopes: str) -> None:
        for scope, rate in scopes.items():
            monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, rate)

    return tighten


def _assert_throttled(response):
    assert response.status_code == 429, response.content
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["code"] == "throttled"


def test_signup_is_throttled(rates):
    rates(signup="2/min")
    client = APIClient(REMOTE_ADDR="203.0.113.30")
    for n in range(2):
        body = {"email": f"new{n}@example.test", "password": "a-long-unusual-password-42"}
        assert client.post("/api/v1/auth/signup/", body, format="json").status_code == 201
    body = {"email": "new9@example.test", "password": "a-long-unusual-password-42"}
    _assert_throttled(client.post("/api/v1/auth/signup/", body, format="json"))


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/wallet/stake/", {"amount": "1"}),
        ("/api/v1/wallet/unstake/", {"amount": "0.5"}),
    ],
)
def test_money_posts_are_throttled(rates, auth_client, path, body):
    from wallets.services import deposit_create, stake_create

    deposit_create(user=auth_client.user, amount=Decimal("50"), memo="throttle fixture")
    stake_create(user=auth_client.user, amount=Decimal("10"))
    rates(money="2/min")
    for _ in range(2):
        assert auth_client.post(path, body, format="json", **idempotency_headers()).status_code == 201
    _assert_throttled(auth_client.post(path, body, format="json", **idempotency_headers()))


def test_operator_money_posts_are_throttled(rates):
    from accounts.tests.factories import api_token_for

    operator = StaffFactory(roles=["operator"])
    member = UserFactory()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(operator)}")
    rates(money="1/min")
    body = {"user_id": member.pk, "amount": "5"}
    assert client.post("/api/v1/ops/deposits/", body, format="json", **idempotency_headers()).status_code == 201
    _assert_throttled(client.post("/api/v1/ops/deposits/", body, format="json", **idempotency_headers()))
