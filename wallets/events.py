"""Notifications for ledger operations the wallets app owns end to end.

Written in the same transaction as the row (``notifications.services.notify``),
delivered after commit. The event id (row id and status) is new by construction:
it is called only for a row this transaction just inserted or moved out of
``pending`` (once, under the wallet lock), never for an idempotent replay, so
``notify`` skips its event-id lookup and savepoint (``event_is_new``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.amounts import format_amount
from wallets.listeners import ledger_row_written
from wallets.models import Transaction, TransactionKind, TransactionStatus

if TYPE_CHECKING:
    from accounts.models import User

K, S = TransactionKind, TransactionStatus


def transaction_message(row: Transaction) -> tuple[str, str, str] | None:
    amount = format_amount(row.amount, symbol=row.wallet.token_symbol)
    if row.kind == K.DEPOSIT:
        return "deposit_credited", "Deposit credited", f"{amount} were credited to your wallet."
    if row.kind == K.WITHDRAWAL:
        if row.status == S.PENDING:
            return "withdrawal_requested", "Withdrawal requested", f"Your withdrawal of {amount} awaits approval."
        if row.status == S.COMPLETED:
            return "withdrawal_approved", "Withdrawal sent", f"Your withdrawal of {amount} was approved and sent."
        if row.status == S.CANCELED and row.status_reason.startswith("Rejected"):
            return (
                "withdrawal_rejected",
                "Withdrawal rejected",
                f"Your withdrawal of {amount} was rejected; the tokens are back in your wallet. {row.status_reason}",
            )
        return (
            "withdrawal_canceled",
            "Withdrawal canceled",
            f"Your withdrawal of {amount} was canceled; the tokens are back in your wallet.",
        )
    if row.kind in (K.STAKE, K.UNSTAKE):
        verbs: dict[tuple[str, str], str] = {
            (K.STAKE, S.COMPLETED): "You staked",
            (K.UNSTAKE, S.PENDING): "You started unstaking",
            (K.UNSTAKE, S.COMPLETED): "You unstaked",
        }
        verb = verbs[(row.kind, row.status)]
        return "stake_changed", "Staking changed", f"{verb} {amount}."
    if row.kind == K.ADJUSTMENT:
        sign = "+" if row.direction == "credit" else "-"
        return "adjustment", "Balance adjusted", f"An operator adjusted your balance by {sign}{amount}: {row.memo}"
    return None


def transaction_event(row: Transaction, *, actor: User | None = None) -> None:
    ledger_row_written(row)  # apps built on the ledger (challenges: staking badges)
    message = transaction_message(row)
    if message is None:
        return
    kind, title, body = message
    from notifications.services import notify

    notify(
        user=row.user,
        kind=kind,
        title=title,
        body=body,
        data={
            "transaction_id": row.pk,
            "kind": row.kind,
            "status": row.status,
            "amount": str(row.amount),
            "available": str(row.available_after),
        },
        event_id=f"ledger:{row.pk}:{row.status}",
        event_is_new=True,
    )
