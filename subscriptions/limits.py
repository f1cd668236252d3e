"""The member's plan's withdrawal limits, for the ledger's limit check
(``wallets.services.limits``: registered in ``SubscriptionsConfig.ready()``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from subscriptions.selectors import plan_withdrawal_limits
from wallets.services import WithdrawalLimits

if TYPE_CHECKING:
    from accounts.models import User


def plan_withdrawal_limits_provider(user: User) -> WithdrawalLimits | None:
    per_withdrawal, per_day = plan_withdrawal_limits(user=user)
    if per_withdrawal is None and per_day is None:
        return None
    return WithdrawalLimits(per_withdrawal=per_withdrawal, per_day=per_day)
