from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from core.management.base import AuditedCommand
from core.models import IdempotencyRecord


class Command(AuditedCommand):
    help = "Delete Idempotency-Key records older than OGC_IDEMPOTENCY_TTL_HOURS (at least 24 h)."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=None, help="Override the TTL (min 24).")

    def run(self, *args, **options):
        hours = max(24, options["hours"] or settings.OGC_IDEMPOTENCY_TTL_HOURS)
        cutoff = timezone.now() - timedelta(hours=hours)
        deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
        self.stdout.write(f"Deleted {deleted} idempotency record(s) older than {hours} h.")
