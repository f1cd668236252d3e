from core.management.base import AuditedCommand
from governance.services import proposals_close_due


class Command(AuditedCommand):
    help = (
        "Close every active proposal whose voting window has ended: store the tally, quorum "
        "and outcome and notify voters. Idempotent; run it from cron every minute or few."
    )

    def run(self, *args, **options):
        closed = proposals_close_due()
        self.stdout.write(f"Closed {len(closed)} proposal(s){': ' + ', '.join(map(str, closed)) if closed else ''}.")
