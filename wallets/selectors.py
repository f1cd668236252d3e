"""Read layer of the wallets app. Every user-facing query is scoped to the user,
so another user's ids are simply not found (404, never 403)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Case, Count, F, Min, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate

from core.amounts import ZERO, amount_sum_field
from core.exceptions import NotFoundError
from wallets.ledger import EFFECTS, effect_of
from wallets.models import (
    Transaction,
    TransactionKind,
    TransactionStatus,
    Wallet,
    WalletAddress,
)

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
        raise NotFoundError("Wallet not found.", code="wallet_not_found")
    return wallet


def transaction_list_for_user(*, user: User) -> QuerySet[Transaction]:
    """The user's ledger rows, newest first (index ``idx_txn_user_created``)."""
    return Transaction.objects.filter(user=user).order_by("-created_at", "-id")


def transaction_get_for_user(*, user: User, transaction_id: int) -> Transaction:
    row = transaction_list_for_user(user=user).filter(pk=transaction_id).first()
    if row is None:
        raise NotFoundError("Transaction not found.", code="transaction_not_found")
    return row


def withdrawal_list_for_user(*, user: User) -> QuerySet[Transaction]:
    return transaction_list_for_user(user=user).filter(kind=TransactionKind.WITHDRAWAL)


def withdrawal_get_for_user(*, user: User, withdrawal_id: int) -> Transaction:
    row = withdrawal_list_for_user(user=user).filter(pk=withdrawal_id).first()
    if row is None:
        raise NotFoundError("Withdrawal not found.", code="withdrawal_not_found")
    return row


def withdrawal_list_for_operators(*, status: str | None = None) -> QuerySet[Transaction]:
    rows = Transaction.objects.filter(kind=TransactionKind.WITHDRAWAL).select_related("user")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-id")


def address_list_for_user(*, user: User) -> QuerySet[WalletAddress]:
    return WalletAddress.objects.filter(wallet__user=user).order_by("-created_at", "-id")


def address_get_for_user(*, user: User, address_id: int) -> WalletAddress:
    address = address_list_for_user(user=user).filter(pk=address_id).first()
    if address is None:
        raise NotFoundError("Address not found.", code="address_not_found")
    return address


# --- stake at a past instant ---------------------------------------------------------------
#
# A live ``Wallet.staked`` says nothing about the past, so the stake at instant T is
# rebuilt from the append-only ledger with the staked column of ``wallets.ledger.EFFECTS``.
# A row counts when ``created_at <= T``, with the effect of the status it had *at T*: only
# pending rows ever change status, and the change stamps ``completed_at``; so a row whose
# ``completed_at`` is after ``T`` was still pending at ``T``. Today this reduces to
#
#     staked(T) = sum(stake, completed, created <= T) - sum(unstake, pending or completed, created <= T)
#
# because a pending unstake already leaves ``staked`` when it is written and its later
# completion does not touch ``staked`` again; building the expression from ``EFFECTS`` keeps
# it right if the ledger grows new kinds. ``created_at`` is set by the row insert under the
# wallet lock, so rows of one wallet are ordered in time. Governance weighs votes with it.

_OUT = amount_sum_field()
_STAKED = 1  # index of the staked balance in an EFFECTS triple


def _staked_at_expression(at: datetime) -> Coalesce:
    """SUM of each row's staked effect as of ``at`` (rows must already be filtered to created <= at)."""
    settled = Q(completed_at__isnull=True) | Q(completed_at__lte=at)
    whens = []
    for (kind, status, direction), effect in EFFECTS.items():
        row = Q(kind=kind, direction=direction)
        if effect[_STAKED]:
            # The row has this status now and already had it at ``at``.
            whens.append(When(row & Q(status=status) & settled, then=F("amount") * Value(Decimal(effect[_STAKED]))))
        if status == TransactionStatus.PENDING:
            # The row was pending at ``at`` and moved on afterwards.
            pending_effect = effect[_STAKED]
            if pending_effect:
                whens.append(
                    When(
                        row & ~Q(status=status) & Q(completed_at__gt=at),
                        then=F("amount") * Value(Decimal(pending_effect)),
                    )
                )
    return Coalesce(Sum(Case(*whens, default=Value(ZERO), output_field=_OUT)), Value(ZERO), output_field=_OUT)


