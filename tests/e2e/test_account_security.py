"""Issue #17 in Chromium: a staff member enrols TOTP in the browser (codes computed from
the secret the page shows), and a member's large withdrawal goes through address
confirmation, the cool-down (time moved), step-up, and two operators' approvals."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from accounts.tests.factories import DEFAULT_PASSWORD, StaffFactory, totp_code
from tests.console import seed_roles
from tests.e2e import steps
from wallets.models import Transaction, WithdrawalApproval
from wallets.tests.factories import VALID_ADDRESSES, current, funded_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]
QUEUE = "/admin/wallets/transaction/withdrawals/queue/"


def _enrol_totp_in_the_browser(page: Page, email: str) -> str:
    """Log in as a staff account without a second factor: the console sends it to the
    enrolment page; read the secret, answer with the code it gives. Returns the secret."""
    page.goto("/admin/")
    steps.log_in(page, email=email, password=DEFAULT_PASSWORD)
    page.goto("/admin/")
    steps.step_up_if_asked(page, DEFAULT_PASSWORD)  # enrolling asks for a recent sign-in
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    page.fill("#id_code", totp_code(secret))
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^Activate$", re.IGNORECASE)).click()
    page.goto("/admin/")
    expect(page.locator("#site-name")).to_contain_text("operator console")
    return secret


def _approve_in_the_queue(page: Page, amount: str) -> None:
    page.goto(QUEUE)
    page.get_by_role("button", name=re.compile(rf"^Approve {re.escape(amount)}")).click()


def test_staff_enrol_totp_and_two_operators_send_a_large_withdrawal(browsing, seeded, settings):
    settings.OGC_WITHDRAWAL_SECOND_APPROVAL_ABOVE = Decimal("100")
    seed_roles()
    first = StaffFactory(email="olga@example.test", roles=["operator"], roles__mfa=False, mfa=False)
    second = StaffFactory(email="omar@example.test", roles=["operator"])
    member = funded_user("1000", email="wanda@example.test")

    # 1. A staff account without a second factor enrols one in the browser.
    olga = browsing.open()
    secret = _enrol_totp_in_the_browser(olga, first.email)
    assert first.authenticator_set.filter(type="totp").exists() and secret

    # 2. The member adds an address (asked for the password again), confirms it from the
    #    emailed link, waits out the cool-down (time moved), and withdraws 250 OGC.
    page = browsing.open()
    page.goto("/accounts/login/")
    steps.log_in(page, email=member.email, password=DEFAULT_PASSWORD)
    steps.open_wallet(page)
    steps.add_withdrawal_address(page, VALID_ADDRESSES[1], label="Cold", password=DEFAULT_PASSWORD)
    steps.confirm_withdrawal_address(page, VALID_ADDRESSES[1])
    steps.withdraw(page, "250", VALID_ADDRESSES[1], password=DEFAULT_PASSWORD)
    row = Transaction.objects.get(user=member, kind="withdrawal")
    assert current(row).state == "pending"

    # 3. The first operator's approval is recorded; nothing is sent yet.
    _approve_in_the_queue(olga, "250")
    expect(olga.locator(".messagelist")).to_contain_text("your approval is recorded (1 of 2 approvals)")
    expect(olga.get_by_test_id("approvals")).to_have_text("1 of 2 approvals")
    row.refresh_from_db()
    assert current(row).state == "pending"

    # 4. A second, different operator (signs in with a code) sends it.
    omar = browsing.open()
    steps.admin_log_in(omar, email=second.email, password=DEFAULT_PASSWORD)
    _approve_in_the_queue(omar, "250")
    expect(omar.locator(".messagelist")).to_contain_text(f"Withdrawal #{row.pk} approved")
    assert current(row).state == "completed"  # the settling entry's (the row itself never changes)
    assert set(WithdrawalApproval.objects.filter(withdrawal=row).values_list("operator__email", flat=True)) == {
        "olga@example.test",
        "omar@example.test",
    }
    page.reload()
    steps.expect_balances(page, available="750", staked="0", held="0")
