"""The main user flows in a real browser (headless Chromium) on a live server.

A member signs up, sees the wallet, stakes and unstakes, adds an address and
requests a withdrawal, submits to a challenge, reads a notification, subscribes
to a plan and votes on a proposal; an operator logs into the admin and approves
the withdrawal with the "Approve selected pending withdrawals" action. Every step
goes through the pages (forms, CSRF, redirects, messages); the database is read
afterwards to check that the page told the truth. Data the member cannot create
from the site (a deposit, a challenge, a plan, a proposal) is written with the
services/factories between steps.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, StaffFactory
from challenges.models import Submission
from challenges.tests.factories import ChallengeFactory
from governance.models import Vote
from governance.tests.factories import open_proposal
from notifications.models import Notification
from subscriptions.tests.factories import PlanFactory
from tests.e2e import steps
from wallets.models import Transaction, Wallet
from wallets.services import deposit_create, withdrawal_request
from wallets.tests.factories import VALID_ADDRESSES, WalletAddressFactory, funded_user
from wallets.verification import assert_ledger_clean

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "ada@example.test"
PASSWORD = "a-long-browser-password-7"


def _message(page: Page, text: str) -> None:
    expect(page.locator(".messages")).to_contain_text(text)


def _balances(page: Page, available: str, staked: str, held: str) -> None:
    expect(page.get_by_test_id("available")).to_have_text(available)
    expect(page.get_by_test_id("staked")).to_have_text(staked)
    expect(page.get_by_test_id("held")).to_have_text(held)


def _sign_up(page: Page) -> User:
    page.goto("/")
    page.locator(".site-nav").get_by_role("link", name="Sign up").click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    page.fill("#id_email", EMAIL)
    page.fill("#id_display_name", "Ada")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.locator(".site-nav")).to_contain_text("Ada")
    return User.objects.get(email=EMAIL)


def test_member_signs_up_and_walks_the_main_flows(browsing, seeded):
    challenge = ChallengeFactory(title="Logo contest", slug="logo-contest")
    PlanFactory(code="plus", name="Plus", price=Decimal("20"), trial_days=0)
    page = browsing.open()

    # Sign up; the wallet exists at once, empty.
    user = _sign_up(page)
    page.get_by_role("link", name="Wallet", exact=True).click()
    _balances(page, "0", "0", "0")
    deposit_create(user=user, amount="500", memo="on-chain deposit")  # observed by the platform, not a page

    # See the wallet, stake and unstake.
    page.reload()
    _balances(page, "500", "0", "0")
    expect(page.get_by_test_id("ledger")).to_contain_text("Deposit")
    # Each move is restated on a confirmation page first; nothing moves until confirmed.
    stake = page.get_by_test_id("stake-form")
    stake.get_by_label("Amount").fill("150")
    stake.get_by_role("button", name="Review stake").click()
    expect(page.get_by_test_id("confirm")).to_contain_text("350 available, 150 staked, 0 held")
    assert not Transaction.objects.filter(user=user, kind="stake").exists()
    page.get_by_role("button", name="Stake 150 OGC").click()
    _message(page, "Staked 150 OGC.")
    _balances(page, "350", "150", "0")
    unstake = page.get_by_test_id("unstake-form")
    unstake.get_by_test_id("unstake-max").click()  # Max fills in the whole staked balance
    expect(unstake.get_by_label("Amount")).to_have_value("150")
    unstake.get_by_label("Amount").fill("50")
    unstake.get_by_role("button", name="Review unstake").click()
    page.get_by_role("button", name="Unstake 50 OGC").click()
    _message(page, "Unstaked 50 OGC")
    _balances(page, "400", "100", "0")

    # A refused amount is shown on the field and moves nothing.
    stake = page.get_by_test_id("stake-form")
    stake.get_by_label("Amount").fill("100000")
    stake.get_by_role("button", name="Review stake").click()
    stake = page.get_by_test_id("stake-form")
    expect(stake).to_contain_text("You have 400 OGC available: enter that much or less.")
    page.goto("/wallet/")
    _balances(page, "400", "100", "0")

    # Add an address, request a withdrawal.
    # Adding one asks for the password again (a recent re-authentication); the address
    # is usable once confirmed from the emailed link and its cool-down is over.
    steps.add_withdrawal_address(page, VALID_ADDRESSES[0], label="cold wallet", password=PASSWORD)
    steps.confirm_withdrawal_address(page, VALID_ADDRESSES[0])
    withdraw = page.get_by_test_id("withdraw-form")
    withdraw.get_by_label("Amount").fill("25")
    withdraw.get_by_role("button", name="Review withdrawal").click()
    expect(page.get_by_test_id("confirm-address")).to_contain_text(VALID_ADDRESSES[0])
    page.get_by_role("button", name="Request withdrawal of 25 OGC").click()
    _message(page, "Withdrawal of 25 OGC requested")
    _balances(page, "375", "100", "25")
    expect(page.get_by_test_id("pending-withdrawals")).to_contain_text(VALID_ADDRESSES[0])
    assert Transaction.objects.get(user=user, kind="withdrawal").status == "pending"

    # Submit to a challenge.
    page.get_by_role("link", name="Challenges", exact=True).click()
    page.get_by_role("link", name="Logo contest").first.click()
    expect(page).to_have_url(re.compile(rf"/challenges/{challenge.slug}/$"))
    form = page.get_by_test_id("submission-form")
    form.get_by_label("Title").fill("A circle, in gold")
    form.get_by_label("Content").fill("SVG attached in spirit.")
    form.get_by_role("button", name="Submit").click()
    _message(page, "Submission received.")
    expect(page.get_by_test_id("my-submissions")).to_contain_text("A circle, in gold")
    assert Submission.objects.get(challenge=challenge, user=user).title == "A circle, in gold"

    # Read a notification (written in the transaction of each ledger operation).
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    assert unread >= 5  # deposit, stake, unstake, withdrawal, the first-submission badge
    expect(page.get_by_test_id("unread-count")).to_have_text(str(unread))
    page.locator("a.nav-notifications").click()
    inbox = page.get_by_test_id("inbox")
    expect(inbox.locator("tbody tr.unread").first).to_contain_text("Badge earned: First submission")  # newest
    withdrawal_row = inbox.locator("tbody tr", has_text="Withdrawal requested").first
    expect(withdrawal_row).to_have_class(re.compile(r"\bunread\b"))
    withdrawal_row.get_by_role("button", name="Mark read").click()
    withdrawal_row = page.get_by_test_id("inbox").locator("tbody tr", has_text="Withdrawal requested").first
    expect(withdrawal_row).not_to_have_class(re.compile(r"\bunread\b"))
    expect(withdrawal_row).to_contain_text("Read")
    expect(page.get_by_test_id("unread-count")).to_have_text(str(unread - 1))
    read = Notification.objects.get(recipient=user, kind="withdrawal_requested")
    assert read.read_at is not None

    # Subscribe to a plan, paid from the wallet.
    page.get_by_role("link", name="Subscription", exact=True).click()
    expect(page.get_by_test_id("no-subscription")).to_be_visible()
    form = page.get_by_test_id("subscribe-form")
    form.get_by_label("Plan").select_option(label="Plus")
    form.get_by_role("button", name="Confirm").click()
    expect(page.get_by_test_id("current-subscription")).to_contain_text("Plus")
    expect(page.get_by_test_id("status")).to_have_text("Active")
    assert Wallet.objects.get(user=user).available == Decimal("355")

    # Vote on a proposal whose snapshot is after the stake: weight = 100 staked.
    proposal = open_proposal(title="Plant more trees", choices=["yes", "no"])
    page.get_by_role("link", name="Governance", exact=True).click()
    page.get_by_role("link", name="Plant more trees").click()
    vote = page.get_by_test_id("vote-form")
    vote.get_by_label("Yes").check()
    vote.get_by_role("button", name="Vote").click()
    _message(page, "counts with weight 100")
    assert Vote.objects.get(proposal=proposal, voter=user).weight == Decimal(100)

    assert_ledger_clean()


def test_operator_approves_a_pending_withdrawal_in_the_admin(browsing, seeded):
    member = funded_user("80", email="payee@example.test")
    address = WalletAddressFactory(wallet=member.wallet, address=VALID_ADDRESSES[1])
    withdrawal = withdrawal_request(user=member, amount="30", address_id=address.pk)
    funded_user("5")  # another wallet's deposit stays untouched in the list
    operator = StaffFactory(email="operator@example.test", roles=["operator"])

    page = browsing.open()
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/login/"))
    steps.admin_log_in(page, email=operator.email, password=DEFAULT_PASSWORD)
    expect(page.locator("#site-name")).to_contain_text("OGC NewFinity operator console")

    page.goto("/admin/wallets/transaction/?kind__exact=withdrawal&status__exact=pending")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("payee@example.test")
    rows.first.locator("input.action-select").check()
    page.locator("select[name=action]").select_option("approve_withdrawals")
    page.get_by_role("button", name="Go").click()
    expect(page.locator("ul.messagelist")).to_contain_text("1 withdrawal(s) approved.")

    withdrawal = Transaction.objects.with_state().get(pk=withdrawal.pk)
    assert withdrawal.state == "completed"  # settled by a new entry
    wallet = Wallet.objects.get(user=member)
    assert (wallet.available, wallet.held) == (Decimal(50), Decimal(0))
    assert Notification.objects.filter(recipient=member, kind="withdrawal_approved").exists()
    assert_ledger_clean()

    # The member sees it on the wallet page.
    member_page = browsing.open()
    member_page.goto("/accounts/login/")
    member_page.fill("#id_login", member.email)
    member_page.fill("#id_password", DEFAULT_PASSWORD)
    member_page.get_by_role("button", name="Log in").click()
    member_page.goto("/wallet/")
    _balances(member_page, "50", "0", "0")
    expect(member_page.get_by_test_id("ledger").locator("tbody tr").first).to_contain_text("Completed")
