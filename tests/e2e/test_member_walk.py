"""A new member's first session, walked in a real browser at 1280x800 and 390x844
(issue #14 item 8), every page checked by ``tests.e2e.checks.PageChecks``: no
sideways scrolling, no serious or critical axe-core violation, a clean console,
and a screenshot ``test-artifacts/screenshots/walk-<nn>-<step>-<width>.png``.

Sign up → dashboard → wallet: an operator credits a deposit with the admin's
"Credit a deposit" form in a second browser context (the operator's real path, about
a second per run: the same service call between browser steps would prove less), the
member stakes the proposal minimum, adds an address and requests a withdrawal
(through the confirmation step where the wallet has one) →
challenge: an entry, then the leaderboard → notifications: one leads to its page →
subscription → governance: a proposal of their own, then a vote on a proposal opened
after they staked. Each step asserts what the member sees: a heading, a balance, a
message. The wallet's interactions are the functions of ``tests/e2e/steps.py``.

Data a member cannot create from the site (the open challenge and its ranked entries,
another member's proposal) is written with the factories and services between steps.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page, expect

from accounts.tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory
from challenges.models import SubmissionStatus
from challenges.tests.factories import ChallengeFactory, SubmissionFactory
from core.amounts import format_amount
from governance.tests.factories import open_proposal, staked_member
from tests.e2e import steps
from tests.e2e.checks import PageChecks
from wallets.tests.factories import VALID_ADDRESSES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"laptop": (1280, 800), "phone": (390, 844)}
PASSWORD = "a-long-browser-password-7"
DEPOSIT = Decimal("400")  # on top of the proposal minimum, which the member stakes
WITHDRAWAL = Decimal("25")
ENTRY_FEE = Decimal("5")


def _amount(value: Decimal) -> str:
    return format_amount(value)


def _heading(page: Page, text: str | re.Pattern) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


@pytest.fixture
def world(seeded):
    """The open challenge with two ranked entries, and the operator."""
    challenge = ChallengeFactory(
        title="Design the community logo", slug="community-logo", entry_fee=ENTRY_FEE, prize_pool=Decimal("1000")
    )
    for name, score in (("Margaret", "88"), ("Alan", "64.5")):
        SubmissionFactory(
            challenge=challenge,
            user=UserFactory(display_name=name),
            title=f"{name}'s mark",
            status=SubmissionStatus.ACCEPTED,
            score=Decimal(score),
        )
    operator = StaffFactory(email="operator@example.test", roles=["operator"])
    return {"challenge": challenge, "operator": operator}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_new_member_walks_the_platform(browsing, world, viewport):
    width, height = VIEWPORTS[viewport]
    checks = PageChecks(width)
    browsing.checks = checks  # the failure report lists what was found so far (conftest)
    step_number = iter(range(1, 100))

    def check(page: Page, step: str) -> None:
        checks.check(page, f"walk-{next(step_number):02d}-{step}")

    min_stake = Decimal(settings.OGC_PROPOSAL_MIN_STAKE)
    email = f"walker.{viewport}@example.test"
    page = checks.watch(browsing.open())
    page.set_viewport_size({"width": width, "height": height})

    # Sign up (allauth's page) and land on the dashboard, wallet empty.
    page.goto("/")
    check(page, "home")
    steps.go_to(page, "Sign up")
    _heading(page, "Sign up")
    check(page, "signup")
    steps.sign_up(page, email=email, name="Wanda Walker", password=PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    _heading(page, "Welcome, Wanda Walker")
    expect(page.get_by_test_id("balance-available")).to_have_text("0 OGC")
    check(page, "dashboard")

    # Wallet: empty, then an operator credits a deposit from the admin.
    steps.open_wallet(page)
    steps.expect_balances(page, available="0", staked="0", held="0")
    check(page, "wallet-empty")
    operator = browsing.open()
    steps.admin_log_in(operator, email=world["operator"].email, password=DEFAULT_PASSWORD)
    total = min_stake + DEPOSIT
    steps.operator_deposit(operator, email=email, amount=str(total), reference=f"0xdeposit-{viewport}")
    operator.context.close()
    page.reload()
    steps.expect_balances(page, available=_amount(total), staked="0", held="0")
    steps.expect_in_ledger(page, "Deposit")
    check(page, "wallet-deposit")

    # Stake the proposal minimum; add an address and request a withdrawal.
    steps.stake(page, str(min_stake), on_confirm=lambda page: check(page, "wallet-confirm-stake"))
    steps.expect_balances(page, available=_amount(DEPOSIT), staked=_amount(min_stake), held="0")
    check(page, "wallet-staked")
    # The staking badges arrive after the commit, from a worker; none runs beside the live
    # server, so the scheduled safety net grants them, as it would after a lost message.
    call_command("reconcile_ledger_badges", stdout=io.StringIO())
    steps.add_withdrawal_address(page, VALID_ADDRESSES[0], label="Cold storage", password=PASSWORD)
    check(page, "wallet-address")
    steps.confirm_withdrawal_address(page, VALID_ADDRESSES[0])
    steps.withdraw(
        page,
        str(WITHDRAWAL),
        VALID_ADDRESSES[0],
        on_confirm=lambda page: check(page, "wallet-confirm-withdrawal"),
        password=PASSWORD,
    )
    steps.expect_balances(
        page, available=_amount(DEPOSIT - WITHDRAWAL), staked=_amount(min_stake), held=_amount(WITHDRAWAL)
    )
    check(page, "wallet-withdrawal")
    # TODO(issue #16): transfer tokens to another member here (steps.transfer) once
    # member transfers exist; the walk skips it until then.

    # A challenge: submit an entry (paying the fee), then the leaderboard.
    challenge = world["challenge"]
    steps.go_to(page, "Challenges")
    _heading(page, "Challenges")
    check(page, "challenges")
    page.get_by_role("link", name=challenge.title).first.click()
    _heading(page, re.compile(challenge.title))
    check(page, "challenge")
    entry = {"Title": "An infinity loop, in gold", "Content": "Two strokes and a coin."}
    steps.fill_and_send(page.get_by_test_id("submission-form"), entry, "Submit entry")
    steps.expect_message(page, "Submission received.")
    expect(page.get_by_test_id("my-submissions")).to_contain_text("An infinity loop, in gold")
    check(page, "challenge-entry")
    page.get_by_role("link", name="Full leaderboard").click()
    _heading(page, re.compile(r"^Leaderboard"))
    expect(page.get_by_test_id("leaderboard")).to_contain_text("Margaret")
    check(page, "leaderboard")

    # Notifications: the first-stake badge's notification leads to the badges.
    steps.go_to(page, "Notifications")
    _heading(page, "Notifications")
    inbox = page.get_by_test_id("inbox")
    expect(inbox).to_contain_text("Withdrawal requested")
    check(page, "notifications")
    inbox.get_by_test_id("notification-link").filter(has_text="First stake").click()
    expect(page).to_have_url(re.compile(r"/badges/$"))
    _heading(page, "My badges")
    expect(page.get_by_test_id("my-badges")).to_contain_text("First stake")
    check(page, "badges")

    # Subscription: the Pro plan starts with its free trial.
    steps.go_to(page, "Subscription")
    _heading(page, "Subscription")
    expect(page.get_by_test_id("no-subscription")).to_be_visible()
    check(page, "subscription")
    form = page.get_by_test_id("subscribe-form")
    form.get_by_label("Plan").select_option(label="Pro")
    form.get_by_role("button", name="Confirm plan").click()
    expect(page.get_by_test_id("current-subscription")).to_contain_text("Pro")
    expect(page.get_by_test_id("status")).to_have_text("Trialing")
    check(page, "subscription-trial")

    # Governance: propose (the stake meets the minimum) ...
    steps.go_to(page, "Governance")
    _heading(page, "Governance")
    check(page, "governance")
    page.get_by_test_id("new-proposal").click()
    _heading(page, "New proposal")
    check(page, "proposal-new")
    mine = {"Title": "Weekly office hours", "Body": "An hour a week where the team answers questions."}
    steps.fill_and_send(page.get_by_test_id("proposal-form"), mine, "Publish proposal")
    steps.expect_message(page, "Your proposal is published.")
    _heading(page, "Weekly office hours")
    check(page, "proposal-own")

    # ... and vote on a proposal opened after the member staked: their stake weighs.
    proposal = open_proposal(title="Plant more trees", author=staked_member(str(min_stake)), choices=["yes", "no"])
    steps.go_to(page, "Governance")
    check(page, "governance-new-proposal")
    page.get_by_role("link", name=proposal.title).click()
    _heading(page, proposal.title)
    expect(page.get_by_test_id("vote-weight")).to_contain_text(format_amount(min_stake, symbol="OGC"))
    check(page, "proposal")
    vote = page.get_by_test_id("vote-form")
    vote.get_by_label("Yes").check()
    vote.get_by_role("button", name="Vote").click()
    steps.expect_message(page, f"counts with weight {_amount(min_stake)}")
    check(page, "proposal-voted")

    checks.assert_clean()
