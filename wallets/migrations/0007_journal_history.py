"""Ledger v2, step 1: journal the history written before double entry, then make the
journal append-only in the database.

Every existing ``transactions`` row becomes the balanced entries the posting path
writes today: one entry for a row written in its final state (deposit against
external, reward and adjustment against issuance, payment against revenue, stake and
an immediate unstake inside the wallet); two for a row that went through pending
(every withdrawal; an unstake with a cool-down, i.e. with ``available_at``): the
pending entry at ``created_at`` and the settling one at ``completed_at``. No balance
changes: the lines of each wallet add up to what its rows add up to, which is what
``verify_ledger`` already proved against the cached balances.

The effects table is a frozen copy of ``wallets.ledger.EFFECTS`` as of this
migration (a migration must not change meaning when the live table grows).

Triggers (MariaDB/MySQL and SQLite) refuse any UPDATE of ``journal_entries`` and
``journal_lines``, and any DELETE, except, on MariaDB, in a session that switched
foreign-key checks off: what Django's ``flush`` (a transactional test's teardown)
and a restore do; a service never does.
"""

from django.db import migrations

ISSUANCE, EXTERNAL, REVENUE = "issuance", "external", "revenue"
ACCOUNTS = {
    ISSUANCE: ("issuance", True, "Issuance (treasury): minus the supply minted"),
    EXTERNAL: ("external", True, "External clearing: minus the net tokens that came in from the chain"),
    REVENUE: ("revenue", False, "Revenue: subscription payments and fees"),
}
# (kind, status, direction) -> (available, staked, held, other account)
FROZEN_EFFECTS = {
    ("deposit", "completed", "credit"): (1, 0, 0, EXTERNAL),
    ("reward", "completed", "credit"): (1, 0, 0, ISSUANCE),
    ("adjustment", "completed", "credit"): (1, 0, 0, ISSUANCE),
    ("adjustment", "completed", "debit"): (-1, 0, 0, ISSUANCE),
    ("payment", "completed", "debit"): (-1, 0, 0, REVENUE),
    ("stake", "completed", "internal"): (-1, 1, 0, None),
    ("unstake", "pending", "internal"): (0, -1, 1, None),
    ("unstake", "completed", "internal"): (1, -1, 0, None),
    ("withdrawal", "pending", "debit"): (-1, 0, 1, None),
    ("withdrawal", "completed", "debit"): (-1, 0, 0, EXTERNAL),
    ("withdrawal", "canceled", "debit"): (0, 0, 0, None),
    ("withdrawal", "failed", "debit"): (0, 0, 0, None),
}
BUCKETS = ("available", "staked", "held")
CHUNK = 2_000
TABLES = ("journal_entries", "journal_lines")


def _phases(row):
    """(status, previous status, when) of each entry the row gets."""
    went_pending = row.kind == "withdrawal" or (row.kind == "unstake" and row.available_at is not None)
    if row.status == "pending" or not went_pending:
        return [(row.status, None, row.created_at)]
    return [("pending", None, row.created_at), (row.status, "pending", row.completed_at or row.created_at)]


def _deltas(row, status, previous):
    new = FROZEN_EFFECTS[(row.kind, status, row.direction)]
    old = FROZEN_EFFECTS[(row.kind, previous, row.direction)] if previous else (0, 0, 0, None)
    buckets = [(bucket, (n - o) * row.amount) for bucket, n, o in zip(BUCKETS, new[:3], old[:3]) if n != o]
    net = sum(new[:3]) - sum(old[:3])
    other = [(new[3] or old[3], -net * row.amount)] if net else []
    return buckets, other


def journal_history(apps, schema_editor):
    db = schema_editor.connection.alias
    Account = apps.get_model("wallets", "LedgerAccount")
    Entry = apps.get_model("wallets", "JournalEntry")
    Line = apps.get_model("wallets", "JournalLine")
    Transaction = apps.get_model("wallets", "Transaction")
    Account.objects.using(db).bulk_create(
        [Account(code=code, kind=kind, may_go_negative=neg, name=name) for code, (kind, neg, name) in ACCOUNTS.items()],
        ignore_conflicts=True,
    )
    journaled = Entry.objects.using(db).values("transaction_id")
    rows = Transaction.objects.using(db).exclude(pk__in=journaled).order_by("pk")
    last = 0
    while True:
        chunk = list(rows.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            return
        last = chunk[-1].pk
        entries, planned = [], []
        for row in chunk:
            for status, previous, when in _phases(row):
                entries.append(
                    Entry(
                        kind=row.kind,
                        status=status,
                        transaction_id=row.pk,
                        actor_id=row.actor_id if previous is None else None,
                        memo=(row.memo if previous is None else row.status_reason)[:500],
                        reference=row.external_reference or "",
                        created_at=when,
                    )
                )
                planned.append((row, *_deltas(row, status, previous)))
        Entry.objects.using(db).bulk_create(entries)
        lines = []
        for entry, (row, buckets, others) in zip(entries, planned):
            if entry.pk is None:  # a backend that returns no ids from a bulk insert
                entry.pk = Entry.objects.using(db).get(transaction_id=row.pk, status=entry.status).pk
            lines += [Line(entry_id=entry.pk, wallet_id=row.wallet_id, bucket=b, amount=a) for b, a in buckets]
            lines += [Line(entry_id=entry.pk, account_id=code, amount=a) for code, a in others]
        Line.objects.using(db).bulk_create(lines, batch_size=CHUNK)


def _trigger_sql(vendor):
    statements = []
    for table in TABLES:
        if vendor == "mysql":
            statements += [
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} FOR EACH ROW "
                f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{table} rows are immutable'",
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} FOR EACH ROW "
                f"IF @@foreign_key_checks = 1 THEN "
                f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{table} rows are never deleted'; END IF",
            ]
        elif vendor == "sqlite":
            statements += [
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} rows are immutable'); END",
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} rows are never deleted'); END",
            ]
    return statements


def create_triggers(apps, schema_editor):
    for sql in _trigger_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor in ("mysql", "sqlite"):
        for table in TABLES:
            for suffix in ("no_update", "no_delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{suffix}")


class Migration(migrations.Migration):
    dependencies = [("wallets", "0006_journal")]

    operations = [
        # Reversing drops the triggers first, then the tables go with 0006 (nothing to undo here).
        migrations.RunPython(journal_history, migrations.RunPython.noop),
        migrations.RunPython(create_triggers, drop_triggers, atomic=False),
    ]
