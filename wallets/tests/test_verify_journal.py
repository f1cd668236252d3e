"""verify_ledger's journal proofs and the supply report: (a) entries balance, (b) a
wallet equals its lines, (c) the supply identity, (d) floors; each violation named."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.tests.factories import UserFactory
from wallets import services
from wallets.models import JournalEntry, JournalLine, LedgerAccount, Wallet
from wallets.tests.factories import funded_user
from wallets.verification import verify_ledger

pytestmark = pytest.mark.django_db

D = Decimal


def run(command: str, *args: str) -> tuple[int, str]:
    out = StringIO()
    if command == "verify_ledger":
        args = (*args, "--no-progress")
    try:
        call_command(command, *args, stdout=out)
        return 0, out.getvalue()
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()


def entry_with(*lines: tuple[str | Wallet, Decimal], bucket: str = "available") -> JournalEntry:
    """An entry written behind the services' back (inserts are allowed; edits are not)."""
    entry = JournalEntry.objects.create(kind="adjustment", status="completed", memo="forged")
    JournalLine.objects.bulk_create(
        JournalLine(entry=entry, wallet=side, bucket=bucket, amount=amount)
        if isinstance(side, Wallet)
        else JournalLine(entry=entry, account_id=side, amount=amount)
        for side, amount in lines
    )
    return entry


def test_a_clean_ledger_counts_its_entries():
    funded_user("10")
    code, out = run("verify_ledger")
    assert code == 0 and "journal entries, no drift." in out
    assert verify_ledger().journal.entries_checked == 1


def test_an_entry_that_does_not_balance_is_named():
    funded_user("10")
    lopsided = entry_with(("issuance", D(-5)), ("revenue", D(4)))
    balanced = entry_with(("issuance", D(-1)), ("revenue", D(1)))
    single = JournalEntry.objects.create(kind="adjustment", status="completed")
    JournalLine.objects.create(entry=single, account_id="issuance", amount=D(2))
    empty = JournalEntry.objects.create(kind="adjustment", status="completed")
    code, out = run("verify_ledger")
    assert code == 1
    assert f"entry {lopsided.pk}: lines sum to -1" in out
    assert f"entry {single.pk}: 1 line(s); an entry needs two or more" in out
    assert f"entry {single.pk}: lines sum to 2" in out
    assert f"entry {empty.pk}: 0 line(s)" in out
    assert f"entry {balanced.pk}" not in out


def test_a_wallet_whose_lines_disagree_with_its_balance_is_named():
    user = funded_user("10")
    entry_with((user.wallet, D(3)), ("issuance", D(-3)))  # balanced, but the wallet never moved
    code, out = run("verify_ledger")
    assert code == 1
    assert f"wallet {user.wallet.pk} (user {user.pk}): available stored=10" in out
    assert "available stored=10.000000000000000000 lines=13" in out
    assert "ledger=" not in out  # its rows agree with it


def test_the_supply_identity_and_a_negative_revenue_are_named():
    user = funded_user("10")
    services.payment_debit(user=user, amount="2")
    Wallet.objects.filter(pk=user.wallet.pk).update(available=D(9))  # one token out of nowhere
    entry_with(("revenue", D(-5)), ("issuance", D(5)))
    code, out = run("verify_ledger")
    assert code == 1
    assert "supply: issued -5" in out and "(gap -1" in out
    assert "account revenue: balance -3" in out and "below its floor of 0" in out


def test_an_escrow_below_zero_breaks_its_floor_and_issuance_may_go_negative():
    LedgerAccount.objects.create(code="escrow:challenge:7", kind="escrow", name="Prizes of challenge 7")
    entry_with(("escrow:challenge:7", D(-1)), ("issuance", D(1)))
    entry_with(("issuance", D(-4)), ("external", D(4)))
    report = verify_ledger()
    assert report.journal.below_floor == [("escrow:challenge:7", D(-1))]
    assert report.journal.supply_gap == 0


def test_supply_report_in_plain_words():
    operator = UserFactory()
    user = funded_user("100")
    services.stake_create(user=user, amount="30")
    services.reward_credit(user=user, amount="12.5")
    services.payment_debit(user=user, amount="2.5")
    services.adjustment_create(user=user, amount="1", direction="debit", reason="fix", actor=operator)
    code, out = run("supply_report")
    assert code == 0
    totals, _blank, by_month = out.strip().partition("\n\n")
    lines = dict(line.rsplit("  ", 1) for line in totals.splitlines())
    values = {label.strip(): amount.strip() for label, amount in lines.items()}
    month_lines = by_month.splitlines()
    assert month_lines[0] == "Revenue by month (UTC):" and len(month_lines) == 13
    assert month_lines[-1].split()[-1] == "2.5"  # this month's payment
    assert values == {
        "Total supply (issued + net deposited)": "111.5",
        "Issued by the treasury": "11.5",
        "Net deposited from outside (external)": "100",
        "Circulating (members' available)": "79",
        "Staked": "30",
        "Held (pending withdrawals and cool-downs)": "0",
        "Escrowed for challenge prizes": "0",
        "Revenue (subscriptions and fees)": "2.5",
    }
