"""Catch up the AI segment: analyse submissions whose vector is missing or stale (a
lost queue message, a provider outage, a provider change) and, with a semantic
provider, embed challenges and proposals for search. Safe to run at any time and from
cron (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from ai.providers import REGISTRY, ProviderError, get_provider
from ai.services import embeddings_reconcile
from core.management.base import AuditedCommand


class Command(AuditedCommand):
    help = "Analyse submissions and embed search content that were missed (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--provider", choices=sorted(REGISTRY), help="Override OGC_AI_PROVIDER for this run.")
        parser.add_argument("--limit", type=int, help="At most this many submissions in this run.")

    def run(self, *args: Any, **options: Any) -> None:
        limit = options.get("limit")
        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1.")
        try:
            done = embeddings_reconcile(provider=get_provider(options.get("provider")), limit=limit)
        except ProviderError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Analysed {done['submissions']} submissions; embedded {done['challenges']} challenges and "
            f"{done['proposals']} proposals; {done['failed']} failed (retried on the next run)."
        )
        if done["failed"]:
            raise CommandError(f"{done['failed']} submissions could not be analysed.")
