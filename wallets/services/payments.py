"""The wallet itself and the money the apps built on the ledger move: rewards
(challenges), payments (entry fees, subscription periods), and locking several wallets
in primary-key order before a payout."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from core.amounts import parse_amount
from core.db import retry_on_lock_conflict
from core.exceptions import ConflictError
from wallets.ledger import escrow_code
from wallets.lock_objects import wallets_for_update
from wallets.models import Transaction, Wallet
from wallets.services.escrow import escrow_balance, escrow_lock
from wallets.services.posting import D, K, S, _post

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def wallet_create(*, user: User) -> Wallet:
    """Create ``user``'s wallet (zero balances, fresh deposit address)."""
    return Wallet.objects.create(user=user, token_symbol=settings.OGC_TOKEN_SYMBOL)


@retry_on_lock_conflict()
@transaction.atomic
def reward_credit(
    *,
    user: User,
    amount: Any,
    source: Any = None,
    memo: str = "",
    idempotency_key: str | None = None,
    actor: User | None = None,
    escrow: str | None = None,
) -> Transaction:
    """Credit a reward. ``idempotency_key`` (e.g. ``reward:<challenge>:<submission>``)
    makes a second call return the first row instead of paying twice. Minted by the
    treasury (issuance), or paid out of the escrow of ``escrow`` (a reference such as
    ``challenge:12``): locked first, and refused with 409 ``escrow_insufficient`` (nothing
    written) when it holds less than ``amount``."""
    amount = parse_amount(amount)
    if escrow is not None:
        escrow_lock(reference=escrow)
        replayed = idempotency_key and Transaction.objects.filter(wallet__user=user, idempotency_key=idempotency_key)
        if escrow_balance(reference=escrow) < amount and not (replayed and replayed.exists()):
            raise ConflictError(
                _("The prize escrow does not hold enough for this reward."), code="escrow_insufficient", field="amount"
            )
    return _post(
        user=user,
        kind=K.REWARD,
        status=S.COMPLETED,
        direction=D.CREDIT,
        amount=amount,
        actor=actor,
        idempotency_key=idempotency_key,
        notify=False,
        source=source,
        memo=memo[:500],
        other=escrow_code(escrow) if escrow is not None else None,
    )


def wallets_lock(*, wallet_ids: Iterable[int]) -> dict[int, Wallet]:
    """Lock several wallets in primary-key order inside the caller's transaction, before
    crediting or debiting them one by one (a prize payout): two such operations can then
    never deadlock on each other. Returns ``{wallet id: locked wallet}``."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("wallets_lock must run inside the caller's transaction")
    return wallets_for_update(wallet_ids=wallet_ids)


@retry_on_lock_conflict()
@transaction.atomic
def payment_debit(
    *,
    user: User,
    amount: Any,
    source: Any = None,
    memo: str = "",
    idempotency_key: str | None = None,
    actor: User | None = None,
    escrow: str | None = None,
) -> Transaction:
    """Debit a payment (entry fee, subscription period) from available; refuses with
    ``insufficient_funds`` and writes nothing when the balance is short. Goes to revenue,
    or into the escrow of ``escrow`` (an entry fee that adds to a challenge's prizes)."""
    amount = parse_amount(amount)
    if escrow is not None:
        escrow_lock(reference=escrow)
    return _post(
        user=user,
        kind=K.PAYMENT,
        status=S.COMPLETED,
        direction=D.DEBIT,
        amount=amount,
        actor=actor if actor is not None else user,
        idempotency_key=idempotency_key,
        notify=False,
        source=source,
        memo=memo[:500],
        other=escrow_code(escrow) if escrow is not None else None,
    )
