"""verify_ledger (exit codes, listing, streaming) and release_unstakes."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from wallets import services
from wallets.models import Transaction, Wallet
from wallets.tests.factories import funded_user
from wallets.verification import verify_ledger

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_ledger", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_clean_ledger_exits_0_with_one_line_summary():
    users = [funded_user("10") for _ in range(5)]
    services.stake_create(user=users[0], amount="3")
    code, out, err = run("--chunk-size", "2")
    assert code == 0
    assert out.strip().splitlines() == [out.strip()]
    assert "no drift" in out
    assert f"{Wallet.objects.count()}/{Wallet.objects.count()} wallets (100%)" in err


def test_drift_exits_1_and_lists_each_drifting_wallet():
    a, b, c = funded_user("10"), funded_user("10"), funded_user("10")
    # Simulate corruption outside the services (QuerySet.update bypasses everything).
    Wallet.objects.filter(user=a).update(available=Decimal("11"))
    Wallet.objects.filter(user=c).update(staked=Decimal("1"))
    code, out, _ = run("--chunk-size", "1", "--no-progress")
    assert code == 1
    assert f"wallet {a.wallet.pk} (user {a.pk}): available stored=11" in out
    assert f"wallet {c.wallet.pk} (user {c.pk}): staked stored=1" in out
    assert f"wallet {b.wallet.pk} " not in out
    assert "2 of" in out
    report = verify_ledger()
    assert not report.clean and {d.wallet_id for d in report.drifts} == {a.wallet.pk, c.wallet.pk}


def test_a_deleted_row_is_drift():
    """The database refuses to delete a ledger row (the trigger of migration 0012; its
    entry PROTECTs it too); one deleted behind the constraints' back (checks off, as a
    bad restore could) is drift."""
    user = funded_user("10")
    services.stake_create(user=user, amount="4")
    stake = Transaction.objects.filter(user=user, kind="stake")
    with pytest.raises(OperationalError, match="never deleted"), transaction.atomic():
        stake._raw_delete(Transaction.objects.db)
    with connection.constraint_checks_disabled():
        stake._raw_delete(Transaction.objects.db)
    report = verify_ledger(wallet_ids=[user.wallet.pk])
    assert [d.wallet_id for d in report.drifts] == [user.wallet.pk]
    assert report.drifts[0].lines is None  # its journal lines still match the balances


def test_release_unstakes_command(settings):
    settings.OGC_UNSTAKE_COOLDOWN_HOURS = 1
    user = funded_user("10")
    services.stake_create(user=user, amount="5")
    services.unstake_create(user=user, amount="5")
    out = StringIO()
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):  # the cool-down is over
        call_command("release_unstakes", stdout=out)
    assert "Released 1 unstake" in out.getvalue()
    wallet = Wallet.objects.get(user=user)
    assert (wallet.available, wallet.staked, wallet.held) == (Decimal(10), Decimal(0), Decimal(0))
    assert verify_ledger().clean


@pytest.mark.parametrize("limit", ["0", "-3"])
def test_release_unstakes_refuses_a_limit_below_one_in_one_line(limit):
    with pytest.raises(CommandError, match=r"^--limit must be at least 1\.$"):
        call_command("release_unstakes", "--limit", limit)


def test_verify_ledger_refuses_unknown_wallet_ids_in_one_line():
    wallet = Wallet.objects.get(user=funded_user("10"))
    with pytest.raises(CommandError, match=r"^Unknown wallet id\(s\): 999999\.$"):
        call_command("verify_ledger", "--wallet", str(wallet.pk), "--wallet", "999999", "--no-progress")
