"""The operator console's reads: the withdrawal queue and its summary, a member's ledger
history before an approval, daily volumes for the dashboard chart."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db.models import Count, Min, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncDate

from core.amounts import ZERO, amount_sum_field
from wallets.models import JournalEntry, Transaction, TransactionKind, TransactionStatus

_OUT = amount_sum_field()


def withdrawal_queue() -> QuerySet[Transaction]:
    """Withdrawals awaiting an operator, oldest first: written pending and not settled
    (index ``idx_txn_status_kind``, then NOT EXISTS on ``uniq_journal_entry_txn_status``),
    with how many approvals each has (four-eyes: ``approval_count``)."""
    return _pending_withdrawals().annotate(approval_count=Count("approvals")).order_by("pk")


def _pending_withdrawals() -> QuerySet[Transaction]:
    return Transaction.objects.unsettled().filter(kind=TransactionKind.WITHDRAWAL)


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
    rejected = Q(state_reason__startswith=REJECTED_PREFIX)
    rows = (
        Transaction.objects.with_state()
        .filter(user_id__in=user_ids, kind__in=[TransactionKind.DEPOSIT, TransactionKind.WITHDRAWAL])
        .order_by()
        .values("user_id", "kind", "state")
        .annotate(
            n=Count("pk"),
            total=Coalesce(Sum("amount"), Value(ZERO), output_field=_OUT),
            rejected=Count("pk", filter=rejected),
        )
    )
    for row in rows:
        entry = history[row["user_id"]]
        kind, status = row["kind"], row["state"]
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
    """Completed tokens per UTC day (of the request) and kind since ``since``: ``(day, kind, total)`` rows."""
    return list(
        Transaction.objects.in_state(TransactionStatus.COMPLETED)
        .filter(kind__in=kinds, created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .order_by()
        .values_list("day", "kind")
        .annotate(total=Coalesce(Sum("amount"), Value(ZERO), output_field=_OUT))
    )


def journal_entries_since(*, since: datetime) -> int:
    """Journal entries written since ``since`` (a range of ``idx_journal_entry_created``):
    ``/metrics``' ledger entries per minute."""
    return JournalEntry.objects.filter(created_at__gte=since).count()
