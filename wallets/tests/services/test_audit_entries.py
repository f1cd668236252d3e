"""Each balance change leaves audit entries with the acting user: the wallet's and
the ledger row's, written together in one INSERT (``core.audit.log_entries_create``)
with the fields auditlog's own receivers and context hook would give them."""

from decimal import Decimal

import pytest
from auditlog.context import auditlog_value, disable_auditlog, set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from accounts.tests.factories import StaffFactory, UserFactory
from conftest import make_token_client
from core.audit import command_context
from wallets.models import Transaction, Wallet
from wallets.services import stake_create
from wallets.tests.factories import funded_user

pytestmark = pytest.mark.django_db

LEDGER_TYPES = (Wallet, Transaction)


def _ledger_entries_after(pk: int):
    types = [ContentType.objects.get_for_model(model) for model in LEDGER_TYPES]
    return list(LogEntry.objects.filter(pk__gt=pk, content_type__in=types).order_by("pk"))


def _last_pk() -> int:
    return LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_stake_through_the_api_audits_wallet_and_row_with_the_actor():
    user = funded_user("10")
    client = make_token_client(user)
    before = _last_pk()
    r = client.post("/api/v1/wallet/stake/", {"amount": "4"}, HTTP_X_REQUEST_ID="req-stake-1", REMOTE_ADDR="10.1.2.3")
    assert r.status_code == 201
    # Exactly two ledger entries (a first-stake badge, if granted, has its own UserBadge entry).
    wallet_entry, row_entry = _ledger_entries_after(before)
    assert wallet_entry.content_type.model_class() is Wallet and wallet_entry.object_pk == str(user.wallet.pk)
    assert wallet_entry.action == LogEntry.Action.UPDATE
    changes = wallet_entry.changes_dict
    assert set(changes) == {"available", "staked"}
    assert [Decimal(v) for v in changes["available"]] == [Decimal(10), Decimal(6)]
    assert [Decimal(v) for v in changes["staked"]] == [Decimal(0), Decimal(4)]
    assert row_entry.content_type.model_class() is Transaction and row_entry.object_pk == str(r.json()["id"])
    assert row_entry.action == LogEntry.Action.CREATE
    for entry in (wallet_entry, row_entry):
        assert (entry.actor, entry.actor_email) == (user, user.email)
        assert (entry.cid, entry.remote_addr) == ("req-stake-1", "10.1.2.3")


def test_row_entry_has_the_shape_auditlogs_receiver_gives_a_created_row():
    user = funded_user("10")
    row = stake_create(user=user, amount="1")
    ours = LogEntry.objects.get(content_type__model="transaction", object_pk=str(row.pk))
    # The same kind of row saved the ordinary way goes through auditlog's post_save receiver.
    twin = Transaction.objects.create(
        wallet=row.wallet,
        user=user,
        kind=row.kind,
        status=row.status,
        direction=row.direction,
        amount=row.amount,
        available_after=row.available_after,
        staked_after=row.staked_after,
        held_after=row.held_after,
        actor=user,
        completed_at=row.completed_at,
    )
    theirs = LogEntry.objects.get(content_type__model="transaction", object_pk=str(twin.pk))
    assert ours.action == theirs.action == LogEntry.Action.CREATE
    assert set(ours.changes) == set(theirs.changes)
    varying = {"id", "created_at"}
    assert {k: v for k, v in ours.changes.items() if k not in varying} == {
        k: v for k, v in theirs.changes.items() if k not in varying
    }
    assert ours.object_repr == str(row) and ours.object_id == row.pk
    assert (ours.serialized_data, ours.additional_data, ours.changes_text) == (None, None, "")


def test_a_finished_audit_context_leaks_no_actor_into_later_entries():
    user = funded_user("10")
    with set_actor(StaffFactory(), remote_addr="10.9.9.9"):
        pass
    # auditlog leaves its context variable set after the block (only its hook is gone):
    # reading the variable directly would attach this stale actor and address.
    assert auditlog_value.get()["remote_addr"] == "10.9.9.9"
    before = _last_pk()
    stake_create(user=user, amount="1")
    for entry in _ledger_entries_after(before):
        assert (entry.actor, entry.remote_addr, entry.cid) == (None, None, None)


def test_command_context_names_the_command_and_its_actor():
    user = funded_user("10")
    operator = UserFactory()
    before = _last_pk()
    with command_context("release_unstakes", actor=operator) as cid:
        stake_create(user=user, amount="1")
    entries = _ledger_entries_after(before)
    assert len(entries) == 2
    for entry in entries:
        assert (entry.actor, entry.cid) == (operator, cid)


def test_disable_auditlog_writes_no_ledger_entries():
    user = funded_user("10")
    before = _last_pk()
    with disable_auditlog():
        stake_create(user=user, amount="1")
    assert _ledger_entries_after(before) == []
