"""Ledger plumbing shared by every wallet operation: lock, replay check, apply the
row's effect (``wallets.ledger.EFFECTS``) to the locked wallet, write the row, its
balanced journal entry (a header and its lines: two INSERTs) and its audit entries
in one INSERT, settle pending rows (a second entry linked to the pending one; the
row itself is never updated). The one place ledger rows, journal entries and journal
lines are written."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status as http

from core.amounts import EXACT, MAX_AMOUNT
from core.audit import AuditAction, audit_record, creation_changes, log_entries_create
from core.exceptions import ApplicationError, ConflictError
from core.rows import insert_many_values, insert_one, insert_values, update_fields
from wallets import events
from wallets.ledger import BALANCES, COUNTERPART, Line, effect_of, entry_lines
from wallets.lock_objects import wallet_for_update
from wallets.managers import settled_values, written_state
from wallets.models import (
    Direction,
    JournalEntry,
    JournalLine,
    Transaction,
    TransactionKind,
    TransactionStatus,
    Wallet,
)

if TYPE_CHECKING:
    from accounts.models import User

K, S, D = TransactionKind, TransactionStatus, Direction


def _rerun_on_unique_race(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run an atomic service once more when a concurrent twin won a unique
    constraint the service checks for (an external reference, an address): the
    re-run sees the twin's committed row and answers like a sequential call
    would (the same row, or a 409/400) instead of a 500. Inside an outer atomic
    block the error propagates to the block's owner."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except IntegrityError:
            if transaction.get_connection().in_atomic_block:
                raise
            return fn(*args, **kwargs)

    return wrapper


def _insufficient(what: str) -> ApplicationError:
    messages = {
        "available": _("Insufficient available balance."),
        "staked": _("Insufficient staked balance."),
        "held": _("Insufficient held balance."),
    }
    return ConflictError(messages[what], code="insufficient_funds", field="amount")


def _key_reused() -> ApplicationError:
    return ApplicationError(
        _("This idempotency key was already used for a different operation."),
        code="idempotency_key_reused",
        field="idempotency_key",
        status_code=http.HTTP_422_UNPROCESSABLE_ENTITY,
    )


def _replayed(
    wallet: Wallet, key: str | None, kind: str, amount: Decimal, direction: str | None = None
) -> Transaction | None:
    """The row an earlier call with this idempotency key wrote, if any (read under
    the wallet lock, so concurrent callers with one key serialise). Another kind,
    amount or direction (an adjustment's credit vs debit) is another operation."""
    if not key:
        return None
    row = Transaction.objects.with_state().filter(wallet=wallet, idempotency_key=key).first()
    if row is None:
        return None
    if row.kind != kind or row.amount != amount or (direction is not None and row.direction != direction):
        raise _key_reused()
    return row


def _apply(wallet: Wallet, kind: str, status: str, direction: str, amount: Decimal, sign: int = 1) -> None:
    d_available, d_staked, d_held = effect_of(kind, status, direction)
    with localcontext(EXACT):
        wallet.available += sign * d_available * amount
        wallet.staked += sign * d_staked * amount
        wallet.held += sign * d_held * amount
    if wallet.available < 0:
        raise _insufficient("available")
    if wallet.staked < 0:
        raise _insufficient("staked")
    if wallet.held < 0:  # impossible by construction; the CHECK constraint is the backstop
        raise _insufficient("held")
    if max(wallet.available, wallet.staked, wallet.held) > MAX_AMOUNT:
        # DECIMAL(36, 18) would overflow (strict mode: a DataError, i.e. a 500).
        raise ConflictError(
            _("The balance would exceed the largest amount a wallet can hold."), code="balance_limit", field="amount"
        )


def _balances(wallet: Wallet) -> tuple[Decimal, Decimal, Decimal]:
    return (wallet.available, wallet.staked, wallet.held)


_WALLET_WRITE = ("available", "staked", "held", "updated_at")


def _save_wallet(wallet: Wallet) -> None:
    """Save the locked wallet's balances: ``save(update_fields=...)`` as one plain UPDATE
    on the cursor (``core.rows``), without auditlog's receiver: it would re-SELECT the
    row we hold locked and diff every field to learn what we already know. The caller
    writes the entry (``_audit_entries``)."""
    update_fields(wallet, _WALLET_WRITE)


def _audit_entries(
    wallet: Wallet, before: tuple[Decimal, Decimal, Decimal], created: Transaction | None = None
) -> Iterator[tuple[Any, int, dict | None]]:
    """The entries auditlog's receivers would write, for ``log_entries_create``
    (lazy: nothing is computed inside ``disable_auditlog``). The wallet's: action
    UPDATE, ``changes = {field: [old, new]}`` as strings for the balances that moved
    (known from ``before``, no re-read of the locked row). A created row's: action
    CREATE with auditlog's own diff of its registered fields."""
    changes = {
        name: [str(old), str(new)]
        for name, old, new in zip(BALANCES, before, _balances(wallet), strict=True)
        if old != new
    }
    if changes:
        yield wallet, LogEntry.Action.UPDATE, changes
    if created is not None:
        # auditlog's model_instance_diff(None, created), from a field list read once.
        yield created, LogEntry.Action.CREATE, creation_changes(created)


def _journal(
    row: Transaction,
    *,
    status: str,
    previous_status: str | None = None,
    actor: Any = None,
    memo: str = "",
    counterpart_wallet_id: int | None = None,
    other: str | None = None,
    pending_entry_id: int | None = None,
    external_reference: str | None = None,
) -> tuple[int, datetime]:
    """The balanced entry that gives ``row`` its ``status`` (from ``previous_status``
    when a pending row settles: then it names the pending entry it settles, and a
    withdrawal's payout hash): the header, then all its lines in ONE INSERT (both on
    the raw cursor, ``core.rows``); returns the entry's id and time. Lines come from
    ``wallets.ledger.entry_lines`` (the EFFECTS table); none is ever updated. A member
    transfer's entry also carries the counterpart wallet's line."""
    created_at = timezone.now()
    entry_id: Any = insert_values(
        JournalEntry,
        {
            "kind": row.kind,
            "status": status,
            "transaction_id": row.pk,
            "actor_id": getattr(actor, "pk", actor),
            "memo": memo[:500],
            "reference": external_reference or row.external_reference or "",
            "pending_entry_id": pending_entry_id,
            "external_reference": external_reference,
            "created_at": created_at,
        },
    )
    lines = entry_lines(**_shape(row), status=status, previous_status=previous_status, other=other)
    insert_many_values(JournalLine, _line_rows(entry_id, row, lines, counterpart_wallet_id=counterpart_wallet_id))
    return entry_id, created_at


def _shape(row: Transaction) -> dict[str, Any]:
    return {"kind": row.kind, "direction": row.direction, "amount": row.amount}


def _line_rows(
    entry_id: int, row: Transaction, lines: list[Line], *, counterpart_wallet_id: int | None = None
) -> list[dict[str, Any]]:
    """The lines of entry ``entry_id`` as ``{attname: value}`` rows: a system account's,
    or a bucket of ``row``'s wallet (or, for a member transfer's ``COUNTERPART`` line, of
    the other member's wallet). Columns left out get the model's defaults."""
    rows: list[dict[str, Any]] = []
    for line in lines:
        if line.account == COUNTERPART:
            if counterpart_wallet_id is None:
                raise ValueError(f"{row.kind} needs the counterpart wallet for its journal entry")
            rows.append(
                {"entry_id": entry_id, "wallet_id": counterpart_wallet_id, "bucket": "available", "amount": line.amount}
            )
        elif line.account:
            rows.append({"entry_id": entry_id, "account_id": line.account, "amount": line.amount})
        else:
            rows.append(
                {"entry_id": entry_id, "wallet_id": row.wallet_id, "bucket": line.bucket or "", "amount": line.amount}
            )
    return rows


def _write(
    wallet: Wallet,
    *,
    kind: str,
    status: str,
    direction: str,
    amount: Decimal,
    actor: User | None = None,
    idempotency_key: str | None = None,
    source: Any = None,
    user: Any = None,
    journal: bool = True,
    counterpart_wallet_id: int | None = None,
    other: str | None = None,
    audit: list | None = None,
    **fields: Any,
) -> Transaction:
    """Apply the row's effect to the locked wallet, save both and audit both in one
    INSERT (``core.audit.log_entries_create``; the entries are the ones auditlog's
    receivers would write). ``user`` (the wallet's owner, when the caller holds it)
    saves a query in the notification. ``journal=False``: the row's lines are in
    another row's entry (the receiving side of a member transfer). ``other``: the system
    account on the other side, when not the EFFECTS table's (a challenge's escrow).
    ``audit``: a list to add the audit entries to instead of writing them (a caller that
    writes several rows writes all their entries in one INSERT)."""
    before = _balances(wallet)
    _apply(wallet, kind, status, direction, amount)
    _save_wallet(wallet)
    now = timezone.now()
    row = Transaction(
        wallet=wallet,
        user_id=wallet.user_id,
        kind=kind,
        status=status,
        direction=direction,
        amount=amount,
        available_after=wallet.available,
        staked_after=wallet.staked,
        held_after=wallet.held,
        idempotency_key=idempotency_key or None,
        actor=actor,
        completed_at=now if status == S.COMPLETED else None,
        **fields,
    )
    if user is not None and user.pk == wallet.user_id:
        row.user = user
    if source is not None:
        row.source_type = ContentType.objects.get_for_model(source)
        row.source_id = source.pk
    insert_one(row)  # what row.save() writes (core.rows), without auditlog's receiver
    if journal:
        _journal(
            row, status=status, actor=actor, memo=row.memo, counterpart_wallet_id=counterpart_wallet_id, other=other
        )
    if audit is None:
        log_entries_create(_audit_entries(wallet, before, row))
    else:  # the caller writes them with its own, in one INSERT
        audit.extend(_audit_entries(wallet, before, row))
    return written_state(row)


def _post(
    *,
    user: User,
    kind: str,
    status: str,
    direction: str,
    amount: Decimal,
    idempotency_key: str | None,
    notify: bool = True,
    **fields: Any,
) -> Transaction:
    """The common path of a one-row operation: lock the wallet, return the row an
    earlier call with this idempotency key wrote, else write the row (moving the
    balances) and, for operations the ledger owns end to end, its notification."""
    wallet = wallet_for_update(user_id=user.pk)
    if (row := _replayed(wallet, idempotency_key, kind, amount, direction)) is not None:
        return row
    row = _write(
        wallet,
        kind=kind,
        status=status,
        direction=direction,
        amount=amount,
        user=user,
        idempotency_key=idempotency_key,
        **fields,
    )
    if notify:
        events.transaction_event(row)
    return row


def _audit_money(action: AuditAction, row: Transaction, actor: Any, **data: Any) -> None:
    """The named entry of an operator's money operation (not written for a replay)."""
    details = {"amount": row.amount, "direction": row.direction, "memo": row.memo, **data}
    audit_record(action=action, instance=row, actor=actor, data=details)


def pending_row_for_update(row_id: int) -> Transaction | None:
    """Re-read a row under its wallet's lock (the caller holds it) with its current
    state (``with_state()``) and the id of its pending entry (``pending_entry_id``),
    which a settlement links to: one query."""
    pending = JournalEntry.objects.filter(transaction_id=OuterRef("pk"), status=S.PENDING).values("pk")[:1]
    return Transaction.objects.with_state().annotate(pending_entry_id=Subquery(pending)).filter(pk=row_id).first()


def _transition(
    wallet: Wallet,
    row: Transaction,
    new_status: str,
    *,
    reason: str = "",
    actor: Any = None,
    external_reference: str | None = None,
) -> Transaction:
    """Settle a pending row (read by ``pending_row_for_update``, still pending): undo
    the pending effect, apply the final one, and journal the difference as a new entry
    linked to the pending entry (TigerBeetle's post / void). Nothing already written
    changes: not the row, not its first entry. Returns the row with its new state
    (``state``, ``state_at``, ``state_reason``, ``state_reference``) set in memory."""
    if row.pending_entry_id is None:  # type: ignore[attr-defined]
        raise ValueError(f"transaction {row.pk} has no pending entry to settle")
    before = _balances(wallet)
    _apply(wallet, row.kind, S.PENDING, row.direction, row.amount, sign=-1)
    _apply(wallet, row.kind, new_status, row.direction, row.amount)
    _save_wallet(wallet)
    log_entries_create(_audit_entries(wallet, before))
    _entry_id, settled_at = _journal(
        row,
        status=new_status,
        previous_status=S.PENDING,
        actor=actor,
        memo=reason,
        pending_entry_id=row.pending_entry_id,  # type: ignore[attr-defined]
        external_reference=external_reference,
    )
    return settled_values(row, state=new_status, at=settled_at, reason=reason[:500], reference=external_reference)
