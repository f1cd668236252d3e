"""The page checks every browser walk runs on every page it visits.

``PageChecks(width)`` watches the pages of a test (``watch(page)`` records the
console errors and uncaught exceptions of that page) and ``check(page, step)`` then
looks at the page as it is now:

* **width**: the page must not scroll horizontally
  (``document.documentElement.scrollWidth > window.innerWidth``);
* **accessibility**: axe-core (``assets/axe.min.js``, MPL-2.0, vendored unmodified; see
  ``assets/axe.min.js.LICENSE``) must report no violation of impact "serious" or
  "critical"; each is listed with its rule id, its help text and the first targets;
* **console**: no console message of type "error" and no uncaught exception since
  the previous check of that page (a CSP refusal, a missing static file, a
  JavaScript error, a failed request);
* and it saves a full-page screenshot to
  ``test-artifacts/screenshots/<step>-<width>.png`` (git-ignored; CI keeps the folder).

Problems are collected, not raised, so one run lists every page's findings;
``assert_clean()`` at the end of the walk fails with all of them (and a walk that
fails earlier shows those found so far, see ``pytest_runtest_makereport`` in
``conftest.py``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Page

from tests.e2e.conftest import SCREENSHOTS

AXE = Path(__file__).resolve().parent / "assets" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")
PROBLEMS_HEADER = "page problem(s):"
#: How many offending elements of one axe rule the failure message names.
TARGETS_SHOWN = 3

OVERFLOW = "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
#: Only the violations are needed: axe skips building the details of passes.
AXE_RUN = """async ([impacts, shown]) => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => impacts.includes(v.impact))
    .map(v => ({id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
                targets: v.nodes.slice(0, shown).map(n => n.target.join(' '))}));
}"""


class PageChecks:
    def __init__(self, width: int) -> None:
        self.width = width
        self.problems: list[str] = []
        self._console: dict[Page, list[str]] = {}

    def watch(self, page: Page) -> Page:
        """Record the console errors of ``page`` from now on (call it once, when the
        page is opened, so an error between two checks is not missed)."""
        errors = self._console.setdefault(page, [])
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
        return page

    def check(self, page: Page, step: str) -> None:
        page.wait_for_load_state("load")
        where = f"{step} at {self.width} px ({_path(page)})"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{step}-{self.width}.png"), full_page=True)

        size = page.evaluate(OVERFLOW)
        if size["scroll"] > size["inner"]:
            self.problems.append(f"{where}: scrolls sideways, {size['scroll']} px wide in {size['inner']} px")

        # Not page.add_script_tag(path=...): it inserts the file as an inline <script>,
        # which the site's CSP ('self' only) refuses. page.evaluate runs the file through
        # the DevTools protocol, which the page's CSP does not govern, so the CSP stays
        # on (no bypass_csp) and the console check still sees the site's own refusals.
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(_axe_source())
        for violation in page.evaluate(AXE_RUN, [list(BLOCKING_IMPACTS), TARGETS_SHOWN]):
            more = violation["count"] - len(violation["targets"])
            targets = ", ".join(violation["targets"]) + (f" (+{more} more)" if more > 0 else "")
            self.problems.append(
                f"{where}: axe {violation['impact']} {violation['id']}: {violation['help']} -> {targets}"
            )

        errors = self._console.get(page)
        if errors is None:
            self.problems.append(f"{where}: page not watched (call PageChecks.watch(page) when opening it)")
        else:
            self.problems.extend(f"{where}: console: {text}" for text in errors)
            errors.clear()

    def assert_clean(self) -> None:
        assert not self.problems, f"{len(self.problems)} {PROBLEMS_HEADER}\n" + "\n".join(self.problems)

    def reported(self, excinfo) -> bool:
        """Whether a test's failure is ``assert_clean``'s own (its message lists them)."""
        return excinfo is not None and PROBLEMS_HEADER in str(excinfo.value)


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def _path(page: Page) -> str:
    parts = urlsplit(page.url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
