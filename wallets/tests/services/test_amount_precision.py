"""Balances and totals keep all 36 digits of DECIMAL(36, 18) (a 40-digit context, not the default 28)."""

from decimal import Decimal

import pytest

from accounts.tests.factories import UserFactory
from wallets.services import deposit_create, stake_create
from wallets.verification import assert_ledger_clean

pytestmark = pytest.mark.django_db


def test_balances_keep_all_36_digits_of_a_large_wallet():
    """Bug: ``_apply`` added amounts in the default decimal context (28 significant
    digits), so a balance past 10**10 with 18 decimals was silently rounded: the
    wallet and the row's balances-after disagreed with the ledger."""
    user = UserFactory()
    deposit_create(user=user, amount=Decimal("12345678901"))
    row = deposit_create(user=user, amount=Decimal("0.000000000000000001"))
    assert row.available_after == Decimal("12345678901.000000000000000001")
    user.wallet.refresh_from_db()
    assert user.wallet.available == Decimal("12345678901.000000000000000001")
    big = Decimal("123456789012345678.123456789012345678")  # 36 digits, within DECIMAL(36, 18)
    other = UserFactory()
    deposit_create(user=other, amount=big)
    stake_create(user=other, amount=Decimal("0.000000000000000008"))
    other.wallet.refresh_from_db()
    assert other.wallet.available == Decimal("123456789012345678.123456789012345670")
    assert other.wallet.staked == Decimal("0.000000000000000008")
    assert_ledger_clean(wallet_ids=[user.wallet.pk, other.wallet.pk])


def test_the_wallet_total_keeps_every_digit():
    """Bug: ``Wallet.total`` added the three balances in the default decimal context
    (28 digits): the API's ``total`` of a large wallet was rounded."""
    from conftest import make_token_client

    user = UserFactory()
    deposit_create(user=user, amount=Decimal("12345678901.000000000000000001"))
    stake_create(user=user, amount=Decimal("1"))
    user.wallet.refresh_from_db()
    assert user.wallet.total == Decimal("12345678901.000000000000000001")
    body = make_token_client(user).get("/api/v1/wallet/").json()
    assert body["total"] == "12345678901.000000000000000001"
