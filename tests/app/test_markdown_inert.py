"""Text from people and records is never a live link (issue 21, point 11): escaping markdown's
punctuation did not stop ``www.example.invalid`` or ``http://...`` becoming a link."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser

from tests.app.browser import PASSWORD, shot

PURPOSE = "OP-7 see www.evil.example.invalid, http://evil.example.invalid/x and ada@evil.example.invalid"


def test_a_purpose_with_addresses_in_it_shows_as_text_not_links(server: str, browser: Browser, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.route("**/*", lambda route, request: route.continue_() if "127.0.0.1" in request.url else route.abort())
    page.goto(server)
    page.get_by_role("textbox", name="User name").fill("test-analyst")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("textbox", name="Purpose").fill(PURPOSE)
    page.get_by_role("button", name="Continue").click()
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_text("evil.example.invalid/x", exact=False).wait_for(timeout=30000)
    shot(page, "purpose-inert", tmp_path)
    links = sidebar.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href') || '')")
    assert not [href for href in links if "evil" in href], links
    shown = sidebar.inner_text().replace("\u2060", "")
    assert "www.evil.example.invalid" in shown and "http://evil.example.invalid/x" in shown
