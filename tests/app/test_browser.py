"""The app in a real browser (Debian's chromium, headless, driven by Playwright) with every request
outside this machine blocked: each role signs in, and the network canvas and the map are drawn."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from disrupt.commands_app import streamlit_command
from tests.app.conftest import PASSWORD, AppWorld

CHROMIUM = os.environ.get("DISRUPT_TEST_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = os.environ.get("DISRUPT_SCREENSHOT_DIR")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(app_world: AppWorld) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        **app_world.env,
        "DISRUPT_BOUNDARIES": str(app_world.data_dir / "boundaries" / "wards.geojson"),
    }
    proc = subprocess.Popen(
        streamlit_command("127.0.0.1", port), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
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


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).is_file(), (
        f"no chromium at {CHROMIUM}: `.ci/run` installs it with apt-get install -y chromium"
    )
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield b
        b.close()


def _sign_in(browser: Browser, url: str, role: str, blocked: list[str]) -> Page:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})

    def only_local(route, request) -> None:  # type: ignore[no-untyped-def]
        if request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")):
            route.continue_()
        else:
            blocked.append(request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(url)
    page.get_by_role("textbox", name="User name").fill(f"test-{role}")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("textbox", name="Purpose").fill("TEST-OP-2 browser check")
    page.get_by_role("button", name="Continue").click()
    page.get_by_text(f"test-{role}").first.wait_for(timeout=30000)
    return page


def _shot(page: Page, name: str, tmp_path: Path) -> None:
    page.wait_for_timeout(500)
    page.screenshot(path=str(tmp_path / f"{name}.png"))
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"))


def _drawn_pixels(page: Page, frame_selector: str, inner: str) -> int:
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


def test_analyst_sees_the_network_drawn_and_clicks_a_node(
    server: str, browser: Browser, app_world: AppWorld, tmp_path: Path
) -> None:
    from graph import open_store

    store = open_store(app_world.store_url)
    organiser = store.read_results("groups").rows[0]["entity_id"]  # type: ignore[union-attr]
    store.close()
    blocked: list[str] = []
    page = _sign_in(browser, server, "analyst", blocked)
    page.get_by_role("link", name="Network").click()
    page.get_by_role("textbox", name="Centre on entity id").fill(organiser)
    page.keyboard.press("Enter")
    frame = page.frame_locator("iframe[title*='disrupt_network']")
    frame.locator("body[data-settled='1']").wait_for(timeout=60000)
    assert _drawn_pixels(page, "iframe[title*='disrupt_network']", "#net canvas") > 2000
    _shot(page, "network", tmp_path)
    where = frame.locator("#net canvas").evaluate(
        "(c, id) => { const n = window.disruptNetwork; return n.canvasToDOM(n.getPositions([id])[id]); }", organiser
    )
    frame.locator("#net canvas").click(position={"x": where["x"], "y": where["y"]})  # select the organiser
    page.get_by_text("Selected:").wait_for(timeout=15000)
    page.get_by_role("link", name="Hotspot map").click()
    assert _drawn_pixels(page, "iframe[srcdoc]", ".leaflet-overlay-pane canvas") > 2000
    _shot(page, "hotspot-map-analyst", tmp_path)
    assert not blocked, blocked


@pytest.mark.parametrize(
    ("role", "link", "name"),
    [
        ("strategic", "Hotspot map", "hotspot-map"),
        ("strategic", "Management information", "dashboard"),
        ("licensing", None, "licensing"),
        ("admin", "Audit log", "audit-log"),
    ],
)
def test_each_role_signs_in_and_opens_its_pages(
    server: str, browser: Browser, role: str, link: str | None, name: str, tmp_path: Path
) -> None:
    blocked: list[str] = []
    page = _sign_in(browser, server, role, blocked)
    if link:
        page.get_by_role("link", name=link).click()
    if name == "hotspot-map":
        assert _drawn_pixels(page, "iframe[srcdoc]", ".leaflet-overlay-pane canvas") > 2000
    if name == "licensing":
        page.get_by_role("textbox", name="Licence number, VRM, name or address").fill("Guest House")
        page.get_by_role("button", name="Check").click()
        page.get_by_text("concern level").first.wait_for(timeout=30000)
    page.wait_for_timeout(1500)
    _shot(page, name, tmp_path)
    assert page.get_by_role("link", name="Network").count() == 0 or role == "analyst"
    assert not blocked, blocked
