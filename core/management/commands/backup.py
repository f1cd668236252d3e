from pathlib import Path

from django.utils import timezone

from core.backup import backup_create
from core.management.base import AuditedCommand


class Command(AuditedCommand):
    help = (
        "Dump the database with mariadb-dump --single-transaction (routines, triggers, events) into a file; "
        ".gz compresses. Restore with `manage.py restore`. See docs/operations.md, 'Backups'."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default=None,
            help="The dump file (default: ogc-<database>-<UTC time>.sql.gz in the current directory).",
        )
        parser.add_argument(
            "--binlog-position",
            action="store_true",
            help="Record the binary log position and GTID in the dump (point-in-time recovery).",
        )

    def run(self, *args, **options):
        output = options["output"]
        if output is None:
            from core.backup import database_settings

            name = database_settings()["NAME"]
            output = f"ogc-{name}-{timezone.now():%Y%m%dT%H%M%SZ}.sql.gz"
        result = backup_create(output=Path(output), binlog_position=options["binlog_position"])
        self.stdout.write(f"Backed up {result.database} to {result.path} ({result.size:,} bytes).")
