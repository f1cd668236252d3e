"""Idempotency-Key values are compared byte for byte (binary collation): keys differing only in case are two requests."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import make_token_client
from wallets.models import Wallet
from wallets.tests.factories import funded_user

pytestmark = pytest.mark.django_db


def test_keys_differing_only_in_case_are_distinct_requests():
    """Bug: ``idempotency_keys.key`` had MariaDB's case-insensitive collation, so a
    request with the key ``Pay-A`` replayed the stored response of ``pay-a``
    (another operation) and moved no money."""
    user = funded_user("10")
    client = make_token_client(user)
    first = client.post("/api/v1/wallet/stake/", {"amount": "1"}, format="json", HTTP_IDEMPOTENCY_KEY="pay-a")
    second = client.post("/api/v1/wallet/stake/", {"amount": "1"}, format="json", HTTP_IDEMPOTENCY_KEY="Pay-A")
    assert first.status_code == second.status_code == 201
    assert "Idempotent-Replayed" not in second
    assert second.json()["id"] != first.json()["id"]
    assert Wallet.objects.get(user=user).staked == Decimal("2")
