"""Withdrawal limits (issue #17, four-eyes): the most one withdrawal may be
(``OGC_WITHDRAWAL_MAX``) and the most a member may withdraw in any 24 hours
(``OGC_WITHDRAWAL_DAILY_MAX``: pending and completed withdrawals of the last 24 hours
count; canceled and rejected ones do not). Empty settings mean no limit.

A plan may set its own limits: the ledger knows no plans, so the apps above it
register a provider (``register_withdrawal_limits``, from their ``AppConfig.ready()``,
the shape of ``wallets.listeners``) that returns a member's overrides;
subscriptions registers the member's current plan's ``withdrawal_max`` /
``withdrawal_daily_max``. A refusal is a 422 on ``amount`` before anything is held.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.amounts import ZERO, format_amount
from core.exceptions import ApplicationError
from wallets.models import Transaction, TransactionKind, TransactionStatus, Wallet

if TYPE_CHECKING:
    from accounts.models import User

WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class WithdrawalLimits:
    """``None``: no limit (or, from a provider, "keep the platform's")."""

    per_withdrawal: Decimal | None
    per_day: Decimal | None


LimitsProvider = Callable[["User"], WithdrawalLimits | None]
_providers: list[LimitsProvider] = []


def register_withdrawal_limits(provider: LimitsProvider) -> LimitsProvider:
    """Register ``provider(user) -> WithdrawalLimits | None`` (a member's overrides)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def withdrawal_limits_for(*, user: User) -> WithdrawalLimits:
    """The limits that apply to ``user``: the settings, overridden field by field by the
    registered providers (the last one that sets a value wins)."""
    per_withdrawal, per_day = settings.OGC_WITHDRAWAL_MAX, settings.OGC_WITHDRAWAL_DAILY_MAX
    for provider in _providers:
        override = provider(user)
        if override is None:
            continue
        per_withdrawal = override.per_withdrawal if override.per_withdrawal is not None else per_withdrawal
        per_day = override.per_day if override.per_day is not None else per_day
    return WithdrawalLimits(per_withdrawal=per_withdrawal, per_day=per_day)


def withdrawn_last_24_hours(*, wallet: Wallet) -> Decimal:
    """Pending and completed withdrawals of ``wallet`` in the last 24 hours (index
    ``idx_txn_wallet_created``)."""
    # The current state (a row is never updated: a rejected request stays "pending" in its
    # column; ``in_state`` reads the settling entry).
    total = (
        Transaction.objects.in_state(TransactionStatus.PENDING, TransactionStatus.COMPLETED)
        .filter(wallet=wallet, kind=TransactionKind.WITHDRAWAL, created_at__gte=timezone.now() - WINDOW)
        .aggregate(total=Sum("amount"))["total"]
    )
    return total or ZERO


def withdrawal_limits_check(*, wallet: Wallet, user: User, amount: Decimal) -> None:
    """Refuse ``amount`` over a limit (422, field ``amount``). Call with the wallet row
    locked, so two concurrent requests cannot both fit under the daily limit."""
    limits = withdrawal_limits_for(user=user)
    symbol = wallet.token_symbol
    if limits.per_withdrawal is not None and amount > limits.per_withdrawal:
        raise ApplicationError(
            _("One withdrawal can be at most %(max)s.")
            % {"max": format_amount(limits.per_withdrawal, grouping=True, symbol=symbol)},
            code="withdrawal_above_max",
            field="amount",
        )
    if limits.per_day is not None:
        used = withdrawn_last_24_hours(wallet=wallet)
        if used + amount > limits.per_day:
            left = max(limits.per_day - used, ZERO)
            raise ApplicationError(
                _("You can withdraw at most %(max)s in 24 hours: %(left)s is left for now.")
                % {
                    "max": format_amount(limits.per_day, grouping=True, symbol=symbol),
                    "left": format_amount(left, grouping=True, symbol=symbol),
                },
                code="withdrawal_daily_limit",
                field="amount",
            )
