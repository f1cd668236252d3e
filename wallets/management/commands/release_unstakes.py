"""``manage.py release_unstakes``: the unstake cool-down expiry job (run it every few minutes)."""

from __future__ import annotations

from django.core.management.base import CommandError

from core.management.base import AuditedCommand
from wallets.services import unstake_release_due


class Command(AuditedCommand):
    help = "Complete every cooling-down unstake whose available_at has passed (safe to run concurrently)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=10_000, help="At most this many rows per run.")

    def run(self, *args, **options):
        if options["limit"] < 1:
            raise CommandError("--limit must be at least 1.")
        released = unstake_release_due(limit=options["limit"])
        self.stdout.write(f"Released {released} unstake(s).")
