"""Integrity checks of the challenges' data, run by ``manage.py check_integrity``."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from core.amounts import amount_sum_field
from core.integrity import describe_rows, register_check


@register_check(
    "challenges.reward_ledger_mismatch",
    "Rewards whose ledger row is not a completed reward credit of the same amount to the same wallet.",
)
def reward_ledger_mismatch() -> list[str]:
    from challenges.models import Reward

    bad = Reward.objects.filter(
        ~Q(transaction__kind="reward")
        | ~Q(transaction__status="completed")
        | ~Q(transaction__amount=F("amount"))
        | ~Q(transaction__wallet_id=F("wallet_id"))
    )
    return describe_rows(bad, "reward {id} (challenge {challenge_id}, rank {rank}) vs transaction {transaction_id}")


@register_check(
    "challenges.prize_paid_mismatch",
    "Challenges whose prize_paid differs from the sum of their rewards (or exceeds the pool).",
)
def prize_paid_mismatch() -> list[str]:
    from challenges.models import Challenge, Reward

    out = amount_sum_field()
    paid = (
        Reward.objects.filter(challenge_id=OuterRef("pk")).order_by().values("challenge_id").annotate(s=Sum("amount"))
    )
    bad = Challenge.objects.annotate(
        rewards_sum=Coalesce(Subquery(paid.values("s"), output_field=out), Value(Decimal(0)), output_field=out)
    ).filter(~Q(prize_paid=F("rewards_sum")) | Q(prize_paid__gt=F("prize_pool")))
    return describe_rows(bad, "challenge {id} ({slug}): prize_paid={prize_paid} pool={prize_pool}")
