"""Migration 0007 journals the history written before double entry: a database in
the old layout, with every kind and state of row, gets balanced entries against the
system accounts, and no balance changes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from core.tests.migration_helpers import leaf_nodes, migrate_to

OLD_LAYOUT = [("wallets", "0005_wallet_address_plural")]
D = Decimal

# (kind, status, direction, amount, went through a cool-down)
HISTORY = [
    ("deposit", "completed", "credit", D(100), False),
    ("stake", "completed", "internal", D(30), False),
    ("unstake", "completed", "internal", D(10), True),
    ("unstake", "pending", "internal", D(5), True),
    ("withdrawal", "completed", "debit", D(20), False),
    ("withdrawal", "canceled", "debit", D(7), False),
    ("withdrawal", "pending", "debit", D(3), False),
    ("payment", "completed", "debit", D(4), False),
    ("reward", "completed", "credit", D("12.000000000000000001"), False),
    ("adjustment", "completed", "credit", D(2), False),
    ("adjustment", "completed", "debit", D(1), False),
]


@pytest.mark.django_db(transaction=True)
def test_old_rows_become_balanced_entries_and_no_balance_changes():
    leaves = leaf_nodes()
    executor = migrate_to(OLD_LAYOUT)
    old_apps = executor.loader.project_state(OLD_LAYOUT[0]).apps
    OldUser = old_apps.get_model("accounts", "User")
    OldWallet = old_apps.get_model("wallets", "Wallet")
    OldTransaction = old_apps.get_model("wallets", "Transaction")
    user = OldUser.objects.create(email="pre-journal@example.com", password="!")
    wallet = OldWallet.objects.create(
        user=user,
        available=D("66.000000000000000001"),
        staked=D(15),
        held=D(8),
        deposit_address="0x" + "ab" * 20,
    )
    now = timezone.now()
    rows = [
        OldTransaction.objects.create(
            wallet=wallet,
            user=user,
            kind=kind,
            status=status,
            direction=direction,
            amount=amount,
            available_after=0,
            staked_after=0,
            held_after=0,
            actor=user,
            available_at=now if cooled else None,
            completed_at=None if status == "pending" else now,
            status_reason="Canceled by the owner." if status == "canceled" else "",
        )
        for kind, status, direction, amount, cooled in HISTORY
    ]

    migrate_to(leaves)

    from wallets.models import JournalEntry, JournalLine, Wallet
    from wallets.selectors import supply_totals
    from wallets.verification import assert_ledger_clean

    stored = Wallet.objects.get(pk=wallet.pk)
    assert (stored.available, stored.staked, stored.held) == (D("66.000000000000000001"), D(15), D(8))
    # Two entries for a row that went through pending and settled, one otherwise.
    counts = {row.pk: JournalEntry.objects.filter(transaction_id=row.pk).count() for row in rows}
    assert [counts[row.pk] for row in rows] == [1, 1, 2, 1, 2, 2, 1, 1, 1, 1, 1]
    approve = JournalEntry.objects.get(transaction_id=rows[4].pk, status="completed")
    assert {(x.account_id or x.bucket, x.amount) for x in approve.lines.all()} == {
        ("held", D(-20)),
        ("external", D(20)),
    }
    report = assert_ledger_clean()
    assert report.journal is not None and report.journal.entries_checked == 14
    supply = supply_totals()
    assert (supply.issued, supply.external, supply.revenue) == (D("13.000000000000000001"), D(80), D(4))
    assert supply.gap == 0
    assert JournalLine.objects.filter(wallet=stored).count() == 22
    if connection.vendor in ("mysql", "sqlite"):
        with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
            JournalLine.objects.update(amount=D(1))
