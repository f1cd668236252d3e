"""A member's own wallet, transactions, withdrawals and addresses, scoped to them (another
user's ids are simply not found: 404, never 403); the operators' withdrawal list; how a
ledger row moves the balances and what it tells its owner."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from core.db_router import reads_from_replica
from core.exceptions import NotFoundError
from wallets.ledger import effect_of
from wallets.managers import RowState, row_state, written_state
from wallets.models import Transaction, TransactionKind, Wallet, WalletAddress

if TYPE_CHECKING:
    from accounts.models import User


def ledger_effect(*, kind: str, status: str, direction: str) -> tuple[int, int, int]:
    """How a row of ``kind``/``status``/``direction`` moves (available, staked, held):
    each -1, 0 or +1 times its amount (``wallets.ledger.EFFECTS``; ValueError if none)."""
    return effect_of(kind, status, direction)


def ledger_row_message(*, row: Transaction) -> tuple[str, str, str] | None:
    """The (notification kind, title, body) the ledger sends its owner for ``row`` at
    its current status, or None: the live wording, for generators that replay it. A row
    not read with ``with_state()`` (a generator's, in memory) is taken at its columns."""
    from wallets.events import transaction_message

    if not hasattr(row, "state"):
        row = written_state(copy.copy(row))
    return transaction_message(row)


def wallet_get_for_user(*, user: User) -> Wallet:
    wallet = Wallet.objects.filter(user=user).first()
    if wallet is None:
        raise NotFoundError(_("Wallet not found."), code="wallet_not_found")
    return wallet


@reads_from_replica
def transaction_list_for_user(*, user: User) -> QuerySet[Transaction]:
    """The user's ledger rows with their current state (``with_state()``), newest first
    (index ``idx_txn_user_created``)."""
    return Transaction.objects.with_state().filter(user=user).order_by("-created_at", "-id")


def transaction_get_for_user(*, user: User, transaction_id: int) -> Transaction:
    row = transaction_list_for_user(user=user).filter(pk=transaction_id).first()
    if row is None:
        raise NotFoundError(_("Transaction not found."), code="transaction_not_found")
    return row


def withdrawal_list_for_user(*, user: User) -> QuerySet[Transaction]:
    return transaction_list_for_user(user=user).filter(kind=TransactionKind.WITHDRAWAL)


def withdrawal_get_for_user(*, user: User, withdrawal_id: int) -> Transaction:
    row = withdrawal_list_for_user(user=user).filter(pk=withdrawal_id).first()
    if row is None:
        raise NotFoundError(_("Withdrawal not found."), code="withdrawal_not_found")
    return row


def withdrawal_list_for_operators(*, status: str | None = None) -> QuerySet[Transaction]:
    """Every withdrawal with its current state, newest first; ``status``: in that state."""
    rows = Transaction.objects.with_state()
    if status:
        rows = rows.in_state(status)
    withdrawals: QuerySet[Transaction] = rows.filter(kind=TransactionKind.WITHDRAWAL).select_related("user")
    # four-eyes: "1 of 2 approvals"
    return withdrawals.annotate(approval_count=Count("approvals")).order_by("-created_at", "-id")


def transaction_state(*, row: Transaction) -> RowState:
    """``row``'s current (state, when, why, payout reference): from ``with_state()``'s
    annotations, or its columns for a row written in its final state."""
    return row_state(row)


def address_list_for_user(*, user: User) -> QuerySet[WalletAddress]:
    return WalletAddress.objects.filter(wallet__user=user).order_by("-created_at", "-id")


def address_get_for_user(*, user: User, address_id: int) -> WalletAddress:
    address = address_list_for_user(user=user).filter(pk=address_id).first()
    if address is None:
        raise NotFoundError(_("Address not found."), code="address_not_found")
    return address
