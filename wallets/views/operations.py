"""The money operations, stake, unstake, withdraw and send (to another member): each one's form, the balance
its amount comes from, how the ledger will move it, and the balances after it (shown on
the confirmation page); the unstake cool-down."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import ngettext

from core.amounts import EXACT
from wallets import selectors
from wallets.forms import MoneyForm, TransferForm, WithdrawForm
from wallets.models import Direction, TransactionKind, TransactionStatus, Wallet


@dataclass(frozen=True)
class Operation:
    """Stake, unstake or withdraw: its form, where its amount comes from and how the
    ledger will move it (``selectors.ledger_effect``)."""

    name: str  # the form prefix and URL segment
    source: str  # the balance the amount is taken from: "available" or "staked"
    kind: str
    direction: str

    def form(self, data: Any = None, *, user: Any, initial: dict[str, Any] | None = None) -> MoneyForm:
        kwargs: dict[str, Any] = {"prefix": self.name}
        if initial:
            kwargs["initial"] = initial
        if self.name == "withdraw":
            return WithdrawForm(data, user=user, **kwargs)
        if self.name == "send":
            return TransferForm(data, **kwargs)
        return MoneyForm(data, **kwargs)

    def status(self) -> str:
        """The status the service will write: a withdrawal waits for an operator, an
        unstake for its cool-down (if any), a stake is done at once."""
        if self.kind in (TransactionKind.STAKE, TransactionKind.TRANSFER_OUT):
            return TransactionStatus.COMPLETED
        if self.kind == TransactionKind.UNSTAKE and not _cooldown_hours():
            return TransactionStatus.COMPLETED
        return TransactionStatus.PENDING


OPERATIONS = {
    "stake": Operation("stake", "available", TransactionKind.STAKE, Direction.INTERNAL),
    "unstake": Operation("unstake", "staked", TransactionKind.UNSTAKE, Direction.INTERNAL),
    "withdraw": Operation("withdraw", "available", TransactionKind.WITHDRAWAL, Direction.DEBIT),
    "send": Operation("send", "available", TransactionKind.TRANSFER_OUT, Direction.DEBIT),
}


def _cooldown_hours() -> int:
    return int(getattr(settings, "OGC_UNSTAKE_COOLDOWN_HOURS", 0) or 0)


def _cooldown_text(hours: int) -> str:
    if hours % 24 == 0:
        days = hours // 24
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}


def _balances_after(wallet: Wallet, op: Operation, amount: Decimal) -> dict[str, Decimal]:
    effect = selectors.ledger_effect(kind=op.kind, status=op.status(), direction=op.direction)
    now = (wallet.available, wallet.staked, wallet.held)
    after = [
        EXACT.add(balance, EXACT.multiply(Decimal(sign), amount)) for balance, sign in zip(now, effect, strict=True)
    ]
    return dict(zip(("available", "staked", "held"), after, strict=True))
