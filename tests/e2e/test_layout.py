"""Layout of every main page in a real browser, on a phone (390x844) and a laptop
(1280x800), logged in as a funded member (tests/layout_world.py):

* no page is wider than the viewport (``scrollWidth > innerWidth`` is horizontal
  scrolling: a table or a long amount pushing the page out);
* every link and button of the header is at least 44x44 px (the menu opened on
  the phone);
* the browser console stays clean (a CSP refusal of an inline script or style,
  a missing static file and a JavaScript error all land there).

Each page is saved to ``test-artifacts/screenshots/layout-<width>-<page>.png``
(git-ignored; CI keeps the folder) whatever the outcome: docs/ui.md shows some.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.tests.factories import DEFAULT_PASSWORD
from tests.e2e.conftest import SCREENSHOTS, TIMEOUT_MS
from tests.layout_world import MEMBER_EMAIL, build_layout_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": (390, 844), "laptop": (1280, 800)}
MIN_TARGET = 44

#: (name, path, logged in). Paths with {ids} are filled from the world.
PAGES = [
    ("home", "/", True),
    ("dashboard", "/dashboard/", True),
    ("wallet", "/wallet/", True),
    ("challenges", "/challenges/", True),
    ("challenge", "/challenges/{open_challenge}/", True),
    ("leaderboard", "/challenges/{past_challenge}/leaderboard/", True),
    ("badges", "/badges/", True),
    ("public-profile", "/u/{member}/", True),
    ("subscription", "/subscription/", True),
    ("governance", "/governance/", True),
    ("proposal", "/governance/{open_proposal}/", True),
    ("results", "/governance/{closed_proposal}/results/", True),
    ("new-proposal", "/governance/new/", True),
    ("notifications", "/notifications/", True),
    ("notification-preferences", "/notifications/preferences/", True),
    ("search", "/search/?q=water", True),
    ("search-anonymous", "/search/?q=water", False),
    ("similarity-checks", "/settings/ai/", True),
    ("assistant-summary", "/assistant/proposals/{open_proposal}/summary/", True),
    ("assistant-feedback", "/assistant/challenges/{open_challenge}/feedback/", True),
    ("assistant-history", "/assistant/", True),
    ("assistant-answer", "/assistant/requests/{ai_request}/", True),
    ("profile", "/profile/", True),
    ("email", "/accounts/email/", True),
    ("password", "/accounts/password/change/", True),
    ("two-step", "/accounts/2fa/", True),
    ("totp-activate", "/accounts/2fa/totp/activate/", True),
    ("sessions", "/account/sessions/", True),
    ("api-tokens", "/account/tokens/", True),
    ("login", "/accounts/login/", False),
    ("signup", "/accounts/signup/", False),
    ("home-anonymous", "/", False),
    ("not-found", "/no-such-page/", False),
]

OVERFLOW = "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
#: Visible links, buttons and the menu toggle of the header, with their size.
HEADER_TARGETS = """() => [...document.querySelectorAll(
    '.site-header a, .site-header button, .site-header summary')]
  .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
  .map(el => { const r = el.getBoundingClientRect();
    return {text: (el.innerText || el.getAttribute('aria-label') || el.className).trim().replace(/\\s+/g, ' '),
            width: Math.round(r.width * 10) / 10, height: Math.round(r.height * 10) / 10}; })"""


@pytest.fixture
def world(seeded):
    from ai.models import AIFeature
    from ai.services import request_create, request_run

    world = build_layout_world()
    # The member's answered assistant request (the history and answer pages).
    asked = request_create(
        user=world.member,
        feature=AIFeature.FEEDBACK,
        idempotency_key="layout",
        challenge=world.open_challenge.slug,
        draft="A long-form entry about water: rain barrels, drip lines and a shared schedule for the garden.",
    )
    world.ai_request = request_run(request_id=asked.pk)
    return world


def _paths(world) -> list[tuple[str, str, bool]]:
    ids = {
        "open_challenge": world.open_challenge.slug,
        "past_challenge": world.past_challenge.slug,
        "member": world.member.pk,
        "open_proposal": world.open_proposal.pk,
        "closed_proposal": world.closed_proposal.pk,
        "ai_request": world.ai_request.pk,
    }
    return [(name, path.format(**ids), member) for name, path, member in PAGES]


def _page(browsing, size: tuple[int, int]) -> Page:
    page = browsing.open()
    page.set_viewport_size({"width": size[0], "height": size[1]})
    return page


def _log_in(page: Page) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_login", MEMBER_EMAIL)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/dashboard/$"))
    expect(page.locator(".site-nav")).to_contain_text("Ada Lovelace")


def _check(page: Page, name: str, path: str, width: int, problems: list[str]) -> None:
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: console.append(f"uncaught: {error}"))
    response = page.goto(path)
    page.wait_for_load_state("load")
    status = response.status if response else 0
    expected_status = 404 if name == "not-found" else 200
    if status != expected_status:
        problems.append(f"{name} {path}: status {status}")

    page.screenshot(path=str(SCREENSHOTS / f"layout-{width}-{name}.png"), full_page=True)

    size = page.evaluate(OVERFLOW)
    if size["scroll"] > size["inner"]:
        problems.append(f"{name} at {width}: {size['scroll']} px wide in a {size['inner']} px viewport")

    toggle = page.locator("summary.nav-toggle")
    if toggle.is_visible():
        toggle.click()
        expect(page.locator("#site-nav")).to_be_visible()
    for target in page.evaluate(HEADER_TARGETS):
        if target["width"] < MIN_TARGET or target["height"] < MIN_TARGET:
            problems.append(f"{name} at {width}: '{target['text']}' is {target['width']}x{target['height']} px")

    if name == "not-found":  # the document's own 404 status is logged as a console error
        console = [text for text in console if "status of 404" not in text]
    problems.extend(f"{name} at {width}: console: {text}" for text in console)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_every_main_page_fits_the_screen(browsing, world, viewport):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width, height = VIEWPORTS[viewport]
    member = _page(browsing, (width, height))
    member.set_default_timeout(TIMEOUT_MS)
    _log_in(member)
    visitor = _page(browsing, (width, height))

    problems: list[str] = []
    for name, path, logged_in in _paths(world):
        _check(member if logged_in else visitor, name, path, width, problems)
    assert not problems, "\n".join(problems)


def test_the_menu_works_without_javascript(browser, live_server):
    """The menu is a <details>: it opens with JavaScript off, and the wide layout
    shows it as a bar without a toggle."""
    for size, toggle_visible in (((390, 844), True), ((1280, 800), False)):
        viewport = {"width": size[0], "height": size[1]}
        context = browser.new_context(base_url=live_server.url, viewport=viewport, java_script_enabled=False)
        try:
            page = context.new_page()
            page.goto("/challenges/")
            toggle = page.locator("summary.nav-toggle")
            if toggle_visible:
                expect(page.locator("#site-nav")).to_be_hidden()
                toggle.click()
            else:
                expect(toggle).to_be_hidden()
            expect(page.locator("#site-nav").get_by_role("link", name="Governance", exact=True)).to_be_visible()
            expect(page.locator("#site-nav").get_by_role("link", name="Log in", exact=True)).to_be_visible()
        finally:
            context.close()


def test_refused_signup_shows_the_summary_and_the_error_on_the_password_field(browsing, world):
    page = _page(browsing, VIEWPORTS["phone"])
    page.goto("/accounts/signup/")
    page.fill("#id_email", "new.member@example.test")
    page.fill("#id_password1", "short")
    page.fill("#id_password2", "short")
    page.get_by_role("button", name="Sign up").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name="too short")
    expect(link).to_have_attribute("href", "#id_password1")
    field = page.locator(".field", has=page.locator("#id_password1"))
    expect(field.locator(".field-error")).to_contain_text("too short")
    expect(page.locator("#id_password1")).to_have_attribute(
        "aria-describedby", "id_password1_helptext id_password1_error"
    )
    size = page.evaluate(OVERFLOW)
    assert size["scroll"] <= size["inner"], size
