from datetime import timedelta

from django.conf import settings
from django.core.management.base import CommandError

from core.management.base import AuditedCommand
from notifications.services import deliveries_requeue


class Command(AuditedCommand):
    help = (
        "Outbox relay: end expired email claims (the in-flight email of a dead worker is marked "
        "failed with an unknown outcome, never resent; the rest is queued again), then re-enqueue "
        "notification deliveries still queued a grace period after they were handed to the broker "
        "(the rows are the source of truth, the broker only transport). Run it from cron every few minutes."
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
        outcome = deliveries_requeue(older_than=older_than, limit=options["limit"])
        if outcome.unknown or outcome.released:
            self.stdout.write(
                f"Expired email claims: {outcome.unknown} email(s) with an unknown outcome marked failed "
                f"(not resent), {outcome.released} never attempted and queued again."
            )
        self.stdout.write(f"Re-enqueued {outcome.enqueued} notification deliveries.")
