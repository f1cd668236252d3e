"""Withdrawals, two-phase: a request holds the amount (pending row); an operator
approves (the held amount leaves) or rejects, or the owner cancels (it returns)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from core.amounts import parse_amount
from core.audit import AuditAction
from core.db import retry_on_lock_conflict, run_refusal_hooks
from core.exceptions import ApplicationError, ConflictError, NotFoundError
from wallets import events
from wallets.lock_objects import wallet_for_update
from wallets.models import JournalEntry, Transaction, Wallet, WalletAddress
from wallets.services.addresses import address_usable_or_refuse
from wallets.services.approvals import withdrawal_approval_check
from wallets.services.limits import withdrawal_limits_check
from wallets.services.posting import (
    D,
    K,
    S,
    _audit_money,
    _key_reused,
    _replayed,
    _rerun_on_unique_race,
    _transition,
    _write,
    pending_row_for_update,
)

if TYPE_CHECKING:
    from accounts.models import User


@retry_on_lock_conflict()
@transaction.atomic
def withdrawal_request(*, user: User, amount: Any, address_id: int, idempotency_key: str | None = None) -> Transaction:
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
        raise NotFoundError(_("Unknown withdrawal address."), code="address_not_found", field="address_id")
    address_usable_or_refuse(address)
    withdrawal_limits_check(wallet=wallet, user=user, amount=amount)
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


def _pending_withdrawal_for_update(withdrawal_id: int, *, user: User | None = None) -> tuple[Wallet, Transaction]:
    lookup = Transaction.objects.filter(pk=withdrawal_id, kind=K.WITHDRAWAL)
    if user is not None:
        lookup = lookup.filter(user=user)
    wallet_id = lookup.values_list("wallet_id", flat=True).first()
    if wallet_id is None:
        raise NotFoundError(_("Withdrawal not found."), code="withdrawal_not_found")
    wallet = wallet_for_update(wallet_id=wallet_id)
    row = pending_row_for_update(withdrawal_id)  # re-read under the wallet lock, with its state
    if row is None or row.state != S.PENDING:  # type: ignore[attr-defined]
        state = S(row.state).label if row is not None else S.CANCELED.label  # type: ignore[attr-defined]
        raise ConflictError(
            _("This withdrawal no longer awaits approval (it is %(status)s).") % {"status": state},
            code="withdrawal_not_pending",
        )
    return wallet, row


def _payout_reference_taken(reference: str) -> bool:
    """A payout hash is used once: by a settlement (unique index on journal entries) or
    by a withdrawal settled in place before ledger v2 (its row's column; that set no
    longer grows, so the check and the settlement's unique index together hold)."""
    return (
        JournalEntry.objects.filter(kind=K.WITHDRAWAL, external_reference=reference).exists()
        or Transaction.objects.filter(kind=K.WITHDRAWAL, external_reference=reference).exists()
    )


@run_refusal_hooks
@retry_on_lock_conflict()
@_rerun_on_unique_race
@transaction.atomic
def withdrawal_approve(*, withdrawal_id: int, actor: User, external_reference: str | None = None) -> Transaction:
    """An operator sends the held amount out (post): held decreases, a settling entry
    completes the row. Four-eyes first (``wallets.services.approvals``): the first of
    two approvals is recorded and the row stays pending."""
    wallet, row = _pending_withdrawal_for_update(withdrawal_id)
    if not withdrawal_approval_check(row=row, actor=actor):
        return row
    external_reference = (external_reference or "").strip() or None
    if external_reference and _payout_reference_taken(external_reference):
        raise ConflictError(
            _("This external reference is already used by another withdrawal."),
            code="duplicate_external_reference",
            field="external_reference",
        )
    _transition(wallet, row, S.COMPLETED, actor=actor, external_reference=external_reference)
    events.transaction_event(row, actor=actor)
    _audit_money(AuditAction.WITHDRAWAL_APPROVE, row, actor)
    return row


@retry_on_lock_conflict()
@transaction.atomic
def withdrawal_reject(*, withdrawal_id: int, actor: User, reason: str) -> Transaction:
    """An operator refuses the withdrawal: the held amount returns to available."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("A reason is required to reject a withdrawal."), code="reason_required", field="reason"
        )
    wallet, row = _pending_withdrawal_for_update(withdrawal_id)
    _transition(wallet, row, S.CANCELED, reason=f"Rejected: {reason}"[:500], actor=actor)
    events.transaction_event(row, actor=actor)
    _audit_money(AuditAction.WITHDRAWAL_REJECT, row, actor, reason=reason)
    return row


@retry_on_lock_conflict()
@transaction.atomic
def withdrawal_cancel(*, user: User, withdrawal_id: int) -> Transaction:
    """The owner withdraws the request while it is pending."""
    wallet, row = _pending_withdrawal_for_update(withdrawal_id, user=user)
    _transition(wallet, row, S.CANCELED, reason="Canceled by the owner.", actor=user)
    events.transaction_event(row, actor=user)
    return row
