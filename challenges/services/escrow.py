"""A challenge's prize escrow (``escrow:challenge:<id>`` in the ledger): funded from the
treasury when the challenge is published, kept at what the pool still owes when the
pool changes, paid out as rewards, and returned to the treasury when the challenge is
archived. Every function runs inside the caller's transaction, under the challenge's
row lock (which serialises all of a challenge's money movements); the ledger writes
the entries (``wallets.services.escrow``)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction

from challenges.lock_objects import challenge_for_update
from challenges.models import Challenge
from challenges.services.rules import CS
from core.amounts import EXACT, ZERO
from core.exceptions import ApplicationError, ConflictError

if TYPE_CHECKING:
    from accounts.models import User

#: The statuses in which a challenge's escrow holds its prizes (from publication until archived).
FUNDED_STATUSES = (CS.SCHEDULED, CS.CLOSED, CS.JUDGED)


def escrow_sync(challenge: Challenge, *, actor: User | None, give_back: bool = False) -> Decimal:
    """Top the escrow up from the treasury to what the pool still owes (``prize_pool -
    prize_paid``); entry fees already in the escrow count toward it. With ``give_back``
    (the pool was lowered) return what the escrow holds beyond that. Returns the signed
    amount moved (+ funded, - returned). Refused with 409 ``treasury_refused`` (on
    ``prize_pool``) when the treasury policy forbids the funding."""
    from wallets.services import escrow_balance, escrow_fund, escrow_lock, escrow_release

    reference = challenge.escrow_reference
    escrow_lock(reference=reference)  # opens it: fees can go in even with an empty pool
    owed = EXACT.subtract(challenge.prize_pool, challenge.prize_paid)
    held = escrow_balance(reference=reference)
    memo = f"Prize pool of {challenge.title}"
    if held < owed:
        try:
            escrow_fund(reference=reference, amount=EXACT.subtract(owed, held), actor=actor, memo=memo)
        except ApplicationError as exc:
            if exc.code != "treasury_refused":
                raise
            raise ConflictError(exc.message, code=exc.code, field="prize_pool") from exc
        return EXACT.subtract(owed, held)
    if give_back and held > owed:
        returned = escrow_release(reference=reference, amount=EXACT.subtract(held, owed), actor=actor, memo=memo)
        return -returned
    return ZERO


def escrow_settle(challenge: Challenge, *, actor: User | None) -> Decimal:
    """Return what is left in the escrow to the treasury and close it for good (the
    challenge is archived: no reward can be paid any more). Once: a second call finds
    the escrow closed and moves nothing. Returns what moved."""
    from wallets.services import escrow_release

    return escrow_release(
        reference=challenge.escrow_reference, actor=actor, memo=f"Leftover of {challenge.title}", close=True
    )


def escrows_fund_unfunded() -> int:
    """Fund the escrow of every published, not archived challenge that has none yet
    (challenges written in bulk, around the services: the demo). Each is locked and
    re-checked; returns how many were funded. Rewards already paid stay as they were
    written (minted); the escrow gets what the pool still owes."""
    from wallets.services import escrow_balance

    count = 0
    for pk in Challenge.objects.filter(status__in=FUNDED_STATUSES).order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            challenge = challenge_for_update(challenge_id=pk)
            if challenge.status in FUNDED_STATUSES and not escrow_balance(reference=challenge.escrow_reference):
                count += bool(escrow_sync(challenge, actor=None))
    return count
