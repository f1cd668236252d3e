"""Service holds, two-phase: reserve an estimate, then charge the actual cost or release.

A service an app sells for OGC (the AI assistant, metered by what it consumed) knows
its price only afterwards. ``hold_create`` reserves the estimate (available -> held, a
pending ``service_hold`` row). It then settles exactly once, by an entry linked to the
pending one (docs/wallets.md, "Two-phase: pending, post, void"):

* ``hold_settle(hold_id=, amount=)``: the hold is posted (``completed``): its entry
  returns the held estimate, and in the same transaction, under the same wallet lock,
  a ``service_charge`` row takes the actual cost (at most the estimate) from available
  to revenue. Net: available -cost, held 0, revenue +cost. A cost of zero writes no
  charge row. The charge row's idempotency key is ``hold:<id>:charge`` (unique per
  wallet), so a hold is charged at most once even by a buggy caller.
* ``hold_release(hold_id=, reason=)``: the hold is voided (``canceled``): the estimate
  returns to available; nothing is charged.

Settling a hold that is no longer pending is a 409 ``hold_not_pending`` that writes
nothing. The ledger stays ignorant of the service: a hold names its ``source`` (any
model instance) and a memo; the charge row names the same source.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from core.amounts import parse_amount
from core.db import retry_on_lock_conflict
from core.exceptions import ConflictError, NotFoundError
from wallets.lock_objects import wallet_for_update
from wallets.models import Transaction, Wallet
from wallets.services.posting import D, K, S, _post, _transition, _write, pending_row_for_update

if TYPE_CHECKING:
    from accounts.models import User


def charge_key(hold_id: int) -> str:
    """The idempotency key of the charge row of hold ``hold_id`` (unique per wallet)."""
    return f"hold:{hold_id}:charge"


@retry_on_lock_conflict()
@transaction.atomic
def hold_create(
    *, user: User, amount: Any, source: Any = None, memo: str = "", idempotency_key: str | None = None
) -> Transaction:
    """Reserve ``amount`` of ``user``'s available balance (a pending ``service_hold``).
    409 ``insufficient_funds`` and nothing written when the balance is short; a replay
    with the same ``idempotency_key`` returns the first hold."""
    return _post(
        user=user,
        kind=K.SERVICE_HOLD,
        status=S.PENDING,
        direction=D.DEBIT,
        amount=parse_amount(amount),
        actor=user,
        idempotency_key=idempotency_key,
        notify=False,
        source=source,
        memo=memo[:500],
    )


def _open_hold_for_update(hold_id: int) -> tuple[Wallet, Transaction]:
    wallet_id = Transaction.objects.filter(pk=hold_id, kind=K.SERVICE_HOLD).values_list("wallet_id", flat=True).first()
    if wallet_id is None:
        raise NotFoundError(_("Hold not found."), code="hold_not_found")
    wallet = wallet_for_update(wallet_id=wallet_id)
    row = pending_row_for_update(hold_id)  # re-read under the wallet lock, with its state
    if row is None or row.state != S.PENDING:  # type: ignore[attr-defined]
        raise ConflictError(_("This hold is already settled."), code="hold_not_pending")
    return wallet, row


@retry_on_lock_conflict()
@transaction.atomic
def hold_settle(
    *, hold_id: int, amount: Any, memo: str = "", actor: User | None = None
) -> tuple[Transaction, Transaction | None]:
    """Post the hold and charge ``amount`` (0 <= amount <= the hold) to revenue.
    Returns the hold (state ``completed``) and the charge row (None for a zero cost)."""
    cost = parse_amount(amount, allow_zero=True)
    wallet, row = _open_hold_for_update(hold_id)
    if cost > row.amount:
        raise ConflictError(
            _("The charge (%(cost)s) is more than the amount held (%(held)s).") % {"cost": cost, "held": row.amount},
            code="charge_exceeds_hold",
            field="amount",
        )
    _transition(wallet, row, S.COMPLETED, reason=memo or _("Settled."), actor=actor)
    charge = None
    if cost > Decimal(0):
        charge = _write(
            wallet,
            kind=K.SERVICE_CHARGE,
            status=S.COMPLETED,
            direction=D.DEBIT,
            amount=cost,
            actor=actor,
            idempotency_key=charge_key(row.pk),
            memo=(memo or row.memo)[:500],
            source_type_id=row.source_type_id,
            source_id=row.source_id,
        )
    return row, charge


@retry_on_lock_conflict()
@transaction.atomic
def hold_release(*, hold_id: int, reason: str, actor: User | None = None) -> Transaction:
    """Void the hold: the whole amount returns to available, nothing is charged."""
    wallet, row = _open_hold_for_update(hold_id)
    return _transition(wallet, row, S.CANCELED, reason=(reason or _("Released."))[:500], actor=actor)
