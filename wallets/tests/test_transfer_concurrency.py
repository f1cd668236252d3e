"""Opposite transfers at once (A→B while B→A) lock both wallets in primary-key order:
none deadlocks, none is lost, and the ledger stays clean."""

from decimal import Decimal

import pytest

from wallets.models import Transaction, Wallet
from wallets.services import transfer_create
from wallets.tests.concurrency import run_concurrently
from wallets.tests.factories import funded_user
from wallets.verification import assert_ledger_clean

THREADS = 6
ROUNDS = 15


@pytest.mark.django_db(transaction=True)
def test_opposite_transfers_complete_without_deadlock():
    a, b = funded_user("1000"), funded_user("1000")
    # Without the deadlock retry (``__wrapped__``): a 1213 would surface as an error here.
    once = transfer_create.__wrapped__

    def worker(i: int) -> None:
        sender, recipient = (a, b) if i % 2 == 0 else (b, a)
        for _ in range(ROUNDS):
            once(sender=sender, recipient=recipient.email, amount="1.5")

    run_concurrently(THREADS, worker)
    assert Transaction.objects.filter(kind="transfer_out").count() == THREADS * ROUNDS
    balances = sorted(Wallet.objects.filter(pk__in=[a.wallet.pk, b.wallet.pk]).values_list("available", flat=True))
    assert sum(balances) == Decimal("2000")
    assert balances == [Decimal("1000"), Decimal("1000")]  # as many each way
    assert_ledger_clean()
