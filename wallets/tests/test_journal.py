"""Double entry under every movement: each service writes its balanced entry (the
lines the EFFECTS table names) with its ledger row, and the journal is append-only
in the database."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts.tests.factories import UserFactory
from wallets import services
from wallets.ledger import EFFECTS, entry_lines
from wallets.models import JournalEntry, JournalLine, Transaction
from wallets.selectors import supply_totals
from wallets.tests.factories import WalletAddressFactory, funded_user
from wallets.verification import assert_ledger_clean

pytestmark = pytest.mark.django_db

D = Decimal


def lines_of(row: Transaction, status: str | None = None) -> set[tuple[str, Decimal]]:
    entry = JournalEntry.objects.get(transaction=row, status=status or row.status)
    return {(line.account_id or line.bucket, line.amount) for line in entry.lines.all()}


def test_every_effect_names_its_other_side_and_every_entry_balances():
    for (kind, status, direction), effect in EFFECTS.items():
        for previous in (None, "pending"):
            if previous and (kind, previous, direction) not in EFFECTS:
                continue
            lines = entry_lines(
                kind=kind, status=status, direction=direction, amount=D("1.5"), previous_status=previous
            )
            assert sum(line.amount for line in lines) == 0, (kind, status, previous)
            assert all(line.amount for line in lines)
        assert (sum(effect[:3]) == 0) == (effect.other is None)


def test_deposit_adjustments_reward_and_payment_post_against_the_system_accounts():
    operator = UserFactory()
    user = funded_user("100")
    deposit = Transaction.objects.get(user=user, kind="deposit")
    assert lines_of(deposit) == {("available", D(100)), ("external", D(-100))}
    credit = services.adjustment_create(user=user, amount="3", direction="credit", reason="fix", actor=operator)
    debit = services.adjustment_create(user=user, amount="1", direction="debit", reason="fix", actor=operator)
    assert lines_of(credit) == {("available", D(3)), ("issuance", D(-3))}
    assert lines_of(debit) == {("available", D(-1)), ("issuance", D(1))}
    entry = JournalEntry.objects.get(transaction=credit)
    assert (entry.kind, entry.status, entry.actor_id, entry.memo) == ("adjustment", "completed", operator.pk, "fix")
    reward = services.reward_credit(user=user, amount="7", memo="Rank 1")
    payment = services.payment_debit(user=user, amount="4", memo="Plan")
    assert lines_of(reward) == {("available", D(7)), ("issuance", D(-7))}
    assert lines_of(payment) == {("available", D(-4)), ("revenue", D(4))}
    supply = supply_totals()
    assert (supply.issued, supply.external, supply.revenue, supply.available) == (D(9), D(100), D(4), D(105))
    assert supply.gap == 0
    assert_ledger_clean()


def test_stake_unstake_and_cool_down_move_between_the_buckets(settings):
    user = funded_user("50")
    stake = services.stake_create(user=user, amount="20")
    now = services.unstake_create(user=user, amount="5")
    assert lines_of(stake) == {("available", D(-20)), ("staked", D(20))}
    assert lines_of(now) == {("staked", D(-5)), ("available", D(5))}
    settings.OGC_UNSTAKE_COOLDOWN_HOURS = 1
    cooling = services.unstake_create(user=user, amount="6")
    assert lines_of(cooling) == {("staked", D(-6)), ("held", D(6))}
    assert services.unstake_release_due(now=timezone.now() + timedelta(hours=2)) == 1
    assert lines_of(cooling, "pending") == {("staked", D(-6)), ("held", D(6))}  # the first entry stays
    assert lines_of(cooling, "completed") == {("held", D(-6)), ("available", D(6))}
    assert_ledger_clean()


def test_withdrawals_reserve_then_leave_or_return():
    operator = UserFactory()
    user = funded_user("60")
    address = WalletAddressFactory(wallet=user.wallet)
    requests = [services.withdrawal_request(user=user, amount=str(n), address_id=address.pk) for n in (10, 11, 12)]
    for row in requests:
        assert lines_of(row) == {("available", -row.amount), ("held", row.amount)}
    services.withdrawal_approve(withdrawal_id=requests[0].pk, actor=operator, external_reference="0xabc")
    services.withdrawal_reject(withdrawal_id=requests[1].pk, actor=operator, reason="bad address")
    services.withdrawal_cancel(user=user, withdrawal_id=requests[2].pk)
    assert lines_of(requests[0], "completed") == {("held", D(-10)), ("external", D(10))}
    assert lines_of(requests[1], "canceled") == {("held", D(-11)), ("available", D(11))}
    assert lines_of(requests[2], "canceled") == {("held", D(-12)), ("available", D(12))}
    approval = JournalEntry.objects.get(transaction=requests[0], status="completed")
    assert (approval.actor_id, approval.reference) == (operator.pk, "0xabc")
    rejection = JournalEntry.objects.get(transaction=requests[1], status="canceled")
    assert (rejection.actor_id, rejection.memo) == (operator.pk, "Rejected: bad address")
    supply = supply_totals()
    assert (supply.external, supply.available, supply.held) == (D(50), D(50), D(0))
    assert_ledger_clean()


def test_a_replay_writes_no_second_entry():
    user = funded_user("10")
    first = services.stake_create(user=user, amount="1", idempotency_key="api:k")
    services.stake_create(user=user, amount="1", idempotency_key="api:k")
    assert JournalEntry.objects.filter(transaction=first).count() == 1


def test_a_refused_movement_leaves_no_entry():
    user = funded_user("10")
    before = JournalEntry.objects.count()
    with pytest.raises(Exception, match="Insufficient"):
        services.stake_create(user=user, amount="11")
    assert JournalEntry.objects.count() == before


@pytest.mark.skipif(connection.vendor not in ("mysql", "sqlite"), reason="triggers on MariaDB/MySQL and SQLite")
def test_the_database_refuses_to_update_or_delete_journal_rows():
    user = funded_user("10")
    entry = JournalEntry.objects.get(transaction__user=user)
    for queryset, change in (
        (JournalLine.objects.filter(entry=entry), {"amount": D(1)}),
        (JournalEntry.objects.filter(pk=entry.pk), {"memo": "edited"}),
    ):
        with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
            queryset.update(**change)
        with pytest.raises(DatabaseError, match="never deleted"), transaction.atomic():
            queryset._raw_delete(queryset.db)
    assert sorted(entry.lines.values_list("amount", flat=True)) == [D(-10), D(10)]


def test_rows_written_in_bulk_are_journaled_like_the_posting_path():
    """The demo and the benches write histories with multi-row INSERTs."""
    user = UserFactory()
    wallet = user.wallet
    at = timezone.now() - timedelta(days=3)
    common = {"wallet": wallet, "user": user, "available_after": 0, "staked_after": 0, "held_after": 0}
    Transaction.objects.bulk_create(
        [
            Transaction(kind="deposit", status="completed", direction="credit", amount=D(30), **common),
            Transaction(kind="withdrawal", status="completed", direction="debit", amount=D(8), **common),
            Transaction(kind="unstake", status="pending", direction="internal", amount=D(2), available_at=at, **common),
            Transaction(kind="stake", status="completed", direction="internal", amount=D(5), **common),
        ]
    )
    wallet.available, wallet.staked, wallet.held = D(17), D(3), D(2)
    wallet.save()
    assert services.journal_unjournaled_rows() == 5  # the withdrawal: request and approval
    assert services.journal_unjournaled_rows() == 0
    assert_ledger_clean()
