"""Real-browser fixtures: Playwright (sync API) driving Debian's Chromium.

Tests here are marked `@pytest.mark.browser` and
`@pytest.mark.django_db(transaction=True)`, and use pytest-django's `live_server`.
When /usr/bin/chromium is missing they are skipped with the reason; `.ci/run`
installs it, so CI always runs them. Plain helpers (login, axe, screenshots) live in
tests/browser/helpers.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

# Playwright's sync API keeps an asyncio event loop running in this thread, and
# Django refuses ORM calls from a thread with a running loop unless told otherwise.
# The test code (factories, services) and the live server thread are both plain sync.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    # bypass_csp is not needed: the page's CSP (script-src 'self') does not apply to
    # page.evaluate(), which is how axe-core is injected. The tests therefore run
    # under the same policy as real users.
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale="id-ID",
        timezone_id="Asia/Jakarta",
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
