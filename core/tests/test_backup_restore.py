"""The restore drill on MariaDB: dump a seeded database with ``manage.py backup``, load it
into a new database with ``manage.py restore``, then run ``verify_ledger`` and
``check_integrity`` on the copy (fresh processes whose DATABASE_URL names the copy):
both clean, and the copy holds the same rows, triggers included."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from accounts.tests.factories import UserFactory
from tests.live_gunicorn import mysql_url
from wallets import services
from wallets.tests.factories import WalletAddressFactory, funded_user

TABLES = ("users", "wallets", "transactions", "journal_entries", "journal_lines", "notifications", "auditlog_logentry")


def seed_ledger() -> None:
    """Roles and the admin (``seed``), then members whose money moved every way."""
    call_command("seed", verbosity=0)
    operator = UserFactory(roles=["operator"])
    ada, bob = funded_user("500", email="ada@drill.test"), funded_user("250", email="bob@drill.test")
    services.stake_create(user=ada, amount=Decimal("120"))
    services.unstake_create(user=ada, amount=Decimal("20"))
    services.transfer_create(sender=ada, recipient="bob@drill.test", amount=Decimal("33.333333333333333333"))
    address = WalletAddressFactory(wallet=bob.wallet)
    approved = services.withdrawal_request(user=bob, amount="40", address_id=address.pk)
    services.withdrawal_approve(withdrawal_id=approved.pk, actor=operator, external_reference="0xdrill")
    services.withdrawal_request(user=bob, amount="10", address_id=address.pk)  # left pending (held)


def counts(database: str) -> dict[str, int]:
    with connection.cursor() as cursor:
        found = {}
        for table in TABLES:
            cursor.execute(
                f"SELECT COUNT(*) FROM {connection.ops.quote_name(database)}.{connection.ops.quote_name(table)}"
            )
            found[table] = cursor.fetchone()[0]
        return found


def triggers(database: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = %s ORDER BY 1", [database]
        )
        return [row[0] for row in cursor.fetchall()]


def manage(*args: str, database: str) -> subprocess.CompletedProcess:
    url = mysql_url({**connection.settings_dict, "NAME": database})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "ogc.settings.test"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def restore_database():
    name = f"{connection.settings_dict['NAME']}_restore"
    drop = f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}"
    with connection.cursor() as cursor:
        cursor.execute(drop)
    yield name
    with connection.cursor() as cursor:
        cursor.execute(drop)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_restore_drill_dump_restore_verify_ledger_and_check_integrity_clean(tmp_path, restore_database):
    seed_ledger()
    source = connection.settings_dict["NAME"]
    dump = tmp_path / "drill.sql.gz"

    call_command("backup", output=str(dump))
    with gzip.open(dump, "rt") as text:
        content = text.read()
    assert "MariaDB dump" in content[:4096] or "MySQL dump" in content[:4096]
    assert "ogc-dev-password" not in content  # credentials never in the dump

    call_command("restore", input=str(dump), database=restore_database)
    assert counts(restore_database) == counts(source)
    assert counts(restore_database)["transactions"] >= 8
    assert triggers(restore_database) == triggers(source) and triggers(source)  # the journal's guards came along

    for command in (("verify_ledger", "--no-progress"), ("check_integrity",)):
        result = manage(*command, database=restore_database)
        assert result.returncode == 0, f"{command} on the copy: {result.stdout}\n{result.stderr}"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, ok FROM {connection.ops.quote_name(restore_database)}.check_runs ORDER BY name")
        assert list(cursor.fetchall()) == [("check_integrity", 1), ("verify_ledger", 1)]


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_already_has_tables(tmp_path):
    dump = tmp_path / "any.sql"
    dump.write_text("SELECT 1;\n")
    with pytest.raises(CommandError, match="already has tables"):
        call_command("restore", input=str(dump), database=connection.settings_dict["NAME"])
    with pytest.raises(CommandError, match="Not a database name"):
        call_command("restore", input=str(dump), database="bad`name")


@pytest.mark.django_db(transaction=True)
def test_a_failed_dump_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "PASSWORD", "not-the-password")
    target = tmp_path / "failed.sql"
    with pytest.raises(CommandError, match="mariadb-dump failed"):
        call_command("backup", output=str(target))
    assert list(tmp_path.iterdir()) == []
