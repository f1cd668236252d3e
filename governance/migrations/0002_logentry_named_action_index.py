"""An index for the console's "named action" filter of the audit log.

``core.audit.audit_record`` writes every named entry with ``changes_text = "action:
<name>"``; the audit log's action filter matches that column. Without an index a rare
action (a CSV export) was a scan of the whole log (0.6 s at 250,000 entries). The table
is django-auditlog's (``auditlog_logentry``); governance owns the audit log in this
project, so the index lives here. A prefix index (``changes_text`` is LONGTEXT); MariaDB
only (SQLite test runs do not need it)."""

from django.db import migrations

from core.db import run_on_mysql

FORWARD = "CREATE INDEX idx_logentry_named_action ON auditlog_logentry (changes_text(64))"
BACKWARD = "DROP INDEX idx_logentry_named_action ON auditlog_logentry"


class Migration(migrations.Migration):
    atomic = False  # MariaDB cannot run DDL inside a transaction

    dependencies = [
        ("auditlog", "0017_add_actor_email"),
        ("governance", "0001_initial"),
    ]

    operations = [migrations.RunPython(run_on_mysql(FORWARD), run_on_mysql(BACKWARD))]
