"""The expiry job: move scheduled challenges past their deadline to ``closed``.

Run it every few minutes (cron or dramatiq-crontab). Submissions are refused
after the deadline whether or not it ran: openness is derived from the clock."""

from __future__ import annotations

from challenges.services import challenges_close_due
from core.management.base import AuditedCommand


class Command(AuditedCommand):
    help = "Close every scheduled challenge whose end time has passed."

    def run(self, *args, **options):
        closed = challenges_close_due()
        self.stdout.write(f"{closed} challenge(s) closed.")
