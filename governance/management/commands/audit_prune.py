from core.management.base import AuditedCommand
from governance.audit_io import parse_day, prune_before


class Command(AuditedCommand):
    help = (
        "Retention: delete audit log entries older than an explicit date (UTC midnight). "
        "Export the range first (audit_export). There is no default date on purpose."
    )

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="Delete entries before this day, YYYY-MM-DD (required).")
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be deleted.")

    def run(self, *args, **options):
        before = parse_day(options["before"], field="before")
        count = prune_before(before=before, dry_run=options["dry_run"])
        verb = "Would delete" if options["dry_run"] else "Deleted"
        self.stdout.write(f"{verb} {count} audit entries before {before}.")
