from datetime import timedelta

from django.conf import settings
from django.core.management.base import CommandError

from core.management.base import AuditedCommand
from notifications.services import deliveries_requeue


class Command(AuditedCommand):
    help = (
        "Outbox relay: re-enqueue notification deliveries still queued a grace period after they "
        "were handed to the broker (the rows are the source of truth, the broker only transport). "
        "Run it from cron every few minutes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--minutes",
            type=int,
            default=None,
            help=f"Grace period (default OGC_NOTIFICATION_REQUEUE_GRACE_MINUTES={settings.OGC_NOTIFICATION_REQUEUE_GRACE_MINUTES}).",
        )
        parser.add_argument("--limit", type=int, default=10_000, help="At most this many deliveries per run.")

    def run(self, *args, **options):
        if options["limit"] < 1:
            raise CommandError("--limit must be at least 1.")
        minutes = options["minutes"]
        older_than = None if minutes is None else timedelta(minutes=max(0, minutes))
        count = deliveries_requeue(older_than=older_than, limit=options["limit"])
        self.stdout.write(f"Re-enqueued {count} notification deliveries.")
