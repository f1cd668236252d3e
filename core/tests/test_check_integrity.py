"""``check_integrity`` finds orphaned and impossible rows, and every app can add checks."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from accounts.tests.factories import UserFactory
from core import integrity
from core.models import IdempotencyRecord
from wallets.models import Wallet

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("check_integrity", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failing(*args: str) -> tuple[str, str]:
    err = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("check_integrity", *args, stdout=StringIO(), stderr=err)
    return str(excinfo.value), err.getvalue()


def test_sound_data_passes_with_a_one_line_summary():
    UserFactory.create_batch(2)
    out, err = run()
    assert out.strip().count("\n") == 0
    assert out.startswith(f"All {len(integrity.registered_checks())} integrity checks passed.")
    assert err == ""


def test_apps_register_their_checks_in_their_integrity_module():
    names = {c.name for c in integrity.registered_checks()}
    assert {
        "core.orphaned_foreign_keys",
        "core.idempotency_stuck",
        "wallets.users_without_wallet",
        "wallets.negative_balances",
    } <= names


def test_a_user_without_a_wallet_fails():
    user = UserFactory()
    Wallet.objects.filter(user=user).delete()
    reason, err = failing()
    assert "wallets.users_without_wallet" in reason
    assert f"user {user.pk} ({user.email}) has no wallet" in err


def test_a_wallet_whose_user_is_gone_is_an_orphan():
    user = UserFactory()
    wallet = user.wallet
    with connection.cursor() as cursor:
        cursor.execute("SET FOREIGN_KEY_CHECKS = 0")
        try:
            cursor.execute("UPDATE wallets SET user_id = %s WHERE id = %s", [10**12, wallet.pk])
        finally:
            cursor.execute("SET FOREIGN_KEY_CHECKS = 1")
    reason, err = failing("core.orphaned_foreign_keys")
    assert reason == "1 of 1 integrity check(s) failed: core.orphaned_foreign_keys."
    assert f"wallets row {wallet.pk}: user_id={10**12} has no users.id" in err


def test_a_negative_balance_written_around_the_constraint_fails():
    wallet = UserFactory().wallet
    with connection.cursor() as cursor:
        cursor.execute("SET SESSION check_constraint_checks = 0")  # MariaDB: what a careless restore does
        try:
            cursor.execute("UPDATE wallets SET held = -1 WHERE id = %s", [wallet.pk])
        finally:
            cursor.execute("SET SESSION check_constraint_checks = 1")
    reason, err = failing("wallets.negative_balances")
    assert "wallets.negative_balances" in reason
    assert f"wallet {wallet.pk} of user {wallet.user_id}:" in err and "held=-1" in err


def test_an_idempotency_key_stuck_in_progress_for_over_an_hour_fails():
    user = UserFactory()
    fresh = IdempotencyRecord.objects.create(user=user, key="fresh", scope="wallet.stake", request_hash="h")
    old = IdempotencyRecord.objects.create(user=user, key="old", scope="wallet.stake", request_hash="h")
    IdempotencyRecord.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=2))
    _, err = failing("core.idempotency_stuck")
    assert f"idempotency key {old.pk} of user {user.pk} (wallet.stake)" in err
    assert f"idempotency key {fresh.pk} " not in err
    IdempotencyRecord.objects.filter(pk=old.pk).update(state=IdempotencyRecord.State.COMPLETED)
    run("core.idempotency_stuck")


def test_a_broken_check_is_reported_not_raised(monkeypatch):
    def broken():
        raise RuntimeError("table gone")

    monkeypatch.setitem(
        integrity._registry, "zz.broken", integrity.IntegrityCheck("zz.broken", "A check that crashes.", broken)
    )
    reason, err = failing()
    assert reason.endswith("failed: zz.broken.")
    assert "the check itself failed: RuntimeError: table gone" in err


def test_long_lists_are_cut_with_a_total(monkeypatch):
    monkeypatch.setattr(integrity, "SAMPLE_SIZE", 2)
    users = UserFactory.create_batch(3)
    Wallet.objects.filter(user__in=users).delete()
    _, err = failing("wallets.users_without_wallet")
    assert "... and 1 more (3 in all)" in err


def test_unknown_check_names_and_list():
    with pytest.raises(CommandError, match="Unknown integrity check"):
        call_command("check_integrity", "nope", stdout=StringIO())
    out, _ = run("--list")
    assert "wallets.users_without_wallet: " in out


def test_registering_a_name_twice_is_refused():
    with pytest.raises(ValueError, match="already registered"):
        integrity.register_check("core.idempotency_stuck", "dup")(lambda: [])
