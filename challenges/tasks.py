"""Queue actors of the challenges app: the staking badges, evaluated after the ledger
commits (``challenges.ledger_badges``)."""

from __future__ import annotations

import dramatiq

QUEUE = "badges"


@dramatiq.actor(actor_name="challenges_ledger_badges", queue_name=QUEUE, max_retries=5)
def ledger_badges(user_id: int) -> None:
    """Evaluate one member's staking badges (idempotent: a redelivery grants nothing more)."""
    from challenges.ledger_badges import ledger_badges_evaluate

    ledger_badges_evaluate(user_id=user_id)


@dramatiq.actor(actor_name="challenges_reconcile_ledger_badges", queue_name=QUEUE, max_retries=0)
def reconcile_ledger_badges() -> None:
    """The reconcile as an actor, for schedulers that enqueue messages (the same
    function as ``manage.py reconcile_ledger_badges``)."""
    from challenges.ledger_badges import ledger_badges_reconcile

    ledger_badges_reconcile()
