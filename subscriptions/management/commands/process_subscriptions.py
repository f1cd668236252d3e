from datetime import datetime

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.management.base import AuditedCommand
from subscriptions.services import subscriptions_process_due


class Command(AuditedCommand):
    help = (
        "Renew subscriptions whose period ended, move unpaid ones to past_due, expire them after the grace "
        "period, end those canceled at period end and send 'expiring soon' notices (once per period). "
        "Safe to run twice and concurrently. Run it from cron every few minutes, or let the dramatiq actor "
        "subscriptions.tasks.process_subscriptions_periodically do it (--schedule starts it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=10_000, help="At most this many subscriptions per run.")
        parser.add_argument("--now", default=None, help="Process as of this ISO 8601 instant (tests, catch-up).")
        parser.add_argument(
            "--schedule", action="store_true", help="Enqueue the self-rescheduling periodic actor instead of running."
        )

    def run(self, *args, **options):
        if options["schedule"]:
            from subscriptions.tasks import process_subscriptions_periodically

            process_subscriptions_periodically.send()
            self.stdout.write("Periodic subscription processing enqueued.")
            return
        now = self._parse_now(options["now"])
        report = subscriptions_process_due(now=now, limit=max(1, options["limit"]))
        self.stdout.write(report.summary())
        if report.errors:
            for line in report.errors:
                self.stderr.write(line)
            raise CommandError(f"{len(report.errors)} subscription(s) could not be processed.")

    @staticmethod
    def _parse_now(value: str | None) -> datetime | None:
        if not value:
            return None
        moment = parse_datetime(value)
        if moment is None:
            raise CommandError(f"--now: not an ISO 8601 date-time: {value!r}")
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, timezone.get_fixed_timezone(0))
        return moment
