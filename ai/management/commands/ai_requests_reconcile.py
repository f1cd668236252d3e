"""Retry or release the paid assistant's requests that a dead worker or a lost queue
message left open (idempotent; schedule it every few minutes from cron)."""

from __future__ import annotations

from typing import Any

from ai.services import requests_reconcile
from core.management.base import AuditedCommand


class Command(AuditedCommand):
    help = "Re-queue or fail (releasing their holds) assistant requests left open by a dead worker."

    def run(self, *args: Any, **options: Any) -> None:
        done = requests_reconcile()
        self.stdout.write(f"Queued again {done['retried']} requests; failed {done['failed']} (holds released).")
