"""Migration challenges 0005 gives every published, not archived challenge an escrow
holding what its pool still owes (one adjusting system entry from issuance), leaves
old entries untouched, and the ledger is clean afterwards."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.tests.migration_helpers import leaf_nodes, migrate_to

BEFORE = [("challenges", "0004_entry_fee_to"), ("wallets", "0009_escrow_accounts")]
D = Decimal


@pytest.mark.django_db(transaction=True)
def test_published_challenges_get_an_escrow_of_what_their_pool_still_owes():
    leaves = leaf_nodes()
    executor = migrate_to(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    OldChallenge = old_apps.get_model("challenges", "Challenge")
    start = timezone.now() - timedelta(days=5)
    made = {}
    for status, pool, paid in [
        ("draft", 100, 0),
        ("scheduled", 100, 0),
        ("closed", D("2.5"), 0),
        ("judged", 100, 80),
        ("judged", 50, 50),
        ("archived", 100, 60),
    ]:
        made[(status, pool, paid)] = OldChallenge.objects.create(
            slug=f"old-{status}-{pool}-{paid}".replace(".", "-"),
            title="Old",
            description="d",
            status=status,
            starts_at=start,
            ends_at=start + timedelta(days=1),
            prize_pool=D(pool),
            prize_paid=D(paid),
        ).pk

    migrate_to(leaves)

    from wallets.models import JournalEntry, LedgerAccount
    from wallets.selectors import supply_totals
    from wallets.services import escrow_balance
    from wallets.verification import assert_ledger_clean

    balances = {key: escrow_balance(reference=f"challenge:{pk}") for key, pk in made.items()}
    assert list(balances.values()) == [0, D(100), D("2.5"), D(20), 0, 0]
    opened = set(LedgerAccount.objects.filter(kind="escrow").values_list("code", flat=True))
    assert opened == {f"escrow:challenge:{made[key]}" for key in list(made)[1:5]}  # not the draft, not archived
    assert JournalEntry.objects.filter(kind="escrow_fund", transaction=None).count() == 3
    assert supply_totals().issued == D("122.5")
    assert_ledger_clean()
