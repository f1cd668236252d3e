"""Steps of the browser walks, written as a person does them.

Every interaction with the **wallet page** lives here, in small functions, because
that page is being rebuilt (balance tiles, Max buttons, a confirmation step before
stake/unstake/withdraw, CSV export, a chart): after that change, adapt these
functions and the walks keep working. They are written against today's page: one
form per action (``data-testid="stake-form"`` ...), balances in
``data-testid="available"``/``"staked"``/``"held"``, results as toasts; they also
take the confirmation step when a page asks for one (``_send_amount``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Locator, Page, expect

# --- the site around the wallet -------------------------------------------------------


def expect_message(page: Page, text: str) -> None:
    """The toast that reports the result of the last action."""
    expect(page.locator(".messages")).to_contain_text(text)


def go_to(page: Page, name: str) -> None:
    """Follow a link of the header menu (opened first on a phone, where it is folded);
    ``name`` starts the link's name ("Notifications" carries the unread count)."""
    toggle = page.locator("summary.nav-toggle")
    if toggle.is_visible():
        toggle.click()
    page.locator("#site-nav").get_by_role("link", name=re.compile(rf"^{re.escape(name)}\b")).click()


def sign_up(page: Page, *, email: str, name: str, password: str) -> None:
    """Fill and send allauth's sign-up form (the page must be open)."""
    page.fill("#id_email", email)
    page.fill("#id_display_name", name)
    page.fill("#id_password1", password)
    page.fill("#id_password2", password)
    page.get_by_role("button", name="Sign up").click()


def fill_and_send(form: Locator, fields: dict[str, str], button: str) -> None:
    """Fill a form's fields by their labels and press its button."""
    for label, value in fields.items():
        form.get_by_label(label).fill(value)
    form.get_by_role("button", name=button).click()


def log_in(page: Page, *, email: str, password: str, code: Callable[[], str] | None = None) -> None:
    """allauth's login page (the page must be open); ``code()`` gives an authenticator
    code when the account has a second factor (allauth asks for it on the next page)."""
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    if "/accounts/2fa/authenticate/" in page.url:
        assert code is not None, "the account has a second factor: pass code="
        page.fill("#id_code", code())
        with page.expect_navigation():
            page.get_by_role("button", name=re.compile("^Sign in$", re.IGNORECASE)).click()


def admin_log_in(page: Page, *, email: str, password: str) -> None:
    """The console's login is allauth's (``/admin/login/`` sends there), then the code
    of the staff account's authenticator app, computed from its secret."""
    from accounts.models import User
    from accounts.tests.factories import unused_totp_code

    page.goto("/admin/login/")
    user = User.objects.get(email=email)
    log_in(page, email=email, password=password, code=lambda: unused_totp_code(user))
    expect(page.locator("#site-name")).to_contain_text("operator console")


def operator_deposit(page: Page, *, email: str, amount: str, reference: str) -> None:
    """An operator credits a deposit with the admin's "Credit a deposit" form."""
    page.goto("/admin/wallets/transaction/deposit/")
    # The member is picked by autocomplete (part of the email), as an operator would.
    page.locator(".select2-selection").click()
    page.locator(".select2-search__field").fill(email.split("@")[0])
    page.locator(".select2-results__option", has_text=email).first.click()
    page.fill("#id_amount", amount)
    page.fill("#id_reference", reference)
    page.fill("#id_reason", "on-chain deposit")
    page.get_by_role("button", name="Credit a deposit").click()
    expect(page.locator("ul.messagelist")).to_contain_text(email)


# --- the wallet page ------------------------------------------------------------------


def open_wallet(page: Page) -> None:
    go_to(page, "Wallet")
    expect(page.get_by_role("heading", level=1)).to_have_text("Wallet")


def expect_balances(page: Page, *, available: str, staked: str, held: str) -> None:
    """The wallet's three balances as the page writes them (``token_amount``: "375", "12.5")."""
    expect(page.get_by_test_id("available")).to_have_text(available)
    expect(page.get_by_test_id("staked")).to_have_text(staked)
    expect(page.get_by_test_id("held")).to_have_text(held)


def expect_in_ledger(page: Page, text: str) -> None:
    expect(page.get_by_test_id("ledger")).to_contain_text(text)


def step_up_if_asked(page: Page, password: str | None) -> None:
    """allauth's re-authentication page (before a withdrawal or a new address, when the
    last sign-in is not recent): enter the password again; allauth then resumes the
    request that asked."""
    if "/accounts/reauthenticate/" not in page.url:
        return
    assert password, "the page asked to sign in again: pass the member's password"
    expect(page.get_by_role("heading", name=re.compile("Confirm Access|Confirm it", re.IGNORECASE))).to_be_visible()
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^Confirm", re.IGNORECASE)).click()


