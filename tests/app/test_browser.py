"""The app in a real browser (Debian's chromium, headless, driven by Playwright) with every request
outside this machine blocked: each role signs in, and the network canvas and the map are drawn."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.app.browser import drawn_pixels, shot, sign_in
from tests.app.conftest import AppWorld


def test_analyst_sees_the_network_drawn_and_clicks_a_node(
    server: str, browser: Browser, app_world: AppWorld, tmp_path: Path
) -> None:
    from graph import open_store

    store = open_store(app_world.store_url)
    group = store.read_results("groups").rows[0]  # type: ignore[union-attr]
    store.close()
    organiser, name = (
        group["entity_id"],
        next(m["label"] for m in group["members"] if m["entity_id"] == group["entity_id"]),
    )
    blocked: list[str] = []
    page = sign_in(browser, server, "analyst", blocked)
    page.get_by_role("link", name="Network").click()
    page.get_by_role("textbox", name="Centre on: find a person, place or thing").fill(name)
    page.keyboard.press("Enter")
    page.get_by_role("combobox", name=re.compile("^Choose")).click()
    page.get_by_role("option", name=re.compile("^" + re.escape(name) + r" \(")).first.click()
    frame = page.frame_locator("iframe[title*='disrupt_network']")
    frame.locator("body[data-settled='1']").wait_for(timeout=60000)
    assert drawn_pixels(page, "iframe[title*='disrupt_network']", "#net canvas") > 2000
    shot(page, "network-drawn", tmp_path)
    where = frame.locator("#net canvas").evaluate(
        "(c, id) => { const n = window.disruptNetwork; return n.canvasToDOM(n.getPositions([id])[id]); }", organiser
    )
    frame.locator("#net canvas").click(position={"x": where["x"], "y": where["y"]})  # select the organiser
    page.get_by_text("Selected:").wait_for(timeout=15000)
    page.get_by_role("link", name="Hotspot map").click()
    assert drawn_pixels(page, "iframe[srcdoc]", ".leaflet-overlay-pane canvas") > 2000
    shot(page, "hotspot-map-analyst", tmp_path)
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
    page = sign_in(browser, server, role, blocked)
    if link:
        page.get_by_role("link", name=link).click()
    if name == "hotspot-map":
        assert drawn_pixels(page, "iframe[srcdoc]", ".leaflet-overlay-pane canvas") > 2000
    if name == "licensing":
        page.get_by_role("textbox", name="Licence number, VRM, name or address").fill("Guest House")
        page.get_by_role("button", name="Check").click()
        page.get_by_text("concern level").first.wait_for(timeout=30000)
    page.wait_for_timeout(1500)
    shot(page, name, tmp_path)
    assert page.get_by_role("link", name="Network").count() == 0 or role == "analyst"
    assert not blocked, blocked
