"""verify_ledger re-checks suspects under their row locks before calling drift."""

from decimal import Decimal

import pytest

from wallets import verification
from wallets.models import Transaction, Wallet
from wallets.tests.factories import funded_user

pytestmark = pytest.mark.django_db


def test_a_write_between_the_two_reads_is_not_reported(monkeypatch):
    user = funded_user("10")
    latest = Transaction.objects.filter(user=user).latest("pk")
    real = verification._exact_sums
    calls = []

    def stale_first(rows):
        calls.append(1)
        if len(calls) == 1:  # the unlocked pass: sums read before the last row committed
            return real(rows.exclude(pk=latest.pk))
        return real(rows)

    monkeypatch.setattr(verification, "_exact_sums", stale_first)
    report = verification.verify_ledger()
    assert len(calls) == 2  # the suspect was re-checked
    assert report.clean, report.summary()


def test_a_real_drift_survives_the_locked_recheck():
    user = funded_user("10")
    Wallet.objects.filter(user=user).update(available=Decimal("11"))  # tampering outside the services
    report = verification.verify_ledger()
    assert [d.wallet_id for d in report.drifts] == [user.wallet.pk]
