"""The schema reference shows every table, column and foreign key as MariaDB created them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection

from core.datamodel.meta import on_delete_name
from core.datamodel.schema import render_schema

ROOT = Path(__file__).resolve().parents[2]
RELIED_ON = ["auditlog.LogEntry", "account.EmailAddress", "mfa.Authenticator", "auth.Group"]

pytestmark = pytest.mark.django_db


def table_models():
    return [m for m in apps.get_models(include_auto_created=True) if not m._meta.proxy and m._meta.managed]


def table_section(text: str, table: str) -> str:
    match = re.search(rf"^### `{re.escape(table)}`\n(.*?)(?=^##|\Z)", text, flags=re.S | re.M)
    assert match, f"no section for table {table}"
    return match.group(1)


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker) -> str:
    with django_db_blocker.unblock():
        return render_schema(connection)


def column_types() -> dict[tuple[str, str], str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
        )
        return {(t, c): ty for t, c, ty in cursor.fetchall()}


def test_every_table_and_column_appears_with_its_mariadb_type(schema):
    types = column_types()
    for model in table_models():
        section = table_section(schema, model._meta.db_table)
        for field in model._meta.local_fields:
            column_type = types[(model._meta.db_table, field.column)]
            assert f"| `{field.column}` | `{column_type}` |" in section, f"{model._meta.label}.{field.name}"


def test_amounts_are_decimal_36_18_and_booleans_tinyint(schema):
    section = table_section(schema, "wallets")
    assert "| `available` | `decimal(36,18)` | no |" in section
    assert "| `is_staff` | `tinyint(1)` | no |" in table_section(schema, "users")


def test_the_third_party_tables_we_rely_on_are_documented(schema):
    for label in RELIED_ON:
        assert f"### `{apps.get_model(label)._meta.db_table}`" in schema


def test_every_foreign_key_appears_with_its_on_delete(schema):
    for model in table_models():
        section = table_section(schema, model._meta.db_table)
        for field in model._meta.local_fields:
            if field.is_relation:
                target = f"{field.related_model._meta.db_table}.{field.target_field.column}"
                assert f"| `{field.column}` | `{target}` | {on_delete_name(field)} |" in section, (
                    f"{model._meta.label}.{field.name}"
                )


def test_check_constraints_and_unique_keys_are_listed(schema):
    section = table_section(schema, "wallets")
    assert re.search(r"\| `wallet_available_gte_0` \| `` `available` >= 0 `` \|", section)
    assert "| `deposit_address` | deposit_address | yes |" in section
    keys = table_section(schema, "idempotency_keys")
    assert "| `uniq_idempotency_user_key` | user_id, key | yes |" in keys


def test_purpose_is_the_model_docstring(schema):
    from wallets.models import Wallet

    first_line = Wallet.__doc__.strip().splitlines()[0].strip()
    assert first_line in table_section(schema, "wallets")


def test_constraints_mariadb_cannot_create_are_flagged(schema):
    section = table_section(schema, "account_emailaddress")
    assert "Declared in the model but not created on MariaDB" in section
    assert "- `unique_primary_email`" in section


def test_sqlite_is_refused_in_one_line():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update({"DJANGO_SETTINGS_MODULE": "ogc.settings.local", "DATABASE_URL": "sqlite:///:memory:"})
    result = subprocess.run(
        [sys.executable, "manage.py", "schema_reference", "--output", "-"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().count("\n") == 0
    assert "needs MariaDB" in result.stderr
