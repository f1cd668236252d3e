"""How each ledger row moves the three balances, in one table.

``EFFECTS[(kind, status, direction)] = (available, staked, held)`` multipliers of
the row's amount. A wallet's balances equal the sum over its rows of
``amount * effect``; ``verify_ledger`` recomputes them with one grouped query
built from this table, so services and the proof cannot disagree.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Case, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from core.amounts import amount_sum_field
from wallets.models import Direction, TransactionKind, TransactionStatus

K, S, D = TransactionKind, TransactionStatus, Direction

EFFECTS: dict[tuple[str, str, str], tuple[int, int, int]] = {
    (K.DEPOSIT, S.COMPLETED, D.CREDIT): (1, 0, 0),
    (K.REWARD, S.COMPLETED, D.CREDIT): (1, 0, 0),
    (K.ADJUSTMENT, S.COMPLETED, D.CREDIT): (1, 0, 0),
    (K.ADJUSTMENT, S.COMPLETED, D.DEBIT): (-1, 0, 0),
    (K.PAYMENT, S.COMPLETED, D.DEBIT): (-1, 0, 0),
    (K.STAKE, S.COMPLETED, D.INTERNAL): (-1, 1, 0),
    # An unstake in its cool-down leaves staking at once and waits in `held`.
    (K.UNSTAKE, S.PENDING, D.INTERNAL): (0, -1, 1),
    (K.UNSTAKE, S.COMPLETED, D.INTERNAL): (1, -1, 0),
    # A withdrawal request reserves the amount; approval sends it out; a
    # rejection or cancellation gives it back (the row's net effect is zero).
    (K.WITHDRAWAL, S.PENDING, D.DEBIT): (-1, 0, 1),
    (K.WITHDRAWAL, S.COMPLETED, D.DEBIT): (-1, 0, 0),
    (K.WITHDRAWAL, S.CANCELED, D.DEBIT): (0, 0, 0),
    (K.WITHDRAWAL, S.FAILED, D.DEBIT): (0, 0, 0),
}

BALANCES = ("available", "staked", "held")
_OUT = amount_sum_field()


def effect_of(kind: str, status: str, direction: str) -> tuple[int, int, int]:
    try:
        return EFFECTS[(kind, status, direction)]
    except KeyError as exc:
        raise ValueError(f"No ledger effect for {kind}/{status}/{direction}") from exc


def _sum_expression(index: int) -> Coalesce:
    whens = []
    for (kind, status, direction), effect in EFFECTS.items():
        sign = effect[index]
        if sign:
            whens.append(
                When(Q(kind=kind, status=status, direction=direction), then=F("amount") * Value(Decimal(sign)))
            )
    return Coalesce(
        Sum(Case(*whens, default=Value(Decimal(0)), output_field=_OUT)), Value(Decimal(0)), output_field=_OUT
    )


def ledger_sums(transactions: QuerySet) -> QuerySet:
    """Per wallet: the balances its rows add up to (``available``, ``staked``, ``held``)."""
    return (
        transactions.order_by()
        .values("wallet_id")
        .annotate(**{f"ledger_{name}": _sum_expression(i) for i, name in enumerate(BALANCES)})
    )
