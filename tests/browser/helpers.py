"""Helpers of the real-browser tests: signing in, axe-core checks, screenshots."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "test-artifacts" / "screenshots"
BLOCKING_IMPACTS = ("serious", "critical")

# axe-core comes from the axe.min.js bundled inside axe_playwright_python (read from
# the package directory, never from a CDN) and is injected with page.evaluate().
AXE = Axe()


def login(page: Page, live_server, username: str, password: str) -> None:
    """Signs in through the real login form and waits for the page after it."""
    page.goto(f"{live_server.url}/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Sandi").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Masuk", exact=True).click()


def assert_accessible(page: Page, name: str) -> None:
    """Runs axe-core on the current page; fails on any serious or critical violation."""
    results = AXE.run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"axe found {len(blocking)} serious/critical violation(s) on {name!r}:"]
        for violation in blocking:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"]:
                lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:200]}")
                if node.get("failureSummary"):
                    lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
        pytest.fail("\n".join(lines), pytrace=False)


def screenshot(page: Page, name: str) -> Path:
    """Saves a full-page PNG under test-artifacts/screenshots/ (git-ignored)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
