"""Driving the app in a real browser: Debian's chromium, headless, through Playwright.

Test modules take the ``server`` and ``browser`` fixtures from ``tests/app/conftest.py`` and use
:func:`sign_in` to arrive as a person does: type the user name and password, give a purpose. Every
request that leaves this machine is blocked and recorded in the list passed in, so a test can
assert the app works air-gapped.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, Route
from playwright.sync_api import Request as PWRequest

from disrupt.commands_app import streamlit_command

CHROMIUM = os.environ.get("DISRUPT_TEST_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = os.environ.get("DISRUPT_SCREENSHOT_DIR")
PASSWORD = "a long test password"
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(env: dict[str, str]) -> Iterator[str]:
    """Serve the app with ``env`` on a free loopback port; yields its URL once it answers."""
    port = free_port()
    proc = subprocess.Popen(
        streamlit_command("127.0.0.1", port), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            raise AssertionError("the app did not start within 60 s")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def sign_in(browser: Browser | BrowserContext, url: str, role: str, blocked: list[str], *, path: str = "") -> Page:
    """A new page (a new tab, given a context) signed in as ``test-{role}`` with a purpose, as a person types it."""
    if isinstance(browser, BrowserContext):
        page = browser.new_page()
    else:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})

    def only_local(route: Route, request: PWRequest) -> None:
        if request.url.startswith(LOCAL):
            route.continue_()
        else:
            blocked.append(request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(url + path)
    page.get_by_role("textbox", name="User name").fill(f"test-{role}")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("textbox", name="Purpose").fill("TEST-OP-2 browser check")
    page.get_by_role("button", name="Continue").click()
    page.get_by_text(f"test-{role}").first.wait_for(timeout=30000)
    return page


def shot(page: Page, name: str, tmp_path: Path) -> Path:
    """A screenshot in ``tmp_path`` (and in ``$DISRUPT_SCREENSHOT_DIR`` when set); returns its path."""
    page.wait_for_timeout(500)
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)
    return path


def drawn_pixels(page: Page, frame_selector: str, inner: str) -> int:
    """How many non-white pixels a canvas inside an iframe holds."""
    frame = page.frame_locator(frame_selector)
    canvas = frame.locator(inner).first
    canvas.wait_for(timeout=30000)
    return int(
        canvas.evaluate(
            "c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;"
            " for (let i = 0; i < d.length; i += 4) {"
            "   if (d[i+3] > 0 && (d[i] < 240 || d[i+1] < 240 || d[i+2] < 240)) n++; }"
            " return n; }"
        )
    )
