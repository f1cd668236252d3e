"""Fault injection: MariaDB ``KILL CONNECTION`` in the middle of a money transfer.

Two shapes, each run in a thread on its own connection and killed from a second one:

1. A composed transfer (written before the transfer service existed, kept as the test
   of two ledger services in one caller's atomic block): a payment debit from the
   sender and a reward credit to the receiver. Killed at two moments:

   * ``between_services``: the debit is written (uncommitted) and the thread is paused
     before the credit, the transaction open and the sender's wallet locked;
   * ``waiting_for_lock``: the debit is written and the credit's statement is blocked
     on the receiver's wallet lock, which the test holds: the connection dies
     mid-statement.

2. The member transfer service (``transfer_create``): killed while it writes the
   receiver's side, both wallets locked and updated, the sender's row and the journal
   entry written.

3. Publishing a challenge, which funds its prize escrow from the treasury: killed while
   the funding entry is being written, the challenge already marked published.

Each time, the transfer must be absent (no row, no journal entry, balances unchanged,
the locks freed); a retry with the same idempotency key then writes it exactly once,
and a second retry writes nothing more; ``verify_ledger`` is clean.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import MySQLdb
import pytest
from django.db import OperationalError, connection, connections, transaction

from wallets.models import Transaction, Wallet
from wallets.services import payment_debit, reward_credit
from wallets.tests.factories import funded_user
from wallets.verification import assert_ledger_clean

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

AMOUNT = Decimal("25")


def transfer(*, sender, receiver, amount: Decimal, key: str, pause=None) -> tuple[Transaction, Transaction]:
    """Debit ``sender``, credit ``receiver``: both rows or neither. ``pause`` runs
    between the two services (the test's hook to act while the lock is held)."""
    with transaction.atomic():
        out = payment_debit(user=sender, amount=amount, memo=f"transfer to {receiver.pk}", idempotency_key=f"{key}:out")
        if pause is not None:
            pause()
        into = reward_credit(
            user=receiver, amount=amount, memo=f"transfer from {sender.pk}", idempotency_key=f"{key}:in"
        )
    return out, into


def _raw_connection():
    """A second session, outside Django's connection handling (the "operator")."""
    db = connection.settings_dict
    return MySQLdb.connect(
        host=db["HOST"] or "127.0.0.1",
        port=int(db["PORT"] or 3306),
        user=db["USER"],
        password=db["PASSWORD"],
        database=db["NAME"],
        autocommit=False,
    )


def _wait_until(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("timed out")


def _blocked_in_statement(cursor, thread_id: int) -> bool:
    """The session ``thread_id`` has been running one statement (the credit's
    ``SELECT ... FOR UPDATE``, waiting for the lock) for a while. Read from the
    process list, which shows a user's own sessions without the PROCESS privilege."""
    cursor.execute("SELECT COMMAND, TIME_MS, INFO FROM information_schema.processlist WHERE ID = %s", (thread_id,))
    row = cursor.fetchone()
    return row is not None and row[0] == "Query" and row[1] > 200 and "FOR UPDATE" in (row[2] or "")


def _lockable(user) -> bool:
    """The user's wallet row can be locked at once (no dead transaction holds it)."""
    try:
        with transaction.atomic():
            Wallet.objects.select_for_update(nowait=True).get(user=user)
    except OperationalError:
        return False
    return True


def _balances(user) -> tuple[Decimal, Decimal, Decimal]:
    wallet = Wallet.objects.get(user=user)
    return wallet.available, wallet.staked, wallet.held


@pytest.mark.parametrize("moment", ["between_services", "waiting_for_lock"])
def test_killed_connection_rolls_the_transfer_back_and_a_retry_writes_it_once(moment):
    sender, receiver = funded_user("100"), funded_user("10")
    before = _balances(sender), _balances(receiver)
    rows_before = Transaction.objects.count()
    key = f"transfer-{moment}"
    operator = _raw_connection()
    op = operator.cursor()

    state: dict = {"paused": threading.Event(), "resume": threading.Event()}

    def pause() -> None:
        state["paused"].set()
        state["resume"].wait(timeout=30)

    def run() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT CONNECTION_ID()")
                state["connection_id"] = cursor.fetchone()[0]
            transfer(sender=sender, receiver=receiver, amount=AMOUNT, key=key, pause=pause)
            state["result"] = "committed"
        except Exception as exc:
            state["error"] = exc
        finally:
            connections.close_all()

    if moment == "waiting_for_lock":
        # Hold the receiver's wallet: the transfer's credit will block on it.
        op.execute("SELECT id FROM wallets WHERE user_id = %s FOR UPDATE", (receiver.pk,))
        state["resume"].set()  # the pause returns at once; the credit then waits

    worker = threading.Thread(target=run)
    worker.start()
    try:
        _wait_until(lambda: state["paused"].is_set() and "connection_id" in state)
        thread_id = state["connection_id"]
        if moment == "waiting_for_lock":
            _wait_until(lambda: _blocked_in_statement(op, thread_id))
        # The transfer holds the sender's wallet lock now, with the debit written.
        op.execute("SELECT COUNT(*) FROM transactions WHERE idempotency_key = %s", (f"{key}:out",))
        assert op.fetchone()[0] == 0  # not visible: uncommitted
        op.execute("KILL CONNECTION %s", (thread_id,))
    finally:
        state["resume"].set()
        worker.join(timeout=60)
        operator.rollback()  # releases the receiver's lock (waiting_for_lock)
        operator.close()

    assert "result" not in state, "the transfer committed on a killed connection"
    assert isinstance(state.get("error"), OperationalError), state.get("error")
    # Absent: no row, balances unchanged, and the sender's wallet is not locked any more.
    assert Transaction.objects.count() == rows_before
    assert not Transaction.objects.filter(idempotency_key__startswith=key).exists()
    assert (_balances(sender), _balances(receiver)) == before
    _wait_until(lambda: _lockable(sender), timeout=5)
    assert_ledger_clean()

    # The retry with the same key writes the pair once; a second retry writes nothing.
    out, into = transfer(sender=sender, receiver=receiver, amount=AMOUNT, key=key)
    again_out, again_into = transfer(sender=sender, receiver=receiver, amount=AMOUNT, key=key)
    assert (again_out.pk, again_into.pk) == (out.pk, into.pk)
    assert Transaction.objects.filter(idempotency_key=f"{key}:out").count() == 1
    assert Transaction.objects.filter(idempotency_key=f"{key}:in").count() == 1
    assert _balances(sender)[0] == before[0][0] - AMOUNT
    assert _balances(receiver)[0] == before[1][0] + AMOUNT
    assert_ledger_clean()


def _kill_while_writing(call, *, hold_sql: str, hold_args: tuple) -> dict:
    """Hold a row (``hold_sql``, a ``SELECT ... FOR UPDATE`` from a second session), run
    ``call()`` in a thread on its own connection until one of its INSERTs waits for that
    row, kill the connection, free the row. Returns what the thread saw: ``error`` (the
    exception), or ``result`` if it committed."""
    db = _raw_connection()
    op = db.cursor()
    op.execute(hold_sql, hold_args)
    state: dict = {}

    def run() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT CONNECTION_ID()")
                state["connection_id"] = cursor.fetchone()[0]
            call()
            state["result"] = "committed"
        except Exception as exc:
            state["error"] = exc
        finally:
            connections.close_all()

    def blocked_writing(thread_id: int) -> bool:
        op.execute("SELECT COMMAND, TIME_MS, INFO FROM information_schema.processlist WHERE ID = %s", (thread_id,))
        row = op.fetchone()
        return row is not None and row[0] == "Query" and row[1] > 200 and "INSERT" in (row[2] or "").upper()

    worker = threading.Thread(target=run)
    worker.start()
    try:
        _wait_until(lambda: "connection_id" in state or "error" in state)
        thread_id = state["connection_id"]
        _wait_until(lambda: blocked_writing(thread_id))
        op.execute("KILL CONNECTION %s", (thread_id,))
    finally:
        worker.join(timeout=60)
        db.rollback()  # frees the held row
        db.close()
    assert not worker.is_alive()
    return state


def test_killed_connection_mid_member_transfer_leaves_no_half_entry_and_a_retry_writes_it_once():
    """The member transfer service (``transfer_create``, issue #16): the test holds the
    receiver's ``users`` row, so the transfer stops on the foreign-key check of a row it
    writes for the receiver: both wallets are locked and updated and the sender's row
    and entry written (uncommitted) when its connection is killed. Nothing may remain:
    no row, no journal entry or line, balances unchanged, both wallets free; the retry
    with the same key writes the transfer once."""
    from wallets.models import JournalEntry, JournalLine
    from wallets.services import transfer_create

    sender, receiver = funded_user("100"), funded_user("10")
    before = _balances(sender), _balances(receiver)
    counts_before = Transaction.objects.count(), JournalEntry.objects.count(), JournalLine.objects.count()
    key = "member-transfer-kill"
    state = _kill_while_writing(
        lambda: transfer_create(sender=sender, recipient=receiver.email, amount=AMOUNT, idempotency_key=key),
        hold_sql="SELECT id FROM users WHERE id = %s FOR UPDATE",
        hold_args=(receiver.pk,),
    )
    assert "result" not in state, "the transfer committed on a killed connection"
    assert isinstance(state.get("error"), OperationalError), state.get("error")
    assert (Transaction.objects.count(), JournalEntry.objects.count(), JournalLine.objects.count()) == counts_before
    assert (_balances(sender), _balances(receiver)) == before
    _wait_until(lambda: _lockable(sender) and _lockable(receiver), timeout=5)
    assert_ledger_clean()

    first = transfer_create(sender=sender, recipient=receiver.email, amount=AMOUNT, idempotency_key=key)
    again = transfer_create(sender=sender, recipient=receiver.email, amount=AMOUNT, idempotency_key=key)
    assert again.pk == first.pk
    assert _balances(sender)[0] == before[0][0] - AMOUNT
    assert _balances(receiver)[0] == before[1][0] + AMOUNT
    assert_ledger_clean()


def test_killed_connection_while_publishing_leaves_the_challenge_a_draft_and_its_escrow_unfunded():
    """Publishing a challenge funds its prize escrow from the treasury in the same
    transaction (issue #16). The test holds the treasury's account row, so the publish
    stops on the foreign-key check of the funding entry's lines: the challenge row is
    already ``scheduled`` and the entry's header written (uncommitted) when the
    connection is killed. Nothing may remain: still a draft, no entry, no escrow; the
    publish then succeeds once."""
    from challenges.models import Challenge, ChallengeStatus
    from challenges.services import challenge_publish
    from challenges.tests.factories import ChallengeFactory, operator
    from wallets.models import JournalEntry, LedgerAccount
    from wallets.selectors import supply_totals

    actor = operator()
    challenge = ChallengeFactory(status=ChallengeStatus.DRAFT, created_by=actor)
    entries_before = JournalEntry.objects.count()
    escrowed_before = supply_totals().escrowed
    state = _kill_while_writing(
        lambda: challenge_publish(challenge_id=challenge.pk, actor=actor),
        hold_sql="SELECT code FROM ledger_accounts WHERE code = %s FOR UPDATE",
        hold_args=("issuance",),
    )
    assert "result" not in state, "the publish committed on a killed connection"
    assert isinstance(state.get("error"), OperationalError), state.get("error")
    assert Challenge.objects.get(pk=challenge.pk).status == ChallengeStatus.DRAFT
    assert JournalEntry.objects.count() == entries_before
    assert not LedgerAccount.objects.filter(code=f"escrow:challenge:{challenge.pk}").exists()
    assert supply_totals().escrowed == escrowed_before
    assert_ledger_clean()

    challenge_publish(challenge_id=challenge.pk, actor=actor)
    assert Challenge.objects.get(pk=challenge.pk).status == ChallengeStatus.SCHEDULED
    assert supply_totals().escrowed == escrowed_before + challenge.prize_pool
    assert_ledger_clean()
