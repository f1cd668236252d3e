from pathlib import Path

from core.backup import backup_restore
from core.management.base import AuditedCommand


class Command(AuditedCommand):
    help = (
        "Load a dump made by `manage.py backup` into a new (or empty) database on the same server, "
        "then check it: run verify_ledger and check_integrity with DATABASE_URL naming the copy. "
        "See docs/operations.md, 'Restore drill'."
    )

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, help="The dump file (.sql or .sql.gz).")
        parser.add_argument("--database", required=True, help="The database to create and load (must be empty).")

    def run(self, *args, **options):
        backup_restore(source=Path(options["input"]), database=options["database"])
        self.stdout.write(f"Restored {options['input']} into {options['database']}.")
