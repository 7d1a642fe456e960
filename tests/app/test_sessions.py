"""A signed-in session belongs to the browser that signed in, ends in every tab at sign-out, and
ends by itself when idle, on the server too (issues 20 and 21)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from streamlit.testing.v1 import AppTest

import app.session
from tests.app.browser import PASSWORD, serving, shot, sign_in
from tests.app.conftest import AppWorld
from tests.app.test_pages import MAIN


def test_a_session_resumed_from_another_browser_is_signed_out(
    app_world: AppWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Streamlit resumes a session for any client that knows its id; the browser's cookie must match too."""
    browser = {"cookie": "the signed-in browser"}
    monkeypatch.setattr(app.session, "_cookie", lambda: browser["cookie"])
    at = AppTest.from_file(MAIN, default_timeout=60)
    at.run()
    at.text_input[0].input("test-analyst")
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    at.text_input[0].input("TEST-OP-3 session binding")
    at.button[0].click().run()
    at.switch_page("views/search.py").run()
    assert at.title[0].value == "Search"
    browser["cookie"] = "another client that knows only the session id"
    at.run()
    assert [t.label for t in at.text_input] == ["User name", "Password"]


def test_a_new_tab_is_signed_in_and_signing_out_in_one_tab_signs_out_the_others(
    server: str, browser: Browser, tmp_path: Path
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    blocked: list[str] = []
    first = sign_in(context, server, "analyst", blocked)
    first.wait_for_timeout(2000)  # the page has claimed its session cookie
    second = context.new_page()  # another tab of the same browser: already signed in, purpose kept
    second.goto(server + "/groups")
    second.get_by_role("heading", name="Groups").first.wait_for(timeout=30000)
    assert second.get_by_role("textbox", name="User name").count() == 0
    first.get_by_role("button", name="Sign out").click()
    first.get_by_role("textbox", name="User name").wait_for(timeout=30000)
    # nobody touches the other tab: it clears itself at its next check (every 15 s)
    second.get_by_role("textbox", name="User name").wait_for(timeout=30000)
    shot(second, "signed-out-in-the-other-tab", tmp_path)
    assert second.get_by_role("link", name="Groups").count() == 0
    assert second.get_by_role("heading", name="Groups").count() == 0
    assert not blocked, blocked
    context.close()


def test_an_idle_screen_signs_itself_out_and_its_server_session_ends(
    app_world: AppWorld, browser: Browser, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        **app_world.env,
        "DISRUPT_IDLE_MINUTES": "1",
        "DISRUPT_BOUNDARIES": str(app_world.data_dir / "boundaries" / "wards.geojson"),
    }
    with serving(env) as url:
        blocked: list[str] = []
        page = sign_in(browser, url, "analyst", blocked)
        page.get_by_role("link", name="Groups").click()
        page.get_by_role("heading", name="Groups").first.wait_for(timeout=30000)
        page.wait_for_timeout(1000)
        page.reload()  # within the limit, a refresh keeps the session
        page.get_by_role("heading", name="Groups").first.wait_for(timeout=30000)
        assert page.get_by_role("textbox", name="User name").count() == 0
        # nobody touches the screen: within the minute and one check, it clears itself
        page.get_by_role("textbox", name="User name").wait_for(timeout=100_000)
        assert page.get_by_role("heading", name="Groups").count() == 0
        shot(page, "idle-signed-out", tmp_path)
        page.reload()  # the server session ended with it: a refresh asks to sign in
        page.get_by_role("textbox", name="User name").wait_for(timeout=30000)
        page.wait_for_timeout(1500)
        assert page.get_by_role("heading", name="Groups").count() == 0
        assert page.get_by_text("test-analyst").count() == 0
        assert not blocked, blocked
