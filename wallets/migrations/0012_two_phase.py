"""Ledger v2, step 2: immutable two-phase transfers (TigerBeetle's pending / post / void).

A pending row (a withdrawal request, an unstake with a cool-down) is settled by a new
journal entry that names the pending entry it settles (``pending_entry``, one-to-one:
a unique index, so a pending entry is posted or voided at most once) and, for an
approved withdrawal, its payout hash (``external_reference``, unique per kind: the
uniqueness of a payout hash moves from the row, which is no longer updated, to its
settlement). No existing row changes: rows settled in place before this migration
keep their final status in ``transactions.status`` and their unlinked settlement
entries from 0007.

Then triggers make ``transactions`` append-only like the journal (MariaDB/MySQL and
SQLite): every UPDATE is refused, and every DELETE except, on MariaDB, in a session
that switched foreign-key checks off (Django's ``flush`` in a transactional test's
teardown, a restore); no service does that. On SQLite the two field additions rebuild
``journal_entries`` (SQLite's ALTER emulation), which drops its triggers: they are
created again here.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


LEDGER = "transactions"
JOURNAL = ("journal_entries", "journal_lines")


def _triggers(vendor, table):
    """The two triggers of ``table``, the same text as 0007's for the journal."""
    if vendor == "mysql":
        return [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} FOR EACH ROW "
            f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{table} rows are immutable'",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} FOR EACH ROW "
            f"IF @@foreign_key_checks = 1 THEN "
            f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{table} rows are never deleted'; END IF",
        ]
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} rows are immutable'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} rows are never deleted'); END",
        ]
    return []


def _drop(schema_editor, table):
    for suffix in ("no_update", "no_delete"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{suffix}")


def recreate_journal_triggers(apps, schema_editor):
    """SQLite only: a rebuilt ``journal_entries`` lost its triggers (0007's)."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for table in JOURNAL:
            _drop(schema_editor, table)
            for sql in _triggers(vendor, table):
                schema_editor.execute(sql)


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    recreate_journal_triggers(apps, schema_editor)
    for sql in _triggers(vendor, LEDGER):
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor in ("mysql", "sqlite"):
        _drop(schema_editor, LEDGER)


class Migration(migrations.Migration):

    dependencies = [
        ('wallets', '0011_address_confirmation'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Reversed last: the field removals rebuild journal_entries on SQLite again.
        migrations.RunPython(migrations.RunPython.noop, recreate_journal_triggers, atomic=False),
        migrations.AddField(
            model_name='journalentry',
            name='external_reference',
            field=models.CharField(blank=True, max_length=255, null=True),
        ),
        migrations.AddField(
            model_name='journalentry',
            name='pending_entry',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='settlement', to='wallets.journalentry'),
        ),
        migrations.AddConstraint(
            model_name='journalentry',
            constraint=models.UniqueConstraint(fields=('kind', 'external_reference'), name='uniq_journal_entry_kind_ext_ref'),
        ),
        migrations.RunPython(create_triggers, drop_triggers, atomic=False),
    ]
