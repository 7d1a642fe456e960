"""Moving around as a person does: a page's address brings the user back to the same view.

A link pasted by a colleague asks them to sign in (the link carries no credential) and then
opens the page and state the address named; a refresh in the signed-in browser opens it at once
(tests/app/test_session_cookie.py).
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser

from tests.app.browser import PASSWORD, shot, sign_in


def test_a_pasted_page_address_opens_that_page_after_sign_in(server: str, browser: Browser, tmp_path: Path) -> None:
    blocked: list[str] = []
    page = sign_in(browser, server, "analyst", blocked, path="/groups?group=G002")
    page.get_by_role("heading", name="Groups").first.wait_for(timeout=30000)
    assert "group=G002" in page.url
    shot(page, "deep-link-groups", tmp_path)
    assert not blocked, blocked


def test_a_page_the_role_may_not_open_is_not_opened_from_its_address(
    server: str, browser: Browser, tmp_path: Path
) -> None:
    blocked: list[str] = []
    page = sign_in(browser, server, "licensing", blocked, path="/groups?group=G002")
    page.get_by_text("The Groups page is not available to a licensing officer").wait_for(timeout=30000)
    page.get_by_role("link", name="Go to Licensing check").click()
    page.get_by_role("textbox", name="Licence number, VRM, name or address").wait_for(timeout=30000)
    shot(page, "deep-link-refused", tmp_path)
    assert page.get_by_role("heading", name="Groups").count() == 0
    assert not blocked, blocked


def test_after_sign_out_the_next_person_starts_afresh(server: str, browser: Browser, tmp_path: Path) -> None:
    """A newcomer signed in after another user and landed on that user's last page and entity."""
    blocked: list[str] = []
    page = sign_in(browser, server, "analyst", blocked, path="/groups?group=G002")
    page.get_by_role("heading", name="Groups").first.wait_for(timeout=30000)
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("textbox", name="User name").wait_for(timeout=30000)
    page.wait_for_timeout(1000)
    assert "group=" not in page.url and "/groups" not in page.url, page.url
    page.get_by_role("textbox", name="User name").fill("test-licensing")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("textbox", name="Purpose").fill("TEST-OP-2 next user")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Licensing check").first.wait_for(timeout=30000)
    assert page.get_by_text("not available").count() == 0
    shot(page, "next-user-starts-afresh", tmp_path)
    assert not blocked, blocked
