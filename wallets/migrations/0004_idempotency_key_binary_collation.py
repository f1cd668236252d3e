"""Ledger idempotency keys compare byte for byte on MariaDB.

The table's default collation (utf8mb4_unicode_ci) made ``Order-7`` and ``order-7``
one key under the unique (wallet, idempotency_key) constraint: the second operation
was answered with the first one's row and moved no money. SQLite compares with
BINARY already, so only MySQL/MariaDB is altered (the model state is unchanged:
``db_collation`` would not migrate on SQLite)."""

from django.db import migrations

from core.db import run_on_mysql

FORWARD = "ALTER TABLE transactions MODIFY idempotency_key varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL"
BACKWARD = (
    "ALTER TABLE transactions MODIFY idempotency_key varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NULL"
)


class Migration(migrations.Migration):
    atomic = False  # MariaDB cannot run DDL inside a transaction
    dependencies = [("wallets", "0003_transaction_permissions")]

    operations = [migrations.RunPython(run_on_mysql(FORWARD), run_on_mysql(BACKWARD))]
