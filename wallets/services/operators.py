"""Money moved by operators and trusted systems: deposits (on-chain credits) and
adjustments (correcting entries with a reason). Each writes its named audit entry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from core.amounts import parse_amount
from core.audit import AuditAction
from core.db import retry_on_lock_conflict
from core.exceptions import ApplicationError, ConflictError
from wallets import events
from wallets.lock_objects import wallet_for_update
from wallets.models import Transaction
from wallets.services.posting import D, K, S, _audit_money, _replayed, _rerun_on_unique_race, _write

if TYPE_CHECKING:
    from accounts.models import User


@retry_on_lock_conflict()
@_rerun_on_unique_race
@transaction.atomic
def deposit_create(
    *,
    user: User,
    amount: Any,
    actor: User | None = None,
    external_reference: str | None = None,
    memo: str = "",
    idempotency_key: str | None = None,
) -> Transaction:
    """Credit ``user``'s wallet. An ``external_reference`` (the chain tx hash) makes
    the deposit idempotent: the same reference is credited once."""
    amount = parse_amount(amount)
    external_reference = (external_reference or "").strip() or None
    wallet = wallet_for_update(user_id=user.pk)
    if external_reference:
        existing = Transaction.objects.filter(kind=K.DEPOSIT, external_reference=external_reference).first()
        if existing is not None:
            if existing.wallet_id != wallet.pk or existing.amount != amount:
                raise ConflictError(
                    _("This external reference was already credited with other details."),
                    code="duplicate_external_reference",
                    field="external_reference",
                )
            return existing
    if (row := _replayed(wallet, idempotency_key, K.DEPOSIT, amount)) is not None:
        return row
    row = _write(
        wallet,
        kind=K.DEPOSIT,
        status=S.COMPLETED,
        direction=D.CREDIT,
        amount=amount,
        user=user,
        actor=actor,
        idempotency_key=idempotency_key,
        external_reference=external_reference,
        memo=memo,
    )
    events.transaction_event(row)
    _audit_money(AuditAction.DEPOSIT_CREATE, row, actor)
    return row


@retry_on_lock_conflict()
@transaction.atomic
def adjustment_create(
    *,
    user: User,
    amount: Any,
    direction: str,
    reason: str,
    actor: User,
    idempotency_key: str | None = None,
) -> Transaction:
    """An operator's correcting entry on ``available`` (credit or debit); a reason is required."""
    amount = parse_amount(amount)
    if direction not in (D.CREDIT, D.DEBIT):
        raise ApplicationError(_("Direction must be credit or debit."), code="invalid_direction", field="direction")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("A reason is required for an adjustment."), code="reason_required", field="reason")
    wallet = wallet_for_update(user_id=user.pk)
    if (row := _replayed(wallet, idempotency_key, K.ADJUSTMENT, amount, direction)) is not None:
        return row
    row = _write(
        wallet,
        kind=K.ADJUSTMENT,
        status=S.COMPLETED,
        direction=direction,
        amount=amount,
        user=user,
        actor=actor,
        idempotency_key=idempotency_key,
        memo=reason[:500],
    )
    events.transaction_event(row)
    _audit_money(AuditAction.ADJUSTMENT_CREATE, row, actor)
    return row
