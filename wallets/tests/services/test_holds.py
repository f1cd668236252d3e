"""Service holds (wallets/services/holds.py): reserve an estimate, then charge the
actual cost (post) or release it (void), through linked settlement entries."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from core.exceptions import ConflictError
from wallets.models import JournalEntry, JournalLine, Transaction
from wallets.selectors import supply_totals
from wallets.services import charge_key, hold_create, hold_release, hold_settle
from wallets.tests.factories import current, funded_user

pytestmark = pytest.mark.django_db


def _balances(user):
    user.wallet.refresh_from_db()
    return user.wallet.available, user.wallet.held


def _lines(entry):
    return sorted((line.account_id or line.bucket, line.amount) for line in JournalLine.objects.filter(entry=entry))


def test_hold_create_moves_the_estimate_from_available_to_held():
    user = funded_user("10")
    hold = hold_create(user=user, amount="2.5", memo="summary", idempotency_key="k1")
    assert (hold.kind, hold.status, hold.amount) == ("service_hold", "pending", Decimal("2.5"))
    assert _balances(user) == (Decimal("7.5"), Decimal("2.5"))
    assert hold_create(user=user, amount="2.5", idempotency_key="k1").pk == hold.pk  # a replay
    assert _balances(user) == (Decimal("7.5"), Decimal("2.5"))


def test_hold_create_without_funds_is_409_and_writes_nothing():
    user = funded_user("1")
    before = Transaction.objects.count(), JournalEntry.objects.count()
    with pytest.raises(ConflictError) as refused:
        hold_create(user=user, amount="2")
    assert refused.value.code == "insufficient_funds"
    assert (Transaction.objects.count(), JournalEntry.objects.count()) == before
    assert _balances(user) == (Decimal("1"), Decimal("0"))


def test_hold_settle_charges_the_actual_cost_to_revenue_and_returns_the_rest():
    user = funded_user("10")
    revenue_before = supply_totals().accounts.get("revenue", Decimal(0))
    hold = hold_create(user=user, amount="3")
    settled, charge = hold_settle(hold_id=hold.pk, amount="1.25", memo="used")
    assert settled.state == "completed"
    assert (charge.kind, charge.status, charge.amount) == ("service_charge", "completed", Decimal("1.25"))
    assert charge.idempotency_key == charge_key(hold.pk)
    assert _balances(user) == (Decimal("8.75"), Decimal("0"))
    assert current(hold).state == "completed"
    settlement = JournalEntry.objects.get(pending_entry__transaction=hold)
    assert _lines(settlement) == [("available", Decimal("3")), ("held", Decimal("-3"))]
    assert _lines(JournalEntry.objects.get(transaction=charge)) == [
        ("available", Decimal("-1.25")),
        ("revenue", Decimal("1.25")),
    ]
    assert supply_totals().accounts["revenue"] - revenue_before == Decimal("1.25")


def test_hold_settle_at_zero_cost_writes_no_charge():
    user = funded_user("10")
    hold = hold_create(user=user, amount="3")
    _, charge = hold_settle(hold_id=hold.pk, amount="0")
    assert charge is None
    assert _balances(user) == (Decimal("10"), Decimal("0"))


def test_hold_settles_once_only():
    user = funded_user("10")
    hold = hold_create(user=user, amount="3")
    hold_settle(hold_id=hold.pk, amount="1")
    for settle in (lambda: hold_settle(hold_id=hold.pk, amount="1"), lambda: hold_release(hold_id=hold.pk, reason="x")):
        with pytest.raises(ConflictError) as refused:
            settle()
        assert refused.value.code == "hold_not_pending"
    assert Transaction.objects.filter(kind="service_charge", wallet=user.wallet).count() == 1
    assert _balances(user) == (Decimal("9"), Decimal("0"))


def test_a_charge_above_the_hold_is_refused_and_writes_nothing():
    user = funded_user("10")
    hold = hold_create(user=user, amount="3")
    with pytest.raises(ConflictError) as refused:
        hold_settle(hold_id=hold.pk, amount="3.01")
    assert refused.value.code == "charge_exceeds_hold"
    assert current(hold).state == "pending"
    assert _balances(user) == (Decimal("7"), Decimal("3"))


def test_hold_release_returns_everything():
    user = funded_user("10")
    hold = hold_create(user=user, amount="3")
    released = hold_release(hold_id=hold.pk, reason="The provider failed.")
    assert (released.state, released.state_reason) == ("canceled", "The provider failed.")
    assert _balances(user) == (Decimal("10"), Decimal("0"))
    assert not Transaction.objects.filter(kind="service_charge").exists()


def test_verify_ledger_is_clean_after_holds_settled_and_released(capsys):
    user = funded_user("10")
    for cost in ("0", "0.5", "2"):
        hold_settle(hold_id=hold_create(user=user, amount="2").pk, amount=cost)
    hold_release(hold_id=hold_create(user=user, amount="1").pk, reason="failed")
    hold_create(user=user, amount="1")  # still open: counted in held
    call_command("verify_ledger")
    assert _balances(user) == (Decimal("6.5"), Decimal("1"))