def staked_balance_at(*, user: User, at: datetime) -> Decimal:
    """``user``'s staked balance at instant ``at``, from the ledger (one query)."""
    result = Transaction.objects.filter(user_id=user.pk, created_at__lte=at).aggregate(staked=_staked_at_expression(at))
    return result["staked"] or ZERO


def total_staked_at(*, at: datetime) -> Decimal:
    """All tokens staked across every wallet at instant ``at`` (one query)."""
    result = Transaction.objects.filter(created_at__lte=at).aggregate(staked=_staked_at_expression(at))
    return result["staked"] or ZERO


# --- operator console ----------------------------------------------------------------------


def withdrawal_queue() -> QuerySet[Transaction]:
    """Withdrawals awaiting an operator, oldest first (index ``idx_txn_status_kind``)."""
    return Transaction.objects.filter(kind=TransactionKind.WITHDRAWAL, status=TransactionStatus.PENDING).order_by("pk")


def withdrawals_pending_summary() -> dict:
    """How many withdrawals wait, the tokens they hold and when the oldest was asked (one query)."""
    return (
        withdrawal_queue()
        .order_by()
        .aggregate(
            count=Count("pk"), total=Coalesce(Sum("amount"), Value(ZERO), output_field=_OUT), oldest=Min("created_at")
        )
    )


REJECTED_PREFIX = "Rejected: "


def members_ledger_history(*, user_ids: list[int]) -> dict[int, dict]:
    """What an operator weighs before approving a withdrawal, per member (one grouped
    query on ``idx_txn_user_created``): completed deposits (count, tokens), withdrawals
    completed, rejected by an operator, canceled by the owner and pending."""
    history: dict[int, dict] = {
        pk: {
            "deposits": 0,
            "deposited": ZERO,
            "withdrawn": 0,
            "withdrawn_total": ZERO,
            "rejected": 0,
            "canceled": 0,
            "pending": 0,
        }
        for pk in user_ids
    }
    if not user_ids:
        return history
    rejected = Q(status_reason__startswith=REJECTED_PREFIX)
    rows = (
        Transaction.objects.filter(user_id__in=user_ids, kind__in=[TransactionKind.DEPOSIT, TransactionKind.WITHDRAWAL])
        .order_by()
        .values("user_id", "kind", "status")
        .annotate(
            n=Count("pk"),
            total=Coalesce(Sum("amount"), Value(ZERO), output_field=_OUT),
            rejected=Count("pk", filter=rejected),
        )
    )
    for row in rows:
        entry = history[row["user_id"]]
        kind, status = row["kind"], row["status"]
        if kind == TransactionKind.DEPOSIT and status == TransactionStatus.COMPLETED:
            entry["deposits"] += row["n"]
            entry["deposited"] += row["total"]
        elif kind == TransactionKind.WITHDRAWAL:
            if status == TransactionStatus.COMPLETED:
                entry["withdrawn"] += row["n"]
                entry["withdrawn_total"] += row["total"]
            elif status == TransactionStatus.PENDING:
                entry["pending"] += row["n"]
            elif status in (TransactionStatus.CANCELED, TransactionStatus.FAILED):
                entry["rejected"] += row["rejected"]
                entry["canceled"] += row["n"] - row["rejected"]
    return history


def ledger_daily_volumes(*, since: datetime, kinds: list[str]) -> list[tuple]:
    """Completed tokens per UTC day and kind since ``since``: ``(day, kind, total)`` rows."""
    return list(
        Transaction.objects.filter(status=TransactionStatus.COMPLETED, kind__in=kinds, created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .order_by()
        .values_list("day", "kind")
        .annotate(total=Coalesce(Sum("amount"), Value(ZERO), output_field=_OUT))
    )
