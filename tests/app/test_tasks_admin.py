"""An administrator's task in a real browser: find who viewed a given child.

An analyst first opens the child's profile as an analyst does (search by name, pick the row, open
the profile); then the administrator names the child in the audit log's record filter and reads the
analyst's name, the purpose they gave and the child's name in the entries.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page

from graph import open_store
from tests.app.browser import shot, sign_in
from tests.app.conftest import AppWorld

PURPOSE = "TEST-OP-2 browser check"  # what tests.app.browser.sign_in types


def _wait_until_drawn(page: Page) -> None:
    """Until the page's run has finished and nothing on it is left over from the run before."""
    page.wait_for_function(
        "() => !document.querySelector('[data-stale=\"true\"]')"
        " && !document.querySelector('[data-testid=\"stStatusWidget\"]')",
        timeout=30000,
    )
    page.wait_for_timeout(500)


def _grid_text(page: Page) -> list[str]:
    cells = page.locator("[data-testid='stDataFrame']").first.locator("[role='gridcell']")
    cells.first.wait_for(state="attached", timeout=30000)
    return [t.strip() for t in cells.all_text_contents()]


def _analyst_opens_the_profile(browser: Browser, server: str, name: str, blocked: list[str]) -> None:
    page = sign_in(browser, server, "analyst", blocked)
    page.get_by_role("link", name="Search").click()
    page.get_by_role("textbox", name="Name, reference, VRM, phone, licence number or address").fill(name)
    page.get_by_role("button", name="Search").click()
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.locator("[role='gridcell']").first.wait_for(state="attached", timeout=30000)
    page.wait_for_timeout(1000)
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the first row's selection box, as a person ticks it
    page.get_by_role("button", name="Open profile").click()
    page.get_by_role("heading", name=name, exact=False).filter(has_text=name).first.wait_for(timeout=30000)
    page.close()


def test_administrator_finds_who_viewed_a_child(
    server: str, browser: Browser, app_world: AppWorld, tmp_path: Path
) -> None:
    store = open_store(app_world.store_url)
    child = store.get_entity(app_world.victims[0])
    store.close()
    assert child is not None
    blocked: list[str] = []
    _analyst_opens_the_profile(browser, server, child.label, blocked)
    page = sign_in(browser, server, "admin", blocked)
    page.set_viewport_size({"width": 1800, "height": 1200})  # the grid draws only the columns in view
    page.get_by_role("link", name="Audit log").click()
    box = page.get_by_role("textbox", name="Record: a name, reference, VRM or address")
    box.fill(" ".join(reversed(child.label.split())))  # surname first, as records list people
    box.press("Enter")
    page.get_by_text("Which record").first.wait_for(timeout=30000)
    _wait_until_drawn(page)
    cells = _grid_text(page)
    assert "test-analyst" in cells  # who viewed the child
    assert PURPOSE in cells, cells  # and why they said they did
    assert "Profile" in cells or "profile" in cells
    assert any(child.label in c for c in cells)  # the record by name, not only its id
    users = {c for c in cells if c.startswith("test-")}
    assert users <= {"test-analyst", "test-admin"}, users  # only entries that cover this child
    shot(page, "audit-log", tmp_path)
    assert not blocked, blocked
