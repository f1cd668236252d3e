"""Immutable two-phase transfers (issue #16, item 2): a withdrawal request and a
cooling-down unstake are pending entries; approval posts them, rejection and
cancellation void them, each as a NEW entry linked to the pending one. No statement
updates or deletes a ledger row (the SQL is captured; the database refuses it anyway),
the state is derived from the entries, and verify_ledger (e) names a pending entry
settled twice or a settlement that is not its row's."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import UserFactory
from core.exceptions import ConflictError
from wallets import services
from wallets.models import JournalEntry, JournalLine, Transaction
from wallets.tests.factories import WalletAddressFactory, current, funded_user
from wallets.verification import assert_ledger_clean, verify_ledger

pytestmark = pytest.mark.django_db

D = Decimal
LEDGER_TABLES = ("transactions", "journal_entries", "journal_lines")
WRITE = re.compile(r"^\s*(UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
TABLE = re.compile(r"^\s*(?:UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+[`\"]?(\w+)", re.IGNORECASE)


def _written_tables(queries) -> list[tuple[str, str]]:
    """(verb, table) of every UPDATE / DELETE / REPLACE statement captured."""
    found = []
    for query in queries:
        sql = query["sql"]
        if WRITE.match(sql):
            match = TABLE.match(sql)
            found.append((sql.split()[0].upper(), match[1] if match else sql[:60]))
    return found


def test_the_whole_lifecycle_never_updates_or_deletes_a_ledger_row(settings):
    """request -> approve, request -> reject, request -> cancel, and an unstake's
    cool-down released: the only rows UPDATEd are wallets' balances (and delivery
    bookkeeping outside the ledger); transactions and the journal only get INSERTs."""
    settings.OGC_UNSTAKE_COOLDOWN_HOURS = 1
    operator = UserFactory(roles=["operator"])
    user = funded_user("100")
    address = WalletAddressFactory(wallet=user.wallet)
    services.stake_create(user=user, amount="10")
    with CaptureQueriesContext(connection) as captured:
        approved = services.withdrawal_request(user=user, amount="10", address_id=address.pk)
        services.withdrawal_approve(withdrawal_id=approved.pk, actor=operator, external_reference="0x" + "ab" * 32)
        rejected = services.withdrawal_request(user=user, amount="20", address_id=address.pk)
        services.withdrawal_reject(withdrawal_id=rejected.pk, actor=operator, reason="address flagged")
        canceled = services.withdrawal_request(user=user, amount="30", address_id=address.pk)
        services.withdrawal_cancel(user=user, withdrawal_id=canceled.pk)
        unstake = services.unstake_create(user=user, amount="10")
        assert services.unstake_release_due(now=timezone.now() + timedelta(hours=2)) == 1
    writes = _written_tables(captured.captured_queries)
    assert ("UPDATE", "wallets") in writes  # the capture sees UPDATEs: the check below can fail
    assert [w for w in writes if w[1] in LEDGER_TABLES] == []
    inserts = " ".join(q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("INSERT"))
    assert all(f"INTO `{table}`" in inserts for table in LEDGER_TABLES)
    # Every row still says what it was written with; its state comes from its settlement.
    states = {
        row.pk: (row.status, row.state)
        for row in Transaction.objects.with_state().filter(pk__in=[approved.pk, rejected.pk, canceled.pk, unstake.pk])
    }
    assert states == {
        approved.pk: ("pending", "completed"),
        rejected.pk: ("pending", "canceled"),
        canceled.pk: ("pending", "canceled"),
        unstake.pk: ("pending", "completed"),
    }
    wallet = type(user.wallet).objects.get(pk=user.wallet.pk)
    assert (wallet.available, wallet.staked, wallet.held) == (D(90), D(0), D(0))
    assert_ledger_clean()


def test_a_settlement_is_a_new_entry_linked_to_the_pending_one():
    operator = UserFactory(roles=["operator"])
    user = funded_user("50")
    address = WalletAddressFactory(wallet=user.wallet)
    row = services.withdrawal_request(user=user, amount="20", address_id=address.pk)
    pending = JournalEntry.objects.get(transaction=row, status="pending")
    returned = services.withdrawal_approve(withdrawal_id=row.pk, actor=operator, external_reference="0xfeed")
    settlement = JournalEntry.objects.get(transaction=row, status="completed")
    assert settlement.pending_entry == pending and pending.settlement == settlement
    assert (settlement.actor, settlement.external_reference, settlement.reference) == (operator, "0xfeed", "0xfeed")
    assert {(line.account_id or line.bucket, line.amount) for line in settlement.lines.all()} == {
        ("held", D(-20)),
        ("external", D(20)),
    }
    row = current(row)
    assert (row.status, row.completed_at, row.external_reference) == ("pending", None, None)  # as written
    assert (row.state, row.state_at, row.state_reference) == ("completed", settlement.created_at, "0xfeed")
    assert (returned.state, returned.state_reference) == ("completed", "0xfeed")  # what the API answers
    # A second settlement of either kind is refused and writes nothing.
    before = JournalEntry.objects.count()
    for settle in (
        lambda: services.withdrawal_approve(withdrawal_id=row.pk, actor=operator),
        lambda: services.withdrawal_reject(withdrawal_id=row.pk, actor=operator, reason="late"),
        lambda: services.withdrawal_cancel(user=user, withdrawal_id=row.pk),
    ):
        with pytest.raises(ConflictError) as refused:
            settle()
        assert refused.value.code == "withdrawal_not_pending"
    assert JournalEntry.objects.count() == before


def test_the_queue_and_the_filters_read_the_derived_state():
    operator = UserFactory(roles=["operator"])
    user = funded_user("50")
    address = WalletAddressFactory(wallet=user.wallet)
    waiting, done = (services.withdrawal_request(user=user, amount="5", address_id=address.pk) for _ in range(2))
    services.withdrawal_approve(withdrawal_id=done.pk, actor=operator)
    from wallets.selectors import withdrawal_list_for_operators, withdrawal_queue

    assert list(withdrawal_queue().values_list("pk", flat=True)) == [waiting.pk]
    assert [r.pk for r in withdrawal_list_for_operators(status="pending")] == [waiting.pk]
    assert [r.pk for r in withdrawal_list_for_operators(status="completed")] == [done.pk]
    assert Transaction.objects.filter(pk=done.pk).in_state("canceled", "pending").count() == 0


@pytest.mark.skipif(connection.vendor not in ("mysql", "sqlite"), reason="triggers on MariaDB/MySQL and SQLite")
def test_the_database_refuses_to_update_or_delete_a_transaction():
    user = funded_user("10")
    row = Transaction.objects.get(user=user)
    for sql in (
        "UPDATE transactions SET status = 'canceled' WHERE id = %s",
        "UPDATE transactions SET amount = 1 WHERE id = %s",
        "UPDATE transactions SET completed_at = NULL WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="transactions rows are immutable"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [row.pk])
    with pytest.raises(DatabaseError, match="never deleted"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM transactions WHERE id = %s", [row.pk])
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        Transaction.objects.filter(pk=row.pk).update(memo="edited")  # the ORM's path too
    assert Transaction.objects.get(pk=row.pk).amount == D(10)


def test_a_payout_hash_is_unique_in_the_database():
    operator = UserFactory(roles=["operator"])
    user = funded_user("50")
    address = WalletAddressFactory(wallet=user.wallet)
    first, second = (services.withdrawal_request(user=user, amount="5", address_id=address.pk) for _ in range(2))
    services.withdrawal_approve(withdrawal_id=first.pk, actor=operator, external_reference="0xhash")
    with pytest.raises(ConflictError) as refused:
        services.withdrawal_approve(withdrawal_id=second.pk, actor=operator, external_reference="0xhash")
    assert refused.value.code == "duplicate_external_reference"
    with pytest.raises(IntegrityError), transaction.atomic():  # behind the service's back too
        JournalEntry.objects.create(kind="withdrawal", status="completed", external_reference="0xhash")


# --- verify_ledger (e) -------------------------------------------------------------------------


def run_verify() -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("verify_ledger", "--no-progress", stdout=out)
        return 0, out.getvalue()
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()


def _forged_entry(row: Transaction, status: str, lines: list[tuple[str, Decimal]], **fields) -> JournalEntry:
    """An entry inserted behind the services' back (inserts are allowed; edits are not)."""
    entry = JournalEntry.objects.create(kind=row.kind, status=status, transaction=row, memo="forged", **fields)
    JournalLine.objects.bulk_create(
        JournalLine(entry=entry, account_id=side, amount=amount)
        if side in ("external", "issuance", "revenue")
        else JournalLine(entry=entry, wallet_id=row.wallet_id, bucket=side, amount=amount)
        for side, amount in lines
    )
    return entry


