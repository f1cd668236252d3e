"""Real-browser fixtures: headless Debian Chromium driven by Playwright (sync API)
against pytest-django's ``live_server`` (a real HTTP server thread on the test DB).

* The browser is the system one (``/usr/bin/chromium``, Debian's ``chromium``
  package, installed by ``make system-deps``); Playwright never downloads one. When
  it is missing the tests skip with the reason, except in CI (``CI`` set), where a
  missing browser is a failure.
* A failed test leaves a full-page screenshot in ``test-artifacts/screenshots/``
  (CI keeps that folder as an artifact; see README), taken by the
  ``pytest_runtest_makereport`` hook below while the page is still open; the page
  checks found so far (``browsing.checks``, see ``checks.py``) join its report.
* ``DJANGO_ALLOW_ASYNC_UNSAFE``: Playwright's sync API runs an asyncio event loop
  in the test's thread (in a greenlet), so Django sees a "running loop" and refuses
  ORM calls from that thread with ``SynchronousOnlyOperation``. The tests call the
  ORM synchronously between browser steps, never from a coroutine and never
  concurrently with the loop, so the guard's concern (blocking an event loop that
  serves other work) does not apply; it is lifted while the browser runs only.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = Path(os.environ.get("OGC_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # The machine (and CI) has no network: without these Chromium keeps trying to
    # reach Google's services and floods the log with refused connections.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} not found: install Debian's chromium package (make system-deps)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; browser tests cannot be skipped in CI.")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser(django_db_setup, live_server):
    """Chromium for the tests of one module. Module-scoped on purpose: while
    Playwright runs, its event loop is "running" in this thread, so it must stop
    before the rest of the suite (the ORM guard is lifted only meanwhile). The
    test database and the live server are set up before the loop starts."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def seeded(transactional_db):
    """Roles with their permissions and the default plans (``manage.py seed``)."""
    from django.core.management import call_command

    call_command("seed", "--no-admin", stdout=io.StringIO())


class Session:
    """Browser contexts of one test: ``open()`` gives a page in a fresh context (its
    own cookies, i.e. another person) with ``live_server`` as the base URL."""

    def __init__(self, browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: list = []
        #: A test's ``tests.e2e.checks.PageChecks``: its findings join a failure's report.
        self.checks = None

    def open(self, **options):
        """``options`` go to ``new_context`` (e.g. ``storage_state`` to be the same person
        again, ``bypass_csp`` to inject a test script such as axe-core)."""
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = self.browser.new_context(base_url=self.base_url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        return context.new_page()

    @property
    def pages(self) -> list:
        return [page for context in self.contexts for page in context.pages]

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(browser, live_server):
    session = Session(browser, live_server.url)
    yield session
    session.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure, screenshot every page the test opened (before the fixtures
    close them) to ``test-artifacts/screenshots/<test>-<n>.png``."""
    report = yield
    session = getattr(item, "funcargs", {}).get("browsing")
    if report.failed and report.when == "call" and isinstance(session, Session) and session.pages:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid.split("::", 1)[-1])
        for n, page in enumerate(session.pages):
            path = SCREENSHOTS / f"{stem}-{n}.png"
            try:
                page.screenshot(path=str(path), full_page=True)
            except Exception as exc:  # a crashed page must not hide the test's own failure
                report.sections.append(("screenshot", f"could not save {path}: {exc}"))
            else:
                report.sections.append(("screenshot", f"saved {path} ({page.url})"))
    checks = session.checks if isinstance(session, Session) else None
    if report.failed and report.when == "call" and checks is not None and not checks.reported(call.excinfo):
        found = checks.problems
        report.sections.append(("page checks so far", "\n".join(found) if found else "none"))
    return report
