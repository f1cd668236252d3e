"""A member's own wallet, transactions, withdrawals and addresses, scoped to them (another
user's ids are simply not found: 404, never 403); the operators' withdrawal list; how a
ledger row moves the balances and what it tells its owner."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from core.exceptions import NotFoundError
from wallets.ledger import effect_of
from wallets.models import Transaction, TransactionKind, Wallet, WalletAddress

if TYPE_CHECKING:
    from accounts.models import User


def ledger_effect(*, kind: str, status: str, direction: str) -> tuple[int, int, int]:
    """How a row of ``kind``/``status``/``direction`` moves (available, staked, held):
    each -1, 0 or +1 times its amount (``wallets.ledger.EFFECTS``; ValueError if none)."""
    return effect_of(kind, status, direction)


def ledger_row_message(*, row: Transaction) -> tuple[str, str, str] | None:
    """The (notification kind, title, body) the ledger sends its owner for ``row`` at
    its current status, or None: the live wording, for generators that replay it."""
    from wallets.events import transaction_message

    return transaction_message(row)


def wallet_get_for_user(*, user: User) -> Wallet:
    wallet = Wallet.objects.filter(user=user).first()
    if wallet is None:
        raise NotFoundError(_("Wallet not found."), code="wallet_not_found")
    return wallet


def transaction_list_for_user(*, user: User) -> QuerySet[Transaction]:
    """The user's ledger rows, newest first (index ``idx_txn_user_created``)."""
    return Transaction.objects.filter(user=user).order_by("-created_at", "-id")


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
    rows = (
        Transaction.objects.filter(kind=TransactionKind.WITHDRAWAL)
        .select_related("user")
        .annotate(approval_count=Count("approvals"))  # four-eyes: "1 of 2 approvals"
    )
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-id")


def address_list_for_user(*, user: User) -> QuerySet[WalletAddress]:
    return WalletAddress.objects.filter(wallet__user=user).order_by("-created_at", "-id")


def address_get_for_user(*, user: User, address_id: int) -> WalletAddress:
    address = address_list_for_user(user=user).filter(pk=address_id).first()
    if address is None:
        raise NotFoundError(_("Address not found."), code="address_not_found")
    return address
