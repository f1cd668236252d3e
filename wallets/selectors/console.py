"""The operator console's reads: the withdrawal queue and its summary, a member's ledger
history before an approval, daily volumes for the dashboard chart."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db.models import Count, Min, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncDate

from core.amounts import ZERO, amount_sum_field
from wallets.models import Transaction, TransactionKind, TransactionStatus

_OUT = amount_sum_field()


def withdrawal_queue() -> QuerySet[Transaction]:
    """Withdrawals awaiting an operator, oldest first (index ``idx_txn_status_kind``),
    with how many approvals each has (four-eyes: ``approval_count``)."""
    return _pending_withdrawals().annotate(approval_count=Count("approvals")).order_by("pk")


def _pending_withdrawals() -> QuerySet[Transaction]:
    return Transaction.objects.filter(kind=TransactionKind.WITHDRAWAL, status=TransactionStatus.PENDING)


def withdrawals_pending_summary() -> dict:
    """How many withdrawals wait, the tokens they hold and when the oldest was asked (one query)."""
    return (
        _pending_withdrawals()
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
