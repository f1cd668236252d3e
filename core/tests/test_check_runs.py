"""``verify_ledger`` and ``check_integrity`` record each full run (``core.models.CheckRun``)
for the console's dashboard: clean or not, with the summary, the problems and the
command's correlation id; a partial run (``--wallet``, named checks) is not recorded."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.tests.factories import UserFactory
from core.check_runs import DETAILS_LIMIT, check_run_record, check_runs_latest
from core.models import CheckRun
from wallets.models import Wallet
from wallets.tests.factories import funded_user

pytestmark = pytest.mark.django_db


def verify(*args: str) -> int:
    try:
        call_command("verify_ledger", "--no-progress", *args, stdout=StringIO(), stderr=StringIO())
    except SystemExit as exc:
        return int(exc.code)
    return 0


def test_a_clean_verify_ledger_run_is_recorded():
    funded_user("10")
    assert verify() == 0
    run = CheckRun.objects.get()
    assert (run.name, run.ok, run.details) == ("verify_ledger", True, "")
    assert "no drift" in run.summary
    assert run.cid.startswith("cmd:verify_ledger:")
    assert run.started_at <= run.finished_at


def test_a_drifting_verify_ledger_run_is_recorded_with_its_problems():
    user = funded_user("10")
    Wallet.objects.filter(user=user).update(available=Decimal("11"))
    assert verify() == 1
    run = check_runs_latest()["verify_ledger"]
    assert run is not None and run.ok is False
    assert f"wallet {user.wallet.pk} (user {user.pk}): available stored=11" in run.details


def test_a_run_limited_to_some_wallets_is_not_recorded():
    user = funded_user("10")
    assert verify("--wallet", str(user.wallet.pk)) == 0
    assert not CheckRun.objects.exists()


def test_check_integrity_records_passes_and_failures():
    user = UserFactory()
    call_command("check_integrity", stdout=StringIO(), stderr=StringIO())
    Wallet.objects.filter(user=user).delete()
    with pytest.raises(CommandError):
        call_command("check_integrity", stdout=StringIO(), stderr=StringIO())
    first, second = CheckRun.objects.filter(name="check_integrity").order_by("pk")
    assert first.ok and first.summary.startswith("All ") and first.details == ""
    assert not second.ok and "wallets.users_without_wallet" in second.summary
    assert f"user {user.pk} ({user.email}) has no wallet" in second.details
    assert check_runs_latest()["check_integrity"] == second


def test_check_integrity_of_named_checks_only_is_not_recorded():
    call_command("check_integrity", "core.idempotency_stuck", stdout=StringIO(), stderr=StringIO())
    assert not CheckRun.objects.exists()


def test_latest_is_none_before_the_first_run_and_details_are_bounded():
    assert check_runs_latest() == {"verify_ledger": None, "check_integrity": None}
    from django.utils import timezone

    run = check_run_record(
        name="verify_ledger", ok=False, summary="x", problems=["p" * 80] * 1000, started_at=timezone.now()
    )
    assert len(run.details) <= DETAILS_LIMIT
    assert run.details.endswith("(cut; run the command for all)")
