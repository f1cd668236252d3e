"""How each ledger row moves money, in one table.

``EFFECTS[(kind, status, direction)] = Effect(available, staked, held, other)``:
the multipliers of the row's amount on the wallet's three balances, and the system
account (``other``) that takes the opposite of the member's net change, so that
every movement is a balanced journal entry (``entry_lines``). A wallet's balances
equal the sum over its rows of ``amount * effect``; ``verify_ledger`` recomputes
them with one grouped query built from this table, and from the journal's lines,
so services, the journal and the proof cannot disagree.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import NamedTuple

from django.db.models import Case, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from core.amounts import EXACT, amount_sum_field
from wallets.models import AccountKind, Direction, TransactionKind, TransactionStatus

K, S, D = TransactionKind, TransactionStatus, Direction

ISSUANCE, EXTERNAL, REVENUE = "issuance", "external", "revenue"
#: Not a system account: the other side is another member's ``available`` (a member
#: transfer). Its line goes on the counterpart's wallet (``services/transfers.py``).
COUNTERPART = "counterpart"
ESCROW_PREFIX = "escrow:"

#: The system accounts every ledger has: code -> (kind, may go negative, name).
SYSTEM_ACCOUNTS: dict[str, tuple[str, bool, str]] = {
    ISSUANCE: (AccountKind.ISSUANCE, True, "Issuance (treasury): minus the supply minted"),
    EXTERNAL: (AccountKind.EXTERNAL, True, "External clearing: minus the net tokens that came in from the chain"),
    REVENUE: (AccountKind.REVENUE, False, "Revenue: subscription payments and fees"),
}


def escrow_code(reference: str) -> str:
    """The code of the prize escrow of ``reference`` (opaque to the ledger, e.g. ``challenge:12``)."""
    return f"{ESCROW_PREFIX}{reference}"


class Effect(NamedTuple):
    available: int
    staked: int
    held: int
    #: The system account that takes the opposite of the member's net change (None
    #: when the move stays inside the wallet: the member's lines balance each other).
    other: str | None = None


EFFECTS: dict[tuple[str, str, str], Effect] = {
    (K.DEPOSIT, S.COMPLETED, D.CREDIT): Effect(1, 0, 0, EXTERNAL),
    # Minted by default; a challenge's reward names its escrow instead (``other``).
    (K.REWARD, S.COMPLETED, D.CREDIT): Effect(1, 0, 0, ISSUANCE),
    (K.ADJUSTMENT, S.COMPLETED, D.CREDIT): Effect(1, 0, 0, ISSUANCE),
    (K.ADJUSTMENT, S.COMPLETED, D.DEBIT): Effect(-1, 0, 0, ISSUANCE),
    (K.PAYMENT, S.COMPLETED, D.DEBIT): Effect(-1, 0, 0, REVENUE),
    (K.STAKE, S.COMPLETED, D.INTERNAL): Effect(-1, 1, 0),
    # An unstake in its cool-down leaves staking at once and waits in `held`.
    (K.UNSTAKE, S.PENDING, D.INTERNAL): Effect(0, -1, 1),
    (K.UNSTAKE, S.COMPLETED, D.INTERNAL): Effect(1, -1, 0),
    # A withdrawal request reserves the amount; approval sends it out; a
    # rejection or cancellation gives it back (the row's net effect is zero).
    (K.WITHDRAWAL, S.PENDING, D.DEBIT): Effect(-1, 0, 1),
    (K.WITHDRAWAL, S.COMPLETED, D.DEBIT): Effect(-1, 0, 0, EXTERNAL),
    (K.WITHDRAWAL, S.CANCELED, D.DEBIT): Effect(0, 0, 0),
    (K.WITHDRAWAL, S.FAILED, D.DEBIT): Effect(0, 0, 0),
    # A member transfer: two rows, ONE entry (on the sender's row) whose lines are
    # sender.available -x and recipient.available +x; the receiver's row has no entry.
    (K.TRANSFER_OUT, S.COMPLETED, D.DEBIT): Effect(-1, 0, 0, COUNTERPART),
    (K.TRANSFER_IN, S.COMPLETED, D.CREDIT): Effect(1, 0, 0, COUNTERPART),
    # A service hold (services/holds.py) reserves the estimate; it settles by a linked
    # entry that returns it whole (completed: used, its cost charged by a service_charge
    # row written in the same transaction; canceled: released, nothing charged).
    (K.SERVICE_HOLD, S.PENDING, D.DEBIT): Effect(-1, 0, 1),
    (K.SERVICE_HOLD, S.COMPLETED, D.DEBIT): Effect(0, 0, 0),
    (K.SERVICE_HOLD, S.CANCELED, D.DEBIT): Effect(0, 0, 0),
    (K.SERVICE_CHARGE, S.COMPLETED, D.DEBIT): Effect(-1, 0, 0, REVENUE),
}

# Double entry, checked at import: a move that changes the member's total names the
# account on the other side; one that does not, names none.
for _key, _effect in EFFECTS.items():
    if (sum(_effect[:3]) != 0) != (_effect.other is not None):
        raise ImportError(f"EFFECTS{_key}: the other account must be named exactly when the wallet total moves")

BALANCES = ("available", "staked", "held")
_OUT = amount_sum_field()


def _effect(kind: str, status: str, direction: str) -> Effect:
    try:
        return EFFECTS[(kind, status, direction)]
    except KeyError as exc:
        raise ValueError(f"No ledger effect for {kind}/{status}/{direction}") from exc


def effect_of(kind: str, status: str, direction: str) -> tuple[int, int, int]:
    """The multipliers of (available, staked, held)."""
    effect = _effect(kind, status, direction)
    return (effect.available, effect.staked, effect.held)


class Line(NamedTuple):
    """One line of an entry: ``account`` (a system account's code) or ``bucket`` (of
    the row's wallet), and the signed amount."""

    account: str | None
    bucket: str | None
    amount: Decimal


def entry_lines(
    *,
    kind: str,
    status: str,
    direction: str,
    amount: Decimal,
    previous_status: str | None = None,
    other: str | None = None,
) -> list[Line]:
    """The lines of the entry that gives a row of ``kind`` its ``status``: the row's
    effect, less the effect of ``previous_status`` when a pending row settles (an
    approved withdrawal: held -1, external +1). They sum to zero. ``other`` replaces
    the effect's system account (a reward paid out of a challenge's escrow, an entry
    fee paid into it)."""
    new = _effect(kind, status, direction)
    old = _effect(kind, previous_status, direction) if previous_status else Effect(0, 0, 0)
    lines: list[Line] = []
    with localcontext(EXACT):
        for bucket, now, before in zip(BALANCES, new[:3], old[:3], strict=True):
            if now != before:
                lines.append(Line(None, bucket, (now - before) * amount))
        net = sum(new[:3]) - sum(old[:3])
        if net:
            lines.append(Line(other or new.other or old.other, None, -net * amount))
    return lines


def _sum_expression(index: int) -> Coalesce:
    whens = []
    for (kind, status, direction), effect in EFFECTS.items():
        sign = effect[index]
        if sign:
            whens.append(When(Q(kind=kind, state=status, direction=direction), then=F("amount") * Value(Decimal(sign))))
    return Coalesce(
        Sum(Case(*whens, default=Value(Decimal(0)), output_field=_OUT)), Value(Decimal(0)), output_field=_OUT
    )


def ledger_sums(transactions: QuerySet) -> QuerySet:
    """Per wallet: the balances its rows add up to (``available``, ``staked``, ``held``),
    each row counted with the effect of its CURRENT state (``with_state()``: a settled
    pending row's is its settling entry's)."""
    return (
        transactions.with_state()  # type: ignore[attr-defined]
        .order_by()
        .values("wallet_id")
        .annotate(**{f"ledger_{name}": _sum_expression(i) for i, name in enumerate(BALANCES)})
    )
