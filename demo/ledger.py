"""One wallet's demo history, replayed in time order through ``wallets.ledger.EFFECTS``.

The generator never writes a balance it did not derive: every ledger row's
``*_after`` columns and the wallet's final balances are the running sums of the
rows' effects, computed by the same table the services apply and
``verify_ledger`` checks. A pending row (withdrawal, unstake) is written with its
pending effect and later moved to its final status exactly like
``wallets.services.posting._transition`` does (undo the pending effect, apply the final
one; the row's ``*_after`` columns keep describing the moment it was written).

Fixed amounts (entry fees, subscription payments) are known when the
challenges and subscriptions are planned; they are reserved from the first
deposit, so the discretionary operations planned around them (stakes,
withdrawals) only ever spend the surplus: no debit can fail.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from itertools import count
from typing import Any

from core.amounts import ZERO
from wallets.models import Direction, Transaction, TransactionKind, TransactionStatus
from wallets.selectors import ledger_effect

K, S, D = TransactionKind, TransactionStatus, Direction
CENT = Decimal("0.01")
MIN_AMOUNT = Decimal("1")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_DOWN)


class LedgerSim:
    """The rows of one wallet, in time order, with their balances-after."""

    _sequence = count()  # tie-breaker: events at one instant run in planning order

    def __init__(self, *, wallet, user, now: datetime) -> None:
        self.wallet = wallet
        self.user = user
        self.now = now
        self.available = self.staked = self.held = ZERO
        self.reserve = ZERO  # planned fixed debits not yet applied
        self.rows: list[Transaction] = []
        self.staked_history: list[tuple[datetime, Decimal]] = []  # (created_at, staked after) of stake rows
        self._events: list[tuple[datetime, int, Callable[[], None]]] = []

    # --- planning ------------------------------------------------------------------

    def _at(self, at: datetime, action: Callable[[], None]) -> None:
        heapq.heappush(self._events, (at, next(self._sequence), action))

    def _row(self, at: datetime, *, kind: str, status: str, direction: str, amount: Decimal, **fields: Any):
        return Transaction(
            wallet=self.wallet,
            user=self.user,
            kind=kind,
            status=status,
            direction=direction,
            amount=amount,
            created_at=at,
            completed_at=at if status == S.COMPLETED else None,
            **fields,
        )

    def fixed(self, at: datetime, *, kind: str, direction: str, amount: Decimal, **fields: Any) -> Transaction:
        """A completed row of a known amount (deposit, reward, payment, adjustment),
        returned now so other rows (a Reward, a period) can point at it."""
        row = self._row(at, kind=kind, status=S.COMPLETED, direction=direction, amount=amount, **fields)
        if ledger_effect(kind=kind, status=S.COMPLETED, direction=direction)[0] < 0:
            self.reserve += amount
        self._at(at, lambda: self._apply_fixed(row))
        return row

    def spend(
        self,
        at: datetime,
        *,
        kind: str,
        share: Decimal,
        settle: Callable[[Transaction], tuple[datetime, str, dict[str, Any]] | None] | None = None,
        **fields: Any,
    ) -> None:
        """A discretionary operation for ``share`` of what the wallet can spare at
        ``at``: a stake, a withdrawal request or a debit adjustment from the
        available surplus, an unstake from the staked balance. ``settle(row)``
        returns when and how a pending row ends (``(when, status, fields)``) or None
        to leave it pending."""
        self._at(at, lambda: self._apply_spend(at, kind, share, settle, fields))

    # --- replay ----------------------------------------------------------------------

    def run(self) -> list[Transaction]:
        while self._events:
            _, _, action = heapq.heappop(self._events)
            action()
        return self.rows

    def _move(self, row: Transaction, status: str, sign: int) -> None:
        d_available, d_staked, d_held = ledger_effect(kind=row.kind, status=status, direction=row.direction)
        self.available += sign * d_available * row.amount
        self.staked += sign * d_staked * row.amount
        self.held += sign * d_held * row.amount
        if min(self.available, self.staked, self.held) < 0:
            raise RuntimeError(f"demo ledger of wallet {self.wallet} went negative at {row.kind} {row.amount}")

    def _record(self, row: Transaction) -> None:
        self._move(row, row.status, 1)
        row.available_after, row.staked_after, row.held_after = self.available, self.staked, self.held
        self.rows.append(row)
        if row.kind == K.STAKE or row.kind == K.UNSTAKE:
            self.staked_history.append((row.created_at, self.staked))

    def _apply_fixed(self, row: Transaction) -> None:
        if ledger_effect(kind=row.kind, status=row.status, direction=row.direction)[0] < 0:
            self.reserve -= row.amount
        self._record(row)

    def _apply_spend(self, at, kind, share, settle, fields) -> None:
        spare = self.staked if kind == K.UNSTAKE else self.available - self.reserve
        amount = cents(spare * share)
        if amount < MIN_AMOUNT:
            return  # nothing to spare at that moment: the user did not do it
        direction = fields.pop("direction", D.DEBIT if kind in (K.WITHDRAWAL, K.ADJUSTMENT) else D.INTERNAL)
        pending = kind in (K.WITHDRAWAL, K.UNSTAKE)
        row = self._row(
            at, kind=kind, status=S.PENDING if pending else S.COMPLETED, direction=direction, amount=amount, **fields
        )
        self._record(row)
        outcome = settle(row) if (pending and settle is not None) else None
        if outcome is not None and outcome[0] <= self.now:
            when, status, extra = outcome
            self._at(when, lambda: self._transition(row, when, status, extra))

    def _transition(self, row: Transaction, when: datetime, status: str, extra: dict[str, Any]) -> None:
        self._move(row, row.status, -1)
        row.status = status
        self._move(row, status, 1)
        row.completed_at = when
        for name, value in extra.items():
            setattr(row, name, value)

    # --- reading the result ----------------------------------------------------------

    def staked_at(self, moment: datetime) -> Decimal:
        """Staked balance at ``moment`` (what governance's ledger selector computes)."""
        staked = ZERO
        for created_at, value in self.staked_history:
            if created_at > moment:
                break
            staked = value
        return staked

    @property
    def last_change(self) -> datetime | None:
        stamps = [r.created_at for r in self.rows] + [r.completed_at for r in self.rows if r.completed_at]
        return max(stamps) if stamps else None
