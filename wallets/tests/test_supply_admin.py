"""The console's system accounts page (the supply report on top, each account's balance
from its lines) and the journal entries pages: what an operator and an auditor read, in
plain amounts, read-only for everyone."""

import pytest
from django.db.models import F
from django.urls import reverse

from core.permissions import ROLE_AUDITOR, ROLE_MODERATOR, ROLE_OPERATOR
from tests.console import client_for, seed_roles, staff
from wallets import services
from wallets.models import JournalEntry, TransactionKind, Wallet
from wallets.tests.factories import funded_user

pytestmark = pytest.mark.django_db

ACCOUNTS = "admin:wallets_ledgeraccount_changelist"


@pytest.fixture
def books():
    seed_roles()
    member = funded_user("100")  # a deposit: external -100, member +100
    services.reward_credit(user=member, amount="12.5")  # issuance -12.5
    services.stake_create(user=member, amount="30")
    return member


def test_operators_read_the_supply_report_and_each_account_balance(books):
    page = client_for(staff(ROLE_OPERATOR)).get(reverse(ACCOUNTS))
    assert page.status_code == 200
    html = page.content.decode()
    report = html[html.index('data-testid="supply-report"') :]
    assert "Total supply (issued + net deposited)" in report
    assert "112.5 OGC" in report  # 100 deposited + 12.5 issued
    assert "30 OGC" in report  # staked
    assert "not accounted for" not in report
    assert "Revenue by month (UTC)" in report
    # The accounts with their balances, summed from their lines (minus what they let in).
    assert "-100 OGC" in html and "-12.5 OGC" in html
    assert "0.000000000000000000" not in html


def test_the_report_alerts_with_the_amount_when_the_books_drift(books):
    Wallet.objects.filter(pk=books.wallet.pk).update(available=F("available") + 2)  # behind the ledger's back
    html = client_for(staff(ROLE_AUDITOR)).get(reverse(ACCOUNTS)).content.decode()
    assert "-2 OGC is not accounted for: run verify_ledger" in html


def test_an_account_page_lists_its_latest_lines_and_an_entry_page_its_balanced_lines(books):
    client = client_for(staff(ROLE_OPERATOR))
    account = client.get(reverse("admin:wallets_ledgeraccount_change", args=["issuance"]))
    assert account.status_code == 200
    assert "-12.5" in account.content.decode()

    reward = JournalEntry.objects.get(kind=TransactionKind.REWARD)
    entry = client.get(reverse("admin:wallets_journalentry_change", args=[reward.pk]))
    html = entry.content.decode()
    assert entry.status_code == 200
    assert "Lines (they add up to zero)" in html
    assert f"wallet #{books.wallet.pk}</a> · available" in html
    assert reverse("admin:wallets_transaction_change", args=[reward.transaction_id]) in html

    listing = client.get(reverse("admin:wallets_journalentry_changelist"))
    assert listing.status_code == 200
    assert f">{reward.pk}<" in listing.content.decode() or f"/{reward.pk}/change/" in listing.content.decode()


def test_nobody_edits_the_books_in_the_console_and_moderators_do_not_see_them(books):
    superuser = client_for(staff(None))
    assert superuser.get(reverse("admin:wallets_ledgeraccount_add")).status_code == 403
    assert superuser.get(reverse("admin:wallets_journalentry_add")).status_code == 403
    entry = JournalEntry.objects.first()
    assert (
        superuser.post(reverse("admin:wallets_journalentry_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert JournalEntry.objects.filter(pk=entry.pk).exists()
    moderator = client_for(staff(ROLE_MODERATOR))
    assert moderator.get(reverse(ACCOUNTS)).status_code == 403
