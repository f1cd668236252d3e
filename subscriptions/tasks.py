"""The periodic subscription job as a dramatiq actor.

``process_subscriptions_periodically`` runs ``subscriptions_process_due`` and
enqueues itself again ``OGC_SUBSCRIPTION_PROCESS_EVERY_MINUTES`` later, so one
message started once (``manage.py process_subscriptions --schedule``) keeps the
job going on whichever worker picks it up. Several chains (the command run twice,
a redelivered message) collapse into one: each time slot is claimed in the shared
cache (``cache.add``), and a message that finds its slot taken neither runs nor
reschedules. The job itself is safe to run concurrently, so the claim only saves
work. Plain cron calling ``manage.py process_subscriptions`` is the alternative.
"""

from __future__ import annotations

import logging
import time

import dramatiq
from django.conf import settings
from django.core.cache import cache

from core.audit import command_context

logger = logging.getLogger(__name__)

__all__ = ["process_subscriptions_periodically"]

QUEUE = "subscriptions"
SLOT_KEY = "subscriptions:process:slot:{slot}"


def _interval_seconds() -> int:
    return max(0, int(getattr(settings, "OGC_SUBSCRIPTION_PROCESS_EVERY_MINUTES", 15))) * 60


def run_once() -> str:
    from subscriptions.services import subscriptions_process_due

    with command_context("process_subscriptions_actor"):
        report = subscriptions_process_due()
    logger.info("process_subscriptions (actor): %s", report.summary())
    return report.summary()


@dramatiq.actor(actor_name="subscriptions_process_due", queue_name=QUEUE, max_retries=0)
def process_subscriptions_periodically() -> None:
    interval = _interval_seconds()
    if interval:
        slot = int(time.time() // interval)
        if not cache.add(SLOT_KEY.format(slot=slot), 1, timeout=interval * 2):
            logger.info("process_subscriptions: slot %s already taken by another chain; this one stops.", slot)
            return
    try:
        run_once()
    finally:
        if interval:
            process_subscriptions_periodically.send_with_options(delay=interval * 1000)
