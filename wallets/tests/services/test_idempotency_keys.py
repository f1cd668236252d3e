"""A ledger idempotency key names one operation: another kind, direction, address or
letter case is another operation (422 or a separate row), never a replay of the first."""

from decimal import Decimal

import pytest

from accounts.tests.factories import StaffFactory, UserFactory
from wallets.models import Direction, Transaction
from wallets.services import adjustment_create, deposit_create, stake_create

pytestmark = pytest.mark.django_db


def test_an_idempotency_key_of_a_credit_cannot_replay_as_a_debit():
    """Bug: ``_replayed`` compared kind and amount only, so a debit adjustment under
    the key of an earlier credit returned the credit row: the operator was told the
    debit was written while nothing was taken."""
    from core.exceptions import ApplicationError

    user = UserFactory()
    operator = StaffFactory()
    deposit_create(user=user, amount=Decimal("50"))
    credit = adjustment_create(
        user=user, amount="5", direction=Direction.CREDIT, reason="goodwill", actor=operator, idempotency_key="k1"
    )
    with pytest.raises(ApplicationError) as exc:
        adjustment_create(
            user=user, amount="5", direction=Direction.DEBIT, reason="fix", actor=operator, idempotency_key="k1"
        )
    assert exc.value.code == "idempotency_key_reused"
    assert exc.value.status_code == 422
    assert Transaction.objects.filter(wallet=user.wallet, kind="adjustment").count() == 1
    again = adjustment_create(
        user=user, amount="5", direction=Direction.CREDIT, reason="goodwill", actor=operator, idempotency_key="k1"
    )
    assert again.pk == credit.pk
    assert Transaction.objects.filter(wallet=user.wallet, kind="adjustment").count() == 1
    user.wallet.refresh_from_db()
    assert user.wallet.available == Decimal("55")


def test_idempotency_keys_differing_only_in_case_are_two_operations():
    """Bug: ``transactions.idempotency_key`` had MariaDB's case-insensitive collation,
    so the key ``Order-7`` matched the row of ``order-7``: the second stake was
    answered with the first row and never moved the money."""
    user = UserFactory()
    deposit_create(user=user, amount=Decimal("10"))
    first = stake_create(user=user, amount="1", idempotency_key="api:Order-7")
    second = stake_create(user=user, amount="1", idempotency_key="api:order-7")
    assert second.pk != first.pk
    user.wallet.refresh_from_db()
    assert user.wallet.staked == Decimal("2")


def test_a_withdrawal_key_cannot_replay_to_another_address():
    """Bug: ``withdrawal_request`` replayed on kind and amount only, so the wallet
    page's form resent (browser back) with another address answered "withdrawal
    requested" with the row to the first address. Now a 422; the same address (or
    one deleted since) still replays."""
    from core.exceptions import ApplicationError
    from wallets.services import address_delete, withdrawal_request
    from wallets.tests.factories import VALID_ADDRESSES, WalletAddressFactory

    user = UserFactory()
    deposit_create(user=user, amount=Decimal("10"))
    first_address = WalletAddressFactory(wallet=user.wallet, address=VALID_ADDRESSES[0])
    other_address = WalletAddressFactory(wallet=user.wallet, address=VALID_ADDRESSES[1])
    row = withdrawal_request(user=user, amount="4", address_id=first_address.pk, idempotency_key="page:t1")
    with pytest.raises(ApplicationError) as exc:
        withdrawal_request(user=user, amount="4", address_id=other_address.pk, idempotency_key="page:t1")
    assert exc.value.code == "idempotency_key_reused"
    again = withdrawal_request(user=user, amount="4", address_id=first_address.pk, idempotency_key="page:t1")
    assert again.pk == row.pk
    assert Transaction.objects.filter(wallet=user.wallet, kind="withdrawal").count() == 1
    address_delete(user=user, address_id=first_address.pk)
    assert (
        withdrawal_request(user=user, amount="4", address_id=first_address.pk, idempotency_key="page:t1").pk == row.pk
    )
    user.wallet.refresh_from_db()
    assert (user.wallet.available, user.wallet.held) == (Decimal("6"), Decimal("4"))
