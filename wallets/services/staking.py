"""Staking: stake moves available to staked; unstake starts the cool-down (a pending
row) and ``unstake_release_due`` completes the rows whose cool-down ended."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.amounts import parse_amount
from core.db import retry_on_lock_conflict
from wallets import events
from wallets.lock_objects import wallet_for_update
from wallets.models import Transaction
from wallets.services.posting import D, K, S, _post, _transition, pending_row_for_update

if TYPE_CHECKING:
    from accounts.models import User


@retry_on_lock_conflict()
@transaction.atomic
def stake_create(*, user: User, amount: Any, idempotency_key: str | None = None) -> Transaction:
    """Move ``amount`` from available to staked."""
    amount = parse_amount(amount)
    return _post(
        user=user,
        kind=K.STAKE,
        status=S.COMPLETED,
        direction=D.INTERNAL,
        amount=amount,
        actor=user,
        idempotency_key=idempotency_key,
    )


@retry_on_lock_conflict()
@transaction.atomic
def unstake_create(*, user: User, amount: Any, idempotency_key: str | None = None) -> Transaction:
    """Move ``amount`` out of staking. With ``OGC_UNSTAKE_COOLDOWN_HOURS`` > 0 it waits
    in ``held`` (a pending row) until ``unstake_release_due`` completes it."""
    amount = parse_amount(amount)
    cooldown = int(getattr(settings, "OGC_UNSTAKE_COOLDOWN_HOURS", 0) or 0)
    return _post(
        user=user,
        kind=K.UNSTAKE,
        status=S.PENDING if cooldown else S.COMPLETED,
        direction=D.INTERNAL,
        amount=amount,
        actor=user,
        idempotency_key=idempotency_key,
        available_at=timezone.now() + timedelta(hours=cooldown) if cooldown else None,
    )


@retry_on_lock_conflict()
@transaction.atomic
def _unstake_release(*, row_id: int, now) -> bool:
    row = Transaction.objects.filter(pk=row_id).only("wallet_id").first()
    if row is None:
        return False
    wallet = wallet_for_update(wallet_id=row.wallet_id)
    row = pending_row_for_update(row_id)
    if row is None or row.state != S.PENDING or row.kind != K.UNSTAKE or row.available_at > now:  # type: ignore[attr-defined]
        return False
    _transition(wallet, row, S.COMPLETED)
    events.transaction_event(row)
    return True


def unstake_release_due(*, now=None, limit: int = 10_000) -> int:
    """Complete every cooling-down unstake whose time has come; safe to run
    concurrently (each row is re-checked under its wallet's lock)."""
    now = now or timezone.now()
    due = list(
        Transaction.objects.unsettled()
        .filter(kind=K.UNSTAKE, available_at__lte=now)
        .order_by("available_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in due if _unstake_release(row_id=pk, now=now))
