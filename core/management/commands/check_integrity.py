"""``manage.py check_integrity``: find orphaned or impossible rows across apps.

Runs every check registered in ``core.integrity`` (each app registers its own in
``<app>/integrity.py``). Exit 0 with a one-line summary when all pass; otherwise
list each failing check's problems and exit 1.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from core.integrity import registered_checks, run_check
from core.management.base import AuditedCommand


class Command(AuditedCommand):
    help = "Find orphaned or impossible rows (checks registered by each app). Exit 1 when any check fails."

    def add_arguments(self, parser) -> None:
        parser.add_argument("checks", nargs="*", help="Run only these checks (names as --list prints them).")
        parser.add_argument("--list", action="store_true", help="List the registered checks and exit.")

    def run(self, *args: Any, **options: Any) -> None:
        checks = registered_checks()
        if options["list"]:
            for check in checks:
                self.stdout.write(f"{check.name}: {check.description}")
            return
        wanted = options["checks"]
        if wanted:
            unknown = sorted(set(wanted) - {c.name for c in checks})
            if unknown:
                raise CommandError(f"Unknown integrity check(s): {', '.join(unknown)} (see --list).")
            checks = [c for c in checks if c.name in wanted]
        failed = []
        for check in checks:
            result = run_check(check)
            if result.ok:
                continue
            failed.append(check.name)
            self.stderr.write(f"FAIL {check.name}: {check.description}")
            if result.error:
                self.stderr.write(f"  the check itself failed: {result.error}")
            for problem in result.problems:
                self.stderr.write(f"  {problem}")
        if failed:
            raise CommandError(f"{len(failed)} of {len(checks)} integrity check(s) failed: {', '.join(failed)}.")
        self.stdout.write(f"All {len(checks)} integrity checks passed.")
