"""What the hot path writes on the raw cursor (``core.rows``) is what the ORM would
write: every column of the ledger row, its journal entry and lines, and the audit
entries, compared with ``Model.save()`` / ``objects.create()`` of the same values, so a
field added to a model cannot be forgotten in the SQL (issue #16, item 8)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings
from django.utils import timezone

from core.audit import creation_changes
from core.rows import Table, insert_many_values, insert_values
from wallets.models import JournalEntry, JournalLine, Transaction, Wallet
from wallets.services import stake_create, transfer_create, unstake_create, withdrawal_request
from wallets.tests.factories import WalletAddressFactory, funded_user

pytestmark = pytest.mark.django_db

STAMPS = {"created_at", "updated_at", "timestamp"}  # set from the clock at write time


def _columns(model, pk):
    return model.objects.filter(pk=pk).values(*[f.attname for f in model._meta.concrete_fields]).get()


def _same_row(model, ours_pk, theirs_pk, *, differ=()):
    ours, theirs = _columns(model, ours_pk), _columns(model, theirs_pk)
    skip = {model._meta.pk.attname, *STAMPS, *differ}
    assert {k: v for k, v in ours.items() if k not in skip} == {k: v for k, v in theirs.items() if k not in skip}
    for stamp in STAMPS & set(ours):
        assert abs(ours[stamp] - theirs[stamp]) < timedelta(seconds=5), stamp


def test_every_concrete_column_is_in_the_insert():
    for model in (Transaction, JournalEntry, JournalLine, LogEntry):
        table = Table.of(model)
        assert table.columns == [f.column for f in model._meta.concrete_fields if not f.primary_key]


def _orm_twin(row: Transaction) -> Transaction:
    """The same ledger row saved the ordinary way (every attribute copied)."""
    values = {f.attname: getattr(row, f.attname) for f in Transaction._meta.concrete_fields if not f.primary_key}
    values["idempotency_key"] = values["idempotency_key"] and values["idempotency_key"] + ":twin"
    values["external_reference"] = values["external_reference"] and values["external_reference"] + ":twin"
    return Transaction.objects.create(**values)


@override_settings(OGC_UNSTAKE_COOLDOWN_HOURS=24)
def test_ledger_rows_are_the_rows_the_orm_writes():
    user, other = funded_user("100"), funded_user("0")
    rows = [
        stake_create(user=user, amount="5", idempotency_key="k1"),
        unstake_create(user=user, amount="1"),  # pending, with available_at
        transfer_create(sender=user, recipient=other.email, amount="2", memo="thanks"),
    ]
    rows.append(Transaction.objects.get(kind="transfer_in", source_id=rows[-1].pk))  # with a source
    address = WalletAddressFactory(wallet=user.wallet, address="0x" + "ab" * 20)  # confirmed, cooled down
    rows.append(withdrawal_request(user=user, amount="1", address_id=address.pk))  # chain, destination
    for row in rows:
        twin = _orm_twin(Transaction.objects.get(pk=row.pk))
        _same_row(Transaction, row.pk, twin.pk, differ={"idempotency_key", "external_reference"})


def test_journal_entry_and_lines_are_the_rows_the_orm_writes():
    user = funded_user("10")
    row = stake_create(user=user, amount="3")
    entry = JournalEntry.objects.get(transaction=row)
    twin = JournalEntry.objects.create(
        kind=entry.kind,
        status="pending",
        transaction=row,
        actor=entry.actor,
        memo=entry.memo,
        reference=entry.reference,
    )
    _same_row(JournalEntry, entry.pk, twin.pk, differ={"status"})
    for line in JournalLine.objects.filter(entry=entry):
        twin_line = JournalLine.objects.create(
            entry=twin, account_id=line.account_id, wallet_id=line.wallet_id, bucket=line.bucket, amount=line.amount
        )
        _same_row(JournalLine, line.pk, twin_line.pk, differ={"entry_id"})


def test_a_column_left_out_gets_the_default_a_new_instance_gets():
    """``insert_values`` with only some columns: the rest as ``objects.create`` fills them."""
    user = funded_user("10")
    row = stake_create(user=user, amount="1")
    given = {"kind": "stake", "status": "failed", "transaction_id": row.pk}
    ours = insert_values(JournalEntry, given)
    theirs = JournalEntry.objects.create(kind="stake", status="canceled", transaction_id=row.pk)
    _same_row(JournalEntry, ours, theirs.pk, differ={"status"})
    assert insert_many_values(JournalLine, [{"entry_id": ours, "account_id": "issuance", "amount": Decimal(1)}]) == 1
    line = JournalLine.objects.get(entry_id=ours)
    twin = JournalLine.objects.create(entry_id=theirs.pk, account_id="issuance", amount=Decimal(1))
    _same_row(JournalLine, line.pk, twin.pk, differ={"entry_id"})


def test_the_wallet_update_is_what_save_update_fields_writes():
    user = funded_user("10")
    stake_create(user=user, amount="4")
    ours = _columns(Wallet, user.wallet.pk)
    wallet = Wallet.objects.get(pk=user.wallet.pk)
    wallet.save(update_fields=["available", "staked", "held", "updated_at"])
    theirs = _columns(Wallet, user.wallet.pk)
    assert {k: v for k, v in ours.items() if k != "updated_at"} == {
        k: v for k, v in theirs.items() if k != "updated_at"
    }


@override_settings(OGC_UNSTAKE_COOLDOWN_HOURS=24)
def test_creation_changes_equal_auditlogs_own_diff():
    user, other = funded_user("100"), funded_user("0")
    rows = [
        stake_create(user=user, amount="5", idempotency_key="k1"),
        unstake_create(user=user, amount="1"),
        transfer_create(sender=user, recipient=other.email, amount="2", memo="thanks"),
    ]
    rows.append(Transaction.objects.get(kind="transfer_in", source_id=rows[-1].pk))
    for row in rows:
        for instance in (row, Transaction.objects.get(pk=row.pk)):  # as written, and as read back
            theirs = model_instance_diff(None, instance, use_json_for_changes=True)
            assert creation_changes(instance) == theirs
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Transaction), object_pk=str(rows[0].pk), action=0
    )
    assert entry.changes == {
        k: list(v) for k, v in model_instance_diff(None, rows[0], use_json_for_changes=True).items()
    }
    assert timezone.now() - entry.timestamp < timedelta(minutes=1)


def test_a_transfers_named_entry_is_the_one_audit_record_writes():
    from core.audit import AuditAction, audit_record

    user, other = funded_user("10"), funded_user("0")
    out = transfer_create(sender=user, recipient=other.email, amount="2", memo="m")
    named = LogEntry.objects.get(additional_data__action="transfer_create", object_pk=str(out.pk))
    received = Transaction.objects.get(kind="transfer_in", source_id=out.pk)
    data = {"amount": out.amount, "recipient_id": other.pk, "received_id": received.pk, "memo": "m"}
    twin = audit_record(action=AuditAction.TRANSFER_CREATE, instance=out, actor=user, data=data)
    _same_row(LogEntry, named.pk, twin.pk)
    # One INSERT wrote all five: both wallets, both rows, the named entry.
    assert LogEntry.objects.filter(pk__gte=named.pk - 4, pk__lte=named.pk).count() == 5
