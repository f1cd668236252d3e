"""Core ledger services: each operation's balances and rows, and refusals that write nothing."""

from decimal import Decimal

import pytest

from core.exceptions import ApplicationError, ConflictError, NotFoundError
from wallets import services
from wallets.models import Transaction, Wallet
from wallets.tests.factories import WalletAddressFactory, funded_user

pytestmark = pytest.mark.django_db
D = Decimal


def balances(user):
    w = Wallet.objects.get(user=user)
    return (w.available, w.staked, w.held)


def test_deposit_stake_unstake_move_balances_and_write_rows():
    user = funded_user("100")
    services.stake_create(user=user, amount="30.5")
    services.unstake_create(user=user, amount="10")
    assert balances(user) == (D("79.5"), D("20.5"), D(0))
    kinds = list(Transaction.objects.filter(user=user).order_by("pk").values_list("kind", "status", "available_after"))
    assert kinds == [
        ("deposit", "completed", D("100")),
        ("stake", "completed", D("69.5")),
        ("unstake", "completed", D("79.5")),
    ]


def test_withdrawal_two_phase_approve():
    user = funded_user("50")
    address = WalletAddressFactory(wallet=user.wallet)
    row = services.withdrawal_request(user=user, amount="20", address_id=address.pk)
    assert balances(user) == (D(30), D(0), D(20))
    services.withdrawal_approve(withdrawal_id=row.pk, actor=None, external_reference="0xabc")
    assert balances(user) == (D(30), D(0), D(0))
    with pytest.raises(ConflictError):
        services.withdrawal_approve(withdrawal_id=row.pk, actor=None)
    assert balances(user) == (D(30), D(0), D(0))


@pytest.mark.parametrize("op", ["reject", "cancel"])
def test_withdrawal_reject_or_cancel_returns_the_hold(op):
    user = funded_user("50")
    address = WalletAddressFactory(wallet=user.wallet)
    row = services.withdrawal_request(user=user, amount="20", address_id=address.pk)
    if op == "reject":
        services.withdrawal_reject(withdrawal_id=row.pk, actor=None, reason="sanctioned address")
    else:
        services.withdrawal_cancel(user=user, withdrawal_id=row.pk)
    assert balances(user) == (D(50), D(0), D(0))
    row = Transaction.objects.with_state().get(pk=row.pk)
    assert (row.status, row.state) == ("pending", "canceled")  # written once; settled by an entry


@pytest.mark.parametrize("bad", ["0", "-1", "abc", "NaN", "Infinity", "1e40", "0.0000000000000000001", 1.5, ""])
def test_bad_amounts_are_refused_and_write_nothing(bad):
    user = funded_user("10")
    before = Transaction.objects.count()
    with pytest.raises(ApplicationError) as info:
        services.stake_create(user=user, amount=bad)
    assert info.value.field == "amount"
    assert Transaction.objects.count() == before
    assert balances(user) == (D(10), D(0), D(0))


def test_overdraw_is_refused_and_writes_nothing():
    user = funded_user("10")
    with pytest.raises(ApplicationError, match="Insufficient"):
        services.stake_create(user=user, amount="10.000000000000000001")
    with pytest.raises(ApplicationError, match="Insufficient"):
        services.unstake_create(user=user, amount="1")
    with pytest.raises(ApplicationError, match="Insufficient"):
        services.payment_debit(user=user, amount="11")
    assert Transaction.objects.filter(user=user).count() == 1


def test_service_level_idempotency_key_returns_first_row_and_refuses_other_payload():
    user = funded_user("10")
    first = services.reward_credit(user=user, amount="5", idempotency_key="reward:1:1")
    again = services.reward_credit(user=user, amount="5", idempotency_key="reward:1:1")
    assert first.pk == again.pk
    assert balances(user)[0] == D(15)
    with pytest.raises(ApplicationError) as info:
        services.reward_credit(user=user, amount="6", idempotency_key="reward:1:1")
    assert info.value.status_code == 422


def test_deposit_external_reference_is_credited_once():
    user = funded_user("0")
    services.deposit_create(user=user, amount="5", external_reference="0xhash")
    services.deposit_create(user=user, amount="5", external_reference="0xhash")
    assert balances(user)[0] == D(5)
    with pytest.raises(ConflictError):
        services.deposit_create(user=user, amount="6", external_reference="0xhash")


def test_withdrawal_to_foreign_address_is_not_found():
    user = funded_user("10")
    foreign = WalletAddressFactory()
    with pytest.raises(NotFoundError):
        services.withdrawal_request(user=user, amount="1", address_id=foreign.pk)
    assert balances(user) == (D(10), D(0), D(0))


def test_unstake_cooldown_waits_in_held_then_releases(settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.OGC_UNSTAKE_COOLDOWN_HOURS = 24
    user = funded_user("10")
    services.stake_create(user=user, amount="4")
    services.unstake_create(user=user, amount="3")
    assert balances(user) == (D(6), D(1), D(3))
    assert services.unstake_release_due() == 0
    assert services.unstake_release_due(now=timezone.now() + timedelta(hours=25)) == 1
    assert balances(user) == (D(9), D(1), D(0))


def test_adjustment_requires_reason_and_direction():
    user = funded_user("10")
    with pytest.raises(ApplicationError) as info:
        services.adjustment_create(user=user, amount="1", direction="debit", reason=" ", actor=None)
    assert info.value.field == "reason"
    services.adjustment_create(user=user, amount="1", direction="debit", reason="duplicate credit", actor=None)
    assert balances(user)[0] == D(9)


@pytest.mark.parametrize(
    ("address", "ok"),
    [
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", True),
        ("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", True),
        ("0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED", True),
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", False),  # one case flipped: bad checksum
        ("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beae", False),  # 39 hex digits
        ("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed00", False),
        ("0xZZaeb6053f3e94c9b9a09f33669435e7ef1beaed", False),
    ],
)
def test_address_validation(address, ok):
    user = funded_user("0")
    if ok:
        row = services.address_create(user=user, chain="ethereum", address=address)
        assert row.address == "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    else:
        with pytest.raises(ApplicationError) as info:
            services.address_create(user=user, chain="ethereum", address=address)
        assert info.value.field == "address"
