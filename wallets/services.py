"""Write layer of the wallets app: the only place balances change.

Every function here is one database transaction that locks the wallet row,
re-checks on the locked row, moves the balances, writes the ledger row(s) and
(for operations the ledger owns end to end) the user's notification, which is
delivered after the commit. MariaDB deadlocks and lock-wait timeouts are retried.

Public functions other apps call: ``reward_credit`` and ``payment_debit`` (they
leave notifying to the caller, which knows the context: a challenge, a plan).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal, localcontext
from typing import Any

from auditlog.context import disable_auditlog
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import status as http

from core.amounts import EXACT, MAX_AMOUNT, parse_amount
from core.audit import log_entries_create
from core.db import retry_on_lock_conflict
from core.exceptions import ApplicationError, ConflictError, NotFoundError
from wallets import events
from wallets.ledger import BALANCES, effect_of
from wallets.lock_objects import wallet_for_update
from wallets.models import (
    Direction,
    Transaction,
    TransactionKind,
    TransactionStatus,
    Wallet,
    WalletAddress,
)

K, S, D = TransactionKind, TransactionStatus, Direction


# --- helpers -----------------------------------------------------------------------


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
    return ApplicationError(f"Insufficient {what} balance.", code="insufficient_funds", field="amount")


def _key_reused() -> ApplicationError:
    return ApplicationError(
        "This idempotency key was already used for a different operation.",
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
    row = Transaction.objects.filter(wallet=wallet, idempotency_key=key).first()
    if row is None:
        return None
    if row.kind != kind or row.amount != amount or (direction is not None and row.direction != direction):
        raise _key_reused()
    row.replayed = True  # callers that audit (admin forms) must not log a replay twice
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
        raise ApplicationError(
            "The balance would exceed the largest amount a wallet can hold.", code="balance_limit", field="amount"
        )


def _balances(wallet: Wallet) -> tuple[Decimal, Decimal, Decimal]:
    return (wallet.available, wallet.staked, wallet.held)


def _save_wallet(wallet: Wallet) -> None:
    """Save the locked wallet's balances without auditlog's receiver: it would
    re-SELECT the row we hold locked and diff every field to learn what we already
    know. The caller writes the entry (``_audit_entries``)."""
    with disable_auditlog():
        wallet.save(update_fields=["available", "staked", "held", "updated_at"])


def _audit_entries(
    wallet: Wallet, before: tuple[Decimal, Decimal, Decimal], created: Transaction | None = None
) -> Iterator[tuple[Any, int, dict]]:
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
        use_json = settings.AUDITLOG_STORE_JSON_CHANGES
        yield created, LogEntry.Action.CREATE, model_instance_diff(None, created, use_json_for_changes=use_json)


def _write(
    wallet: Wallet,
    *,
    kind: str,
    status: str,
    direction: str,
    amount: Decimal,
    actor=None,
    idempotency_key: str | None = None,
    source: Any = None,
    user: Any = None,
    **fields: Any,
) -> Transaction:
    """Apply the row's effect to the locked wallet, save both and audit both in one
    INSERT (``core.audit.log_entries_create``; the entries are the ones auditlog's
    receivers would write). ``user`` (the wallet's owner, when the caller holds it)
    saves a query in the notification."""
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
    with disable_auditlog():
        row.save()
    log_entries_create(_audit_entries(wallet, before, row))
    return row


def _post(
    *,
    user,
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


def _transition(wallet: Wallet, row: Transaction, new_status: str, *, reason: str = "", **fields: Any) -> Transaction:
    """Move a pending row to its final status: undo the pending effect, apply the final one."""
    before = _balances(wallet)
    _apply(wallet, row.kind, row.status, row.direction, row.amount, sign=-1)
    _apply(wallet, row.kind, new_status, row.direction, row.amount)
    _save_wallet(wallet)
    log_entries_create(_audit_entries(wallet, before))
    row.status = new_status
    row.completed_at = timezone.now()
    row.status_reason = reason
    for name, value in fields.items():
        setattr(row, name, value)
    row.save(update_fields=["status", "completed_at", "status_reason", *fields])
    return row


# --- wallet ---------------------------------------------------------------------------


@transaction.atomic
def wallet_create(*, user) -> Wallet:
    """Create ``user``'s wallet (zero balances, fresh deposit address)."""
    return Wallet.objects.create(user=user, token_symbol=settings.OGC_TOKEN_SYMBOL)


# --- deposits and adjustments (operators, trusted systems) ------------------------------


@retry_on_lock_conflict()
@_rerun_on_unique_race
@transaction.atomic
def deposit_create(
    *,
    user,
    amount: Any,
    actor=None,
    external_reference: str | None = None,
    memo: str = "",
    idempotency_key: str | None = None,
) -> Transaction:
    """Credit ``user``'s wallet. An ``external_reference`` (the chain tx hash) makes
    the deposit idempotent: the same reference is credited once."""
    amount = parse_amount(amount)
    external_reference = (external_reference or "").strip() or None
    wallet = wallet_for_update(user_id=user.pk)
    if external_reference:
        existing = Transaction.objects.filter(kind=K.DEPOSIT, external_reference=external_reference).first()
        if existing is not None:
            if existing.wallet_id != wallet.pk or existing.amount != amount:
                raise ConflictError(
                    "This external reference was already credited with other details.",
                    code="duplicate_external_reference",
                    field="external_reference",
                )
            existing.replayed = True
            return existing
    if (row := _replayed(wallet, idempotency_key, K.DEPOSIT, amount)) is not None:
        return row
    row = _write(
        wallet,
        kind=K.DEPOSIT,
        status=S.COMPLETED,
        direction=D.CREDIT,
        amount=amount,
        user=user,
        actor=actor,
        idempotency_key=idempotency_key,
        external_reference=external_reference,
        memo=memo,
    )
    events.transaction_event(row)
    return row


@retry_on_lock_conflict()
@transaction.atomic
def adjustment_create(
    *,
    user,
    amount: Any,
    direction: str,
    reason: str,
    actor,
    idempotency_key: str | None = None,
) -> Transaction:
    """An operator's correcting entry on ``available`` (credit or debit); a reason is required."""
    amount = parse_amount(amount)
    if direction not in (D.CREDIT, D.DEBIT):
        raise ApplicationError("Direction must be credit or debit.", code="invalid_direction", field="direction")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("A reason is required for an adjustment.", code="reason_required", field="reason")
    return _post(
        user=user,
        kind=K.ADJUSTMENT,
        status=S.COMPLETED,
        direction=direction,
        amount=amount,
        actor=actor,
        idempotency_key=idempotency_key,
        memo=reason[:500],
    )


# --- staking ------------------------------------------------------------------------------


@retry_on_lock_conflict()
@transaction.atomic
def stake_create(*, user, amount: Any, idempotency_key: str | None = None) -> Transaction:
    """Move ``amount`` from available to staked."""
    amount = parse_amount(amount)
    return _post(
        user=user,
        kind=K.STAKE,
        status=S.COMPLETED,
        direction=D.INTERNAL,
        amount=amount,
        actor=user,
        idempotency_key=idempotency_key,
    )


@retry_on_lock_conflict()
@transaction.atomic
def unstake_create(*, user, amount: Any, idempotency_key: str | None = None) -> Transaction:
    """Move ``amount`` out of staking. With ``OGC_UNSTAKE_COOLDOWN_HOURS`` > 0 it waits
    in ``held`` (a pending row) until ``unstake_release_due`` completes it."""
    amount = parse_amount(amount)
    cooldown = int(getattr(settings, "OGC_UNSTAKE_COOLDOWN_HOURS", 0) or 0)
    return _post(
        user=user,
        kind=K.UNSTAKE,
        status=S.PENDING if cooldown else S.COMPLETED,
        direction=D.INTERNAL,
        amount=amount,
        actor=user,
        idempotency_key=idempotency_key,
        available_at=timezone.now() + timedelta(hours=cooldown) if cooldown else None,
    )


@retry_on_lock_conflict()
@transaction.atomic
def _unstake_release(*, row_id: int, now) -> bool:
    row = Transaction.objects.filter(pk=row_id).only("wallet_id").first()
    if row is None:
        return False
    wallet = wallet_for_update(wallet_id=row.wallet_id)
    row = Transaction.objects.get(pk=row_id)
    if row.status != S.PENDING or row.kind != K.UNSTAKE or row.available_at > now:
        return False
    _transition(wallet, row, S.COMPLETED)
    events.transaction_event(row)
    return True


def unstake_release_due(*, now=None, limit: int = 10_000) -> int:
    """Complete every cooling-down unstake whose time has come; safe to run
    concurrently (each row is re-checked under its wallet's lock)."""
    now = now or timezone.now()
    due = list(
        Transaction.objects.filter(kind=K.UNSTAKE, status=S.PENDING, available_at__lte=now)
        .order_by("available_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in due if _unstake_release(row_id=pk, now=now))


# --- withdrawals (two-phase) -----------------------------------------------------------------


@retry_on_lock_conflict()
@transaction.atomic
def withdrawal_request(*, user, amount: Any, address_id: int, idempotency_key: str | None = None) -> Transaction:
    """Reserve ``amount`` (available -> held) for a withdrawal to one of the user's
    registered addresses; a pending row waits for an operator."""
    amount = parse_amount(amount)
    wallet = wallet_for_update(user_id=user.pk)
    address = WalletAddress.objects.filter(pk=address_id, wallet=wallet).first()
    if (row := _replayed(wallet, idempotency_key, K.WITHDRAWAL, amount)) is not None:
        # Another (still registered) address is another operation; a deleted one replays.
        if address is not None and (address.chain, address.address) != (row.chain, row.destination_address):
            raise _key_reused()
        return row
    if address is None:
        raise NotFoundError("Unknown withdrawal address.", code="address_not_found", field="address_id")
    row = _write(
        wallet,
        kind=K.WITHDRAWAL,
        status=S.PENDING,
        direction=D.DEBIT,
        amount=amount,
        user=user,
        actor=user,
        idempotency_key=idempotency_key,
        chain=address.chain,
        destination_address=address.address,
    )
    events.transaction_event(row)
    return row


def _pending_withdrawal_for_update(withdrawal_id: int, *, user=None) -> tuple[Wallet, Transaction]:
    lookup = Transaction.objects.filter(pk=withdrawal_id, kind=K.WITHDRAWAL)
    if user is not None:
        lookup = lookup.filter(user=user)
    wallet_id = lookup.values_list("wallet_id", flat=True).first()
    if wallet_id is None:
        raise NotFoundError("Withdrawal not found.", code="withdrawal_not_found")
    wallet = wallet_for_update(wallet_id=wallet_id)
    row = Transaction.objects.get(pk=withdrawal_id)  # re-read under the wallet lock
    if row.status != S.PENDING:
        raise ConflictError(f"This withdrawal is already {row.status}.", code="withdrawal_not_pending")
    return wallet, row


@retry_on_lock_conflict()
@_rerun_on_unique_race
@transaction.atomic
def withdrawal_approve(*, withdrawal_id: int, actor, external_reference: str | None = None) -> Transaction:
    """An operator sends the held amount out: held decreases, the row completes."""
    wallet, row = _pending_withdrawal_for_update(withdrawal_id)
    external_reference = (external_reference or "").strip() or None
    if (
        external_reference
        and Transaction.objects.filter(kind=K.WITHDRAWAL, external_reference=external_reference).exists()
    ):
        raise ConflictError(
            "This external reference is already used by another withdrawal.",
            code="duplicate_external_reference",
            field="external_reference",
        )
    fields = {"external_reference": external_reference} if external_reference else {}
    _transition(wallet, row, S.COMPLETED, **fields)
    events.transaction_event(row, actor=actor)
    return row


@retry_on_lock_conflict()
@transaction.atomic
def withdrawal_reject(*, withdrawal_id: int, actor, reason: str) -> Transaction:
    """An operator refuses the withdrawal: the held amount returns to available."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("A reason is required to reject a withdrawal.", code="reason_required", field="reason")
    wallet, row = _pending_withdrawal_for_update(withdrawal_id)
    _transition(wallet, row, S.CANCELED, reason=f"Rejected: {reason}"[:500])
    events.transaction_event(row, actor=actor)
    return row


@retry_on_lock_conflict()
@transaction.atomic
def withdrawal_cancel(*, user, withdrawal_id: int) -> Transaction:
    """The owner withdraws the request while it is pending."""
    wallet, row = _pending_withdrawal_for_update(withdrawal_id, user=user)
    _transition(wallet, row, S.CANCELED, reason="Canceled by the owner.")
    events.transaction_event(row, actor=user)
    return row


# --- rewards and payments (called by challenges and subscriptions) -----------------------------


@retry_on_lock_conflict()
@transaction.atomic
def reward_credit(
    *, user, amount: Any, source: Any = None, memo: str = "", idempotency_key: str | None = None, actor=None
) -> Transaction:
    """Credit a reward. ``idempotency_key`` (e.g. ``reward:<challenge>:<submission>``)
    makes a second call return the first row instead of paying twice."""
    amount = parse_amount(amount)
    return _post(
        user=user,
        kind=K.REWARD,
        status=S.COMPLETED,
        direction=D.CREDIT,
        amount=amount,
        actor=actor,
        idempotency_key=idempotency_key,
        notify=False,
        source=source,
        memo=memo[:500],
    )


@retry_on_lock_conflict()
@transaction.atomic
def payment_debit(
    *, user, amount: Any, source: Any = None, memo: str = "", idempotency_key: str | None = None, actor=None
) -> Transaction:
    """Debit a payment (entry fee, subscription period) from available; refuses with
    ``insufficient_funds`` and writes nothing when the balance is short."""
    amount = parse_amount(amount)
    return _post(
        user=user,
        kind=K.PAYMENT,
        status=S.COMPLETED,
        direction=D.DEBIT,
        amount=amount,
        actor=actor if actor is not None else user,
        idempotency_key=idempotency_key,
        notify=False,
        source=source,
        memo=memo[:500],
    )


# --- withdrawal addresses ------------------------------------------------------------------------


def normalize_evm_address(value: str, *, field: str = "address") -> str:
    """``0x`` + 40 hex digits; a mixed-case address must carry a valid EIP-55
    checksum (a typo in one would otherwise be accepted); stored checksummed."""
    from eth_utils import is_checksum_address, is_hex_address, to_checksum_address

    value = (value or "").strip()
    if not is_hex_address(value) or not value.startswith("0x"):
        raise ApplicationError(
            "Enter an EVM address: 0x followed by 40 hexadecimal digits.", code="invalid_address", field=field
        )
    body = value[2:]
    if body != body.lower() and body != body.upper() and not is_checksum_address(value):
        raise ApplicationError(
            "This address has an invalid EIP-55 checksum (check for a typo).", code="invalid_checksum", field=field
        )
    return to_checksum_address(value)


@_rerun_on_unique_race
@transaction.atomic
def address_create(*, user, chain: str, address: str, label: str = "") -> WalletAddress:
    """Register a withdrawal address; unique per chain across all users."""
    from wallets.models import Chain

    if chain not in Chain.values:
        raise ApplicationError("Unknown chain.", code="invalid_chain", field="chain")
    address = normalize_evm_address(address)
    wallet = Wallet.objects.filter(user=user).first()
    if wallet is None:
        raise NotFoundError("Wallet not found.", code="wallet_not_found")
    if WalletAddress.objects.filter(chain=chain, address=address).exists():
        raise ApplicationError(
            "This address is already registered on this chain.", code="address_taken", field="address"
        )
    return WalletAddress.objects.create(wallet=wallet, chain=chain, address=address, label=(label or "").strip()[:60])


@transaction.atomic
def address_delete(*, user, address_id: int) -> None:
    """Remove one of the user's withdrawal addresses. Withdrawals keep their own
    copy of the destination (``Transaction.destination_address``), so history is intact."""
    deleted, _ = WalletAddress.objects.filter(pk=address_id, wallet__user=user).delete()
    if not deleted:
        raise NotFoundError("Address not found.", code="address_not_found")
