"""The staking badges, evaluated after the ledger commits (issue #16, item 8).

The ledger calls ``on_ledger_row`` (a ledger listener, ``wallets.listeners``) inside
its transaction. For a completed stake it only asks, on commit, for the member's
staking badges to be evaluated by a worker (``challenges.tasks.ledger_badges``): no
query inside the ledger's transaction and no badge or notification on its hot path.

That request is not the only road to a badge. A crash between the commit and the
enqueue, or a broker that refuses the message, would lose it; so the reconcile
(``manage.py reconcile_ledger_badges``, run from cron) reads the completed stake rows
written since its watermark (``LedgerBadgeMark``) and evaluates their members. The
watermark only moves past rows older than ``RECONCILE_LAG`` (a row with a lower id can
commit after one with a higher id), so no committed row is skipped. Both roads call
``ledger_badges_evaluate``, which derives the badges from the ledger rows themselves
and grants each at most once (the unique ``(user, badge)`` row), so running it twice,
or for a member who already holds everything, grants nothing more.
"""

from __future__ import annotations

import functools
import logging
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from challenges.badges import _badges_not_held, _grant, staker_threshold
from challenges.models import BadgeRule, LedgerBadgeMark, UserBadge
from core.amounts import format_amount
from wallets.models import Transaction, TransactionKind, TransactionStatus

logger = logging.getLogger(__name__)

MARK = "staking"
#: Rows younger than this may still have lower-id twins in flight: re-read next time.
RECONCILE_LAG = timedelta(minutes=5)


def _stakes(user_id: int):
    return Transaction.objects.filter(user_id=user_id, kind=TransactionKind.STAKE, status=TransactionStatus.COMPLETED)


def on_ledger_row(row: Any) -> None:
    """Ledger listener: after a completed stake commits, ask a worker to evaluate the
    member's staking badges. Costs no statement inside the ledger's transaction."""
    if row.kind != TransactionKind.STAKE or row.status != TransactionStatus.COMPLETED:
        return
    transaction.on_commit(functools.partial(ledger_badges_enqueue, user_id=row.user_id))


def ledger_badges_enqueue(*, user_id: int) -> bool:
    """Hand the evaluation to the broker. Never raises: a refused message is repaired
    by the reconcile. Returns False when the broker refused."""
    from challenges.tasks import ledger_badges

    try:
        ledger_badges.send(user_id)
    except Exception:
        logger.warning("Could not enqueue the staking badges of user %s; reconcile_ledger_badges will.", user_id)
        return False
    return True


@transaction.atomic
def ledger_badges_evaluate(*, user_id: int) -> list[UserBadge]:
    """Grant ``user_id`` the staking badges their ledger rows earned and they never held:
    "first stake" for a completed stake, "staker" for a stake after which at least
    ``OGC_BADGE_STAKER_MIN`` was staked. Each badge names the first row that earned it.
    One query when nothing is owed."""
    threshold = staker_threshold()
    user = get_user_model()(pk=user_id)  # the query below needs only the pk
    badges = _badges_not_held(user=user, rules=[BadgeRule.FIRST_STAKE, BadgeRule.STAKER])
    if not badges:
        return []
    earned: dict[str, Transaction] = {}
    for badge in badges:
        rows = _stakes(user_id)
        if badge.rule == BadgeRule.STAKER:
            rows = rows.filter(staked_after__gte=threshold)
        first = rows.order_by("pk").first()
        if first is not None:
            earned[badge.rule] = first
    if not earned:
        return []
    user = get_user_model().objects.get(pk=user_id)
    reasons = {
        BadgeRule.FIRST_STAKE: "First stake",
        BadgeRule.STAKER: f"Staked at least {format_amount(threshold)}",
    }
    granted: list[UserBadge] = []
    for badge in badges:
        if badge.rule in earned:
            granted += _grant(
                user=user, badges=[badge], source=earned[badge.rule], reason_for=lambda b: reasons[b.rule]
            )
    return granted


def ledger_badges_reconcile(*, limit: int = 10_000, now=None) -> tuple[int, int]:
    """Evaluate the members of the completed stakes written since the watermark (at
    most ``limit`` rows a run); move the watermark past the rows older than
    ``RECONCILE_LAG``. Returns (members evaluated, badges granted)."""
    now = now or timezone.now()
    mark, _created = LedgerBadgeMark.objects.get_or_create(name=MARK)
    rows = list(
        Transaction.objects.filter(
            pk__gt=mark.last_transaction_id, kind=TransactionKind.STAKE, status=TransactionStatus.COMPLETED
        )
        .order_by("pk")
        .values_list("pk", "user_id", "created_at")[:limit]
    )
    granted = 0
    members = sorted({user_id for _pk, user_id, _at in rows})
    for user_id in members:
        granted += len(ledger_badges_evaluate(user_id=user_id))
    # The mark moves over the leading rows older than the lag: a young row keeps itself
    # and every row after it for the next run (evaluating a member twice grants nothing).
    new_mark = mark.last_transaction_id
    for pk, _user, created_at in rows:
        if created_at > now - RECONCILE_LAG:
            break
        new_mark = pk
    if new_mark > mark.last_transaction_id:
        LedgerBadgeMark.objects.filter(name=MARK, last_transaction_id__lt=new_mark).update(
            last_transaction_id=new_mark, updated_at=timezone.now()
        )
    return len(members), granted
