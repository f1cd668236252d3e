"""The operator console in a real browser (headless Chromium), one role at a time.

An operator, a moderator and an auditor log in; each sees the dashboard tiles of
their role and can open only their queues. The operator approves a withdrawal from
the queue and credits a deposit picking the member by autocomplete; the moderator
scores and accepts a submission from the review queue. Every console page visited
must fit 1280 px without horizontal overflow (neither the page nor a table hiding
columns) and have no serious or critical accessibility violation (axe-core, vendored
under tests/e2e/assets/); the site's CSP stays on for the flows, and any CSP
violation reported by the browser fails the test.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from accounts.tests.factories import DEFAULT_PASSWORD
from challenges.models import Submission, SubmissionStatus
from challenges.tests.factories import SubmissionFactory
from core.permissions import ROLE_AUDITOR, ROLE_MODERATOR, ROLE_OPERATOR
from tests.console import ALL_TILES, MODERATOR_TILES, pending_withdrawal, staff
from tests.e2e import steps
from wallets.models import Transaction, TransactionStatus, Wallet
from wallets.tests.factories import funded_user
from wallets.verification import assert_ledger_clean

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "assets" / "axe.min.js"
WIDTH = 1280
OVERFLOW_JS = """() => {
  const root = document.documentElement;
  const tables = Array.from(document.querySelectorAll('#changelist .results, #result_list, .ogc-chart'));
  return {
    page: root.scrollWidth - root.clientWidth,
    tables: tables.map(t => t.scrollWidth - t.clientWidth).filter(d => d > 1),
  };
}"""
AXE_JS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


@pytest.fixture
def console(seeded):
    """The three role accounts and something waiting in each queue."""
    withdrawal = pending_withdrawal("40", email="payee@example.test", display_name="Pat Payee")
    submission = SubmissionFactory(title="A circle, in gold", content="SVG attached in spirit.")
    accounts = {
        role: staff(role, email=f"{role}@example.test", display_name=role.capitalize())
        for role in (ROLE_OPERATOR, ROLE_MODERATOR, ROLE_AUDITOR)
    }
    return {"withdrawal": withdrawal, "submission": submission, **accounts}


class Console:
    """A logged-in console user: pages with the CSP on (CSP reports collected), and
    ``check()`` for overflow at 1280 px and axe-core in a second context of the same
    session with ``bypass_csp`` (injecting axe is an inline script)."""

    def __init__(self, browsing, email: str) -> None:
        self.browsing = browsing
        self.page = browsing.open()
        self.csp_errors: list[str] = []
        self.page.on(
            "console",
            lambda m: self.csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
        )
        steps.admin_log_in(self.page, email=email, password=DEFAULT_PASSWORD)
        expect(self.page.locator("#site-name")).to_contain_text("OGC NewFinity operator console")
        self._audit_page: Page | None = None

    def check(self, path: str | None = None) -> None:
        """Overflow and accessibility of ``path`` (default: the current page)."""
        path = path or re.sub(r"^https?://[^/]+", "", self.page.url)
        if self._audit_page is None:
            state = self.page.context.storage_state()
            self._audit_page = self.browsing.open(storage_state=state, bypass_csp=True)
        audit = self._audit_page
        audit.goto(path)
        audit.wait_for_load_state("load")
        audit.evaluate("() => new Promise(resolve => setTimeout(resolve, 0))")  # the page's own load handlers
        overflow = audit.evaluate(OVERFLOW_JS)
        assert overflow["page"] <= 0, f"{path}: the page is {overflow['page']} px wider than {WIDTH} px"
        assert not overflow["tables"], f"{path}: a table hides {overflow['tables']} px of columns at {WIDTH} px"
        audit.add_script_tag(path=str(AXE))
        violations = audit.evaluate(AXE_JS)
        assert not violations, f"{path}: {json.dumps(violations, indent=2)}"
        assert not self.csp_errors, self.csp_errors


def _tiles(page: Page) -> set[str]:
    return {t.strip() for t in page.locator(".ogc-tile__title").all_inner_texts()}


def test_operator_works_the_withdrawal_queue_and_credits_a_deposit(browsing, console):
    operator = Console(browsing, console["operator"].email)
    page = operator.page
    assert _tiles(page) == ALL_TILES
    withdrawals = page.locator(".ogc-tile", has_text="Withdrawals awaiting approval")
    expect(withdrawals).to_contain_text("40 OGC held")
    expect(page.locator(".ogc-chart")).to_have_count(3)
    operator.check("/admin/")

    withdrawals.get_by_role("link", name="Review the queue: Withdrawals awaiting approval").click()
    expect(page).to_have_url(re.compile(r"/admin/wallets/transaction/withdrawals/queue/$"))
    row = page.locator("#result_list tbody tr", has_text="payee@example.test")
    expect(row).to_contain_text("Pat Payee")
    expect(row).to_contain_text("1 deposit (100 OGC)")
    operator.check()
    row.get_by_role("button", name="Approve 40 OGC").click()
    expect(page.locator("ul.messagelist")).to_contain_text("approved: 40 OGC to payee@example.test")
    expect(page.locator("#result_list tbody tr", has_text="payee@example.test")).to_have_count(0)
    withdrawal = Transaction.objects.with_state().get(pk=console["withdrawal"].pk)
    assert withdrawal.state == TransactionStatus.COMPLETED  # settled by a new entry

    # A deposit: the member is found by part of their name (autocomplete), not typed as an email.
    member = funded_user("0", email="zoe.deposit@example.test", display_name="Zoe Quill")
    page.goto("/admin/wallets/transaction/deposit/")
    page.locator(".select2-selection").click()
    page.locator(".select2-search__field").fill("Quill")
    page.locator(".select2-results__option", has_text="zoe.deposit@example.test — Zoe Quill").click()
    page.get_by_label("Amount").fill("1250.5")
    page.get_by_label("External reference (deposits)").fill("0x" + "ab" * 32)
    operator.check()
    page.get_by_role("button", name="Credit a deposit").click()
    expect(page.locator("ul.messagelist")).to_contain_text("+1,250.5 OGC for zoe.deposit@example.test")
    assert Wallet.objects.get(user=member).available == Decimal("1250.5")

    for path in (
        "/admin/wallets/transaction/",
        "/admin/auditlog/logentry/",
        "/admin/subscriptions/subscription/past-due/",
        f"/admin/search/?q={member.email}",
    ):
        page.goto(path)
        operator.check()
    expect(page.locator(".ogc-search__hits")).to_contain_text(member.email)
    assert_ledger_clean()


def test_moderator_reviews_a_submission_from_the_queue(browsing, console):
    moderator = Console(browsing, console["moderator"].email)
    page = moderator.page
    assert _tiles(page) == MODERATOR_TILES
    moderator.check("/admin/")
    for forbidden in ("/admin/wallets/transaction/withdrawals/queue/", "/admin/subscriptions/subscription/past-due/"):
        assert page.goto(forbidden).status == 403

    page.goto("/admin/")
    tile = page.locator(".ogc-tile", has_text="Submissions awaiting review")
    tile.get_by_role("link", name="Review the queue: Submissions awaiting review").click()
    expect(page).to_have_url(re.compile(r"/admin/challenges/submission/queue/$"))
    row = page.locator("#result_list tbody tr", has_text="A circle, in gold")
    moderator.check()
    row.get_by_label("Score for “A circle, in gold”").fill("8.5")
    row.get_by_role("button", name="Accept").click()
    expect(page.locator("ul.messagelist")).to_contain_text("“A circle, in gold” accepted with a score of 8.5.")
    submission = Submission.objects.get(pk=console["submission"].pk)
    assert (submission.status, submission.score) == (SubmissionStatus.ACCEPTED, Decimal("8.5"))
    assert submission.reviewer == console["moderator"]


def test_auditor_reads_every_count_and_acts_on_nothing(browsing, console):
    auditor = Console(browsing, console["auditor"].email)
    page = auditor.page
    tiles = _tiles(page)
    assert {"Withdrawals awaiting approval", "Last verify_ledger", "Last check_integrity"} <= tiles
    withdrawals = page.locator(".ogc-tile", has_text="Withdrawals awaiting approval")
    expect(withdrawals.get_by_role("link", name="View: Withdrawals awaiting approval")).to_have_attribute(
        "href", "/admin/wallets/transaction/?kind__exact=withdrawal&status__exact=pending"
    )
    auditor.check("/admin/")
    for forbidden in (
        "/admin/wallets/transaction/withdrawals/queue/",
        "/admin/challenges/submission/queue/",
        "/admin/subscriptions/subscription/past-due/",
        "/admin/wallets/transaction/deposit/",
    ):
        assert page.goto(forbidden).status == 403, forbidden

    page.goto("/admin/auditlog/logentry/")
    expect(page.locator("#result_list")).to_contain_text("Wallet of payee@example.test")
    auditor.check()
    page.locator("#result_list tbody tr a").first.click()
    expect(page.locator("table.ogc-diff-table").first).to_be_visible()
    auditor.check()