def test_a_pending_entry_posted_and_voided_is_named():
    operator = UserFactory(roles=["operator"])
    user = funded_user("50")
    address = WalletAddressFactory(wallet=user.wallet)
    row = services.withdrawal_request(user=user, amount="20", address_id=address.pk)
    services.withdrawal_approve(withdrawal_id=row.pk, actor=operator)
    assert run_verify()[0] == 0
    pending = JournalEntry.objects.get(transaction=row, status="pending")
    posted = JournalEntry.objects.get(transaction=row, status="completed")
    # A void of the same pending entry, written as if the approval had never happened
    # (the one-to-one link refuses a second linked settlement, so it names none).
    voided = _forged_entry(row, "canceled", [("external", D(20)), ("available", D(-20))])
    code, out = run_verify()
    assert code == 1
    assert (
        f"transaction {row.pk}: pending entry {pending.pk} settled more than once "
        f"(posted by entry {posted.pk}, canceled by entry {voided.pk})"
    ) in out
    assert f"entry {voided.pk}: settles pending transaction {row.pk} without naming its pending entry" in out
    problems = verify_ledger().problems()
    assert any("settled more than once" in p for p in problems)


def test_a_linked_settlement_must_be_its_own_rows_and_move_final_minus_pending():
    user = funded_user("50")
    address = WalletAddressFactory(wallet=user.wallet)
    mine, other = (services.withdrawal_request(user=user, amount="20", address_id=address.pk) for _ in range(2))
    deposit = Transaction.objects.get(user=user, kind="deposit")
    wrong_row = _forged_entry(
        deposit,
        "failed",
        [("held", D(-20)), ("external", D(20))],
        pending_entry=JournalEntry.objects.get(transaction=other, status="pending"),
    )
    wrong_lines = _forged_entry(
        mine,
        "completed",
        [("held", D(-20)), ("revenue", D(20))],  # the payout booked as revenue
        pending_entry=JournalEntry.objects.get(transaction=mine, status="pending"),
    )
    code, out = run_verify()
    assert code == 1
    assert f"entry {wrong_row.pk}: settles entry {wrong_row.pending_entry_id} as failed, but that is not" in out
    assert f"entry {wrong_lines.pk}: its lines are not the settlement's (final less pending) effect" in out
    with pytest.raises(IntegrityError), transaction.atomic():  # a pending entry is settled once, by construction
        _forged_entry(mine, "failed", [("held", D(-20)), ("available", D(20))], pending_entry=wrong_lines.pending_entry)
