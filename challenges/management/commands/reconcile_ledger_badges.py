"""The staking badges' safety net: evaluate the members of the stakes written since the
last run, so a badge whose after-commit message was lost (a crash, a broker outage)
still arrives. Run it every few minutes (cron), like ``requeue_notifications``."""

from __future__ import annotations

from challenges.ledger_badges import ledger_badges_reconcile
from core.management.base import AuditedCommand


class Command(AuditedCommand):
    help = "Grant the staking badges owed for the stakes written since the last run."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=10_000, help="Ledger rows read per run.")

    def run(self, *args, **options):
        members, granted = ledger_badges_reconcile(limit=options["limit"])
        self.stdout.write(f"{members} member(s) evaluated, {granted} badge(s) granted.")
