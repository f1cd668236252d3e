"""The staked balance at a past instant, rebuilt from the append-only ledger (governance
weighs votes with it)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Case, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from core.amounts import ZERO, amount_sum_field
from wallets.ledger import EFFECTS
from wallets.models import Transaction, TransactionStatus

if TYPE_CHECKING:
    from accounts.models import User


# A live ``Wallet.staked`` says nothing about the past, so the stake at instant T is
# rebuilt from the append-only ledger with the staked column of ``wallets.ledger.EFFECTS``.
# A row counts when ``created_at <= T``, with the effect of the status it had *at T*: only
# pending rows ever change state, by a settling entry written at ``state_at``
# (``with_state()``); so a row whose ``state_at`` is after ``T`` was still pending at
# ``T``. Today this reduces to
#
#     staked(T) = sum(stake, completed, created <= T) - sum(unstake, pending or completed, created <= T)
#
# because a pending unstake already leaves ``staked`` when it is written and its later
# completion does not touch ``staked`` again; building the expression from ``EFFECTS`` keeps
# it right if the ledger grows new kinds. ``created_at`` is set by the row insert under the
# wallet lock, so rows of one wallet are ordered in time. Governance weighs votes with it.

_OUT = amount_sum_field()


def _staked_at_expression(at: datetime) -> Coalesce:
    """SUM of each row's staked effect as of ``at`` (rows must already be filtered to created <= at)."""
    settled = Q(state_at__isnull=True) | Q(state_at__lte=at)
    whens = []
    for (kind, status, direction), effect in EFFECTS.items():
        row = Q(kind=kind, direction=direction)
        if effect.staked:
            # The row has this status now and already had it at ``at``.
            whens.append(When(row & Q(state=status) & settled, then=F("amount") * Value(Decimal(effect.staked))))
        if status == TransactionStatus.PENDING:
            # The row was pending at ``at`` and moved on afterwards.
            pending_effect = effect.staked
            if pending_effect:
                whens.append(
                    When(
                        row & ~Q(state=status) & Q(state_at__gt=at),
                        then=F("amount") * Value(Decimal(pending_effect)),
                    )
                )
    return Coalesce(Sum(Case(*whens, default=Value(ZERO), output_field=_OUT)), Value(ZERO), output_field=_OUT)


def staked_balance_at(*, user: User, at: datetime) -> Decimal:
    """``user``'s staked balance at instant ``at``, from the ledger (one query)."""
    rows = Transaction.objects.with_state().filter(user_id=user.pk, created_at__lte=at)
    result = rows.aggregate(staked=_staked_at_expression(at))
    return result["staked"] or ZERO


def total_staked_at(*, at: datetime) -> Decimal:
    """All tokens staked across every wallet at instant ``at`` (one query)."""
    result = Transaction.objects.with_state().filter(created_at__lte=at).aggregate(staked=_staked_at_expression(at))
    return result["staked"] or ZERO
