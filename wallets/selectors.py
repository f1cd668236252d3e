"""Read layer of the wallets app. Every user-facing query is scoped to the user,
so another user's ids are simply not found (404, never 403)."""

from __future__ import annotations

from django.db.models import QuerySet

from core.exceptions import NotFoundError
from wallets.models import Transaction, TransactionKind, Wallet, WalletAddress


def wallet_get_for_user(*, user) -> Wallet:
    wallet = Wallet.objects.filter(user=user).first()
    if wallet is None:
        raise NotFoundError("Wallet not found.", code="wallet_not_found")
    return wallet


def transaction_list_for_user(*, user) -> QuerySet[Transaction]:
    """The user's ledger rows, newest first (index ``idx_txn_user_created``)."""
    return Transaction.objects.filter(user=user).order_by("-created_at", "-id")


def transaction_get_for_user(*, user, transaction_id: int) -> Transaction:
    row = transaction_list_for_user(user=user).filter(pk=transaction_id).first()
    if row is None:
        raise NotFoundError("Transaction not found.", code="transaction_not_found")
    return row


def withdrawal_list_for_user(*, user) -> QuerySet[Transaction]:
    return transaction_list_for_user(user=user).filter(kind=TransactionKind.WITHDRAWAL)


def withdrawal_get_for_user(*, user, withdrawal_id: int) -> Transaction:
    row = withdrawal_list_for_user(user=user).filter(pk=withdrawal_id).first()
    if row is None:
        raise NotFoundError("Withdrawal not found.", code="withdrawal_not_found")
    return row


def withdrawal_list_for_operators(*, status: str | None = None) -> QuerySet[Transaction]:
    rows = Transaction.objects.filter(kind=TransactionKind.WITHDRAWAL).select_related("user")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-id")


def address_list_for_user(*, user) -> QuerySet[WalletAddress]:
    return WalletAddress.objects.filter(wallet__user=user).order_by("-created_at", "-id")


def address_get_for_user(*, user, address_id: int) -> WalletAddress:
    address = address_list_for_user(user=user).filter(pk=address_id).first()
    if address is None:
        raise NotFoundError("Address not found.", code="address_not_found")
    return address
