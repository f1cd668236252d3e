"""``manage.py verify_ledger``: exit 1 listing each violation (a drifting wallet, an
entry that does not balance, a supply gap, an account below its floor), else 0 and one line.

A run over every wallet is recorded (``core.check_runs``: the console's dashboard shows
the last one); a run limited with ``--wallet`` is not, so it never stands in for a full one."""

from __future__ import annotations

import sys

from django.core.management.base import CommandError
from django.utils import timezone

from core.check_runs import check_run_record
from core.management.base import AuditedCommand
from core.middleware import get_request_id
from wallets.models import Wallet
from wallets.verification import DEFAULT_CHUNK_SIZE, verify_ledger


class Command(AuditedCommand):
    help = (
        "Recompute every wallet's balances from its ledger rows and journal lines, and prove the journal "
        "(entries balance, supply identity, floors); exit 1 naming each violation."
    )

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE)
        parser.add_argument("--wallet", type=int, action="append", dest="wallet_ids", help="Only these wallet ids.")
        parser.add_argument("--no-progress", action="store_true", help="Do not print progress to stderr.")

    def run(self, *args, **options):
        if options["chunk_size"] < 1:
            raise CommandError("--chunk-size must be at least 1.")
        if options["wallet_ids"]:
            # An unknown id would otherwise read as "0 wallet(s), no drift": a false all-clear.
            known = set(Wallet.objects.filter(pk__in=options["wallet_ids"]).values_list("pk", flat=True))
            unknown = sorted(set(options["wallet_ids"]) - known)
            if unknown:
                raise CommandError(f"Unknown wallet id(s): {', '.join(map(str, unknown))}.")
        show = not options["no_progress"]

        def progress(done: int, total: int) -> None:
            if show:
                pct = 100 if not total else done * 100 // total
                self.stderr.write(f"\rverify_ledger: {done}/{total} wallets ({pct}%)", ending="")
                self.stderr.flush()

        started_at = timezone.now()
        report = verify_ledger(chunk_size=options["chunk_size"], wallet_ids=options["wallet_ids"], progress=progress)
        if show:
            self.stderr.write("")
        problems = report.problems()
        if not options["wallet_ids"]:
            check_run_record(
                name="verify_ledger",
                ok=report.clean,
                summary=report.summary(),
                problems=problems,
                started_at=started_at,
                cid=get_request_id() or "",
            )
        if report.clean:
            self.stdout.write(report.summary())
            return
        for line in problems:
            self.stdout.write(line)
        self.stdout.write(report.summary())
        sys.exit(1)
