"""Export and retention of the audit log (used by ``audit_export`` and ``audit_prune``).

Dates are whole UTC days: ``--from 2026-01-01 --to 2026-01-31`` is every entry from
2026-01-01T00:00Z up to (not including) 2026-02-01T00:00Z.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import IO

from auditlog.models import LogEntry
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from core.exceptions import ApplicationError
from governance.api.serializers import AuditLogOutputSerializer


def parse_day(value: str, *, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ApplicationError(f"--{field} must be a date YYYY-MM-DD, got {value!r}.", field=field) from None


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def entries_between(*, start: date, end: date) -> Iterator[LogEntry]:
    """Entries from ``start`` to ``end`` inclusive (UTC days), oldest first, streamed."""
    if end < start:
        raise ApplicationError("--to is before --from.", field="to")
    qs = (
        LogEntry.objects.filter(timestamp__gte=day_start(start), timestamp__lt=day_start(end + timedelta(days=1)))
        .select_related("content_type")
        .order_by("timestamp", "id")
    )
    return qs.iterator(chunk_size=2000)


def export_jsonl(*, start: date, end: date, out: IO[str]) -> int:
    """Write one JSON object per line (the API's representation); returns the count."""
    count = 0
    for entry in entries_between(start=start, end=end):
        out.write(json.dumps(AuditLogOutputSerializer(entry).data, cls=DjangoJSONEncoder, sort_keys=True) + "\n")
        count += 1
    return count


@transaction.atomic
def prune_before(*, before: date, dry_run: bool = False) -> int:
    """Delete entries older than ``before`` (UTC midnight). Refuses a date in the future:
    retention must never reach entries that are still being written."""
    if before > timezone.now().date():
        raise ApplicationError("--before cannot be in the future.", field="before")
    qs = LogEntry.objects.filter(timestamp__lt=day_start(before))
    if dry_run:
        return qs.count()
    deleted, _ = qs.delete()
    return deleted