def _send_amount(
    page: Page,
    form_id: str,
    amount: str,
    *,
    action: str,
    done: str,
    address: str = "",
    on_confirm: Callable[[Page], None] | None = None,
    password: str | None = None,
) -> None:
    """Fill a money form and send it; if the next page asks to confirm (the rebuilt
    wallet restates each move first: ``data-testid="confirm-form"``), call
    ``on_confirm(page)`` there (e.g. the page checks) and confirm. ``action`` names the
    form's button ("Stake", or "Review stake" on the rebuilt page); ``done`` is a
    pattern of the resulting message."""
    form = page.get_by_test_id(form_id)
    form.get_by_label("Amount").fill(amount)
    if address:
        choice = form.get_by_label("Address")
        # Options name an address by its ends ("0x5aAe…BeAed"), or in full on older pages.
        option = choice.locator("option").filter(has_text=address[:6]).filter(has_text=address[-4:]).first
        choice.select_option(option.get_attribute("value"))
    with page.expect_navigation():
        form.get_by_role("button", name=re.compile(rf"^(review )?{action}$", re.IGNORECASE)).click()
    step_up_if_asked(page, password)
    confirm = page.get_by_test_id("confirm-form")
    if confirm.count():
        if on_confirm is not None:
            on_confirm(page)
        with page.expect_navigation():
            confirm.get_by_role("button").click()
        step_up_if_asked(page, password)
    expect(page.locator(".messages")).to_contain_text(re.compile(done))


def stake(page: Page, amount: str, *, on_confirm: Callable[[Page], None] | None = None) -> None:
    _send_amount(page, "stake-form", amount, action="stake", done=r"Staked\b", on_confirm=on_confirm)


def unstake(page: Page, amount: str, *, on_confirm: Callable[[Page], None] | None = None) -> None:
    _send_amount(page, "unstake-form", amount, action="unstake", done=r"Unstake(d| started)", on_confirm=on_confirm)


def add_withdrawal_address(page: Page, address: str, *, label: str = "", password: str | None = None) -> None:
    """Add an address; a recent re-authentication is needed (``step_up_if_asked``)."""
    with page.expect_navigation():
        fill_and_send(page.get_by_test_id("address-form"), {"Address": address, "Label": label}, "Add address")
    step_up_if_asked(page, password)
    expect_message(page, "Address added.")
    expect(page.get_by_test_id("addresses")).to_contain_text(address)


def confirm_withdrawal_address(page: Page, address: str) -> None:
    """Open the confirmation link the address's email carries (computed here: the e2e
    server runs no mail worker; wallets/tests/test_address_confirmation.py reads it out of
    the delivered email) and confirm; then the new-address cool-down passes (time moved:
    the address's ``usable_from`` set to the moment it was added)."""
    from wallets.models import WalletAddress
    from wallets.services import address_confirm_token

    added = WalletAddress.objects.select_related("wallet").get(address=address)
    page.goto(page.url.split("/wallet/")[0] + f"/wallet/addresses/confirm/{address_confirm_token(added)}/")
    expect(page.get_by_role("heading", name="Confirm a withdrawal address")).to_be_visible()
    page.get_by_role("button", name="Confirm this address").click()
    expect_message(page, "confirmed")
    expect(page.get_by_test_id("addresses")).to_contain_text("usable after the waiting period")
    WalletAddress.objects.filter(pk=added.pk).update(usable_from=added.created_at)
    page.reload()
    expect(page.get_by_test_id("addresses")).to_contain_text("Ready for withdrawals")


def withdraw(
    page: Page,
    amount: str,
    address: str,
    *,
    on_confirm: Callable[[Page], None] | None = None,
    password: str | None = None,
) -> None:
    """Request a withdrawal to one of the member's addresses (after a re-authentication
    when the last one is not recent); it waits for an operator."""
    _send_amount(
        page,
        "withdraw-form",
        amount,
        action="(request )?withdrawal",
        done=r"Withdrawal (of .+ )?requested",
        address=address,
        on_confirm=on_confirm,
        password=password,
    )
    expect(page.get_by_test_id("pending-withdrawals")).to_contain_text(address)


# TODO(issue #16): transfer(page, amount, to) once members can send tokens to each
# other; the member walk calls it between the withdrawal and the challenge.
