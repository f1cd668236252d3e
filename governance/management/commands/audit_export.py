import sys

from django.core.management.base import CommandError

from core.management.base import AuditedCommand
from governance.audit_io import export_jsonl, parse_day


class Command(AuditedCommand):
    help = "Write the audit log entries of a date range (UTC days, inclusive) as JSON lines."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="First day, YYYY-MM-DD.")
        parser.add_argument("--to", dest="end", required=True, help="Last day (inclusive), YYYY-MM-DD.")
        parser.add_argument("--output", "-o", default="-", help="File to write (default: standard output).")

    def run(self, *args, **options):
        start = parse_day(options["start"], field="from")
        end = parse_day(options["end"], field="to")
        if options["output"] == "-":
            count = export_jsonl(start=start, end=end, out=self.stdout)
        else:
            try:
                with open(options["output"], "w", encoding="utf-8") as out:
                    count = export_jsonl(start=start, end=end, out=out)
            except OSError as exc:  # a missing directory, no permission, a full disk: one line, exit 1
                raise CommandError(f"--output: cannot write {options['output']}: {exc.strerror}.") from exc
        sys.stderr.write(f"Exported {count} audit entries ({start} to {end}).\n")
