"""Queue actors of the AI segment (messages carry ids, never content)."""

from __future__ import annotations

import dramatiq

QUEUE = "ai"


@dramatiq.actor(actor_name="ai_analyse_submission", queue_name=QUEUE, max_retries=3, min_backoff=5_000)
def analyse_submission(submission_id: int) -> None:
    """Embed a committed submission and record its similarity flags (idempotent)."""
    from ai.services import submission_analyse

    submission_analyse(submission_id=submission_id)


@dramatiq.actor(actor_name="ai_reconcile", queue_name=QUEUE, max_retries=0)
def reconcile() -> None:
    """``manage.py ai_reconcile`` as an actor, for schedulers that enqueue messages."""
    from ai.services import embeddings_reconcile

    embeddings_reconcile()


@dramatiq.actor(actor_name="ai_run_request", queue_name=QUEUE, max_retries=0, time_limit=300_000)
def run_request(request_id: int) -> None:
    """Run a paid assistant request (idempotent: only a queued request runs). No
    dramatiq retries: a failure ends the request ``failed`` with its hold released,
    and ``ai_requests_reconcile`` re-queues what a dead worker left."""
    from ai.services import request_run

    request_run(request_id=request_id)


@dramatiq.actor(actor_name="ai_requests_reconcile", queue_name=QUEUE, max_retries=0)
def requests_reconcile() -> None:
    """``manage.py ai_requests_reconcile`` as an actor, for schedulers that enqueue messages."""
    from ai.services import requests_reconcile as reconcile_requests

    reconcile_requests()
