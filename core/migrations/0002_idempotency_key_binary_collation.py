"""Idempotency-Key values compare byte for byte on MariaDB.

The table's default collation (utf8mb4_unicode_ci) made ``Pay-A`` and ``pay-a`` one
key under the unique (user, key) constraint: the second request replayed the
first one's response and ran nothing. SQLite compares with BINARY already, so only
MySQL/MariaDB is altered (the model state is unchanged: ``db_collation`` would not
migrate on SQLite)."""

from django.db import migrations

from core.db import run_on_mysql

FORWARD = "ALTER TABLE idempotency_keys MODIFY `key` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL"
BACKWARD = (
    "ALTER TABLE idempotency_keys MODIFY `key` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL"
)


class Migration(migrations.Migration):
    atomic = False  # MariaDB cannot run DDL inside a transaction
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(run_on_mysql(FORWARD), run_on_mysql(BACKWARD))]
