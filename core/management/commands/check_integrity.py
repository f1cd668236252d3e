"""``manage.py check_integrity``: find orphaned or impossible rows across apps.

Runs every check registered in ``core.integrity`` (each app registers its own in
``<app>/integrity.py``). Exit 0 with a one-line summary when all pass; otherwise
list each failing check's problems and exit 1. A run of every check is recorded
(``core.check_runs``: the console's dashboard shows the last one); a run of named
checks only is not, so it never stands in for a full one.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone

from core.check_runs import check_run_record
from core.integrity import registered_checks, run_check
from core.management.base import AuditedCommand
from core.middleware import get_request_id


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
        started_at = timezone.now()
        failed = []
        lines: list[str] = []
        for check in checks:
            result = run_check(check)
            if result.ok:
                continue
            failed.append(check.name)
            lines.append(f"FAIL {check.name}: {check.description}")
            if result.error:
                lines.append(f"  the check itself failed: {result.error}")
            lines.extend(f"  {problem}" for problem in result.problems)
        for line in lines:
            self.stderr.write(line)
        summary = (
            f"{len(failed)} of {len(checks)} integrity check(s) failed: {', '.join(failed)}."
            if failed
            else f"All {len(checks)} integrity checks passed."
        )
        if not wanted:
            check_run_record(
                name="check_integrity",
                ok=not failed,
                summary=summary,
                problems=lines,
                started_at=started_at,
                cid=get_request_id() or "",
            )
        if failed:
            raise CommandError(summary)
        self.stdout.write(summary)
