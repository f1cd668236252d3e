"""Results of the data check commands, kept for the console (``core.models.CheckRun``).

``verify_ledger`` and ``check_integrity`` call ``check_run_record`` once per run,
whatever the outcome (clean, problems found, or the check itself failing); the
dashboard reads the newest run of each with ``check_runs_latest``. Rows are small
(the problem list is cut at ``DETAILS_LIMIT`` characters); old ones are kept as the
history of checks and can be deleted by a superuser in the admin.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from core.models import CheckRun

#: The commands whose runs are recorded, in dashboard order.
CHECK_COMMANDS = ("verify_ledger", "check_integrity")
DETAILS_LIMIT = 20_000


def check_run_record(
    *, name: str, ok: bool, summary: str, started_at: datetime, problems: Iterable[str] = (), cid: str = ""
) -> CheckRun:
    """Store one run of ``name`` (autocommit: the commands only read, so there is no
    transaction of theirs to join)."""
    details = "\n".join(problems)
    if len(details) > DETAILS_LIMIT:
        details = details[: DETAILS_LIMIT - 40].rsplit("\n", 1)[0] + "\n... (cut; run the command for all)"
    return CheckRun.objects.create(
        name=name,
        ok=ok,
        summary=summary[:500],
        details=details,
        started_at=started_at,
        finished_at=timezone.now(),
        cid=cid[:255],
    )


def check_runs_latest(*, names: Iterable[str] = CHECK_COMMANDS) -> dict[str, CheckRun | None]:
    """The newest run of each command (None if it never ran), one query per name on
    ``idx_check_runs_latest``."""
    return {name: CheckRun.objects.filter(name=name).order_by("-finished_at", "-pk").first() for name in names}
