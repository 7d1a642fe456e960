"""The analyst's task on the network-wide key players, typed and clicked as a person does.

- Open Key players from the menu, read the people the analysis ranks highest on the whole network
  (names, ranks and what each measure means, in words), tick the first row and land on that
  person's profile.
- A licensing officer or a strategic lead given the page's address is refused it, and no name of
  the ranking reaches their screen.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page

from graph import open_store
from tests.app.browser import shot, sign_in
from tests.app.conftest import AppWorld


def _ranking(app_world: AppWorld) -> list[dict[str, Any]]:
    store = open_store(app_world.store_url)
    try:
        table = store.read_results("network_ranking")
        return [dict(r) for r in table.rows] if table else []
    finally:
        store.close()


def _cells(grid: Locator) -> list[str]:
    """The text of every cell of a table (glide draws on a canvas and keeps these for screen readers)."""
    cells = grid.locator("[role='gridcell']")
    cells.first.wait_for(state="attached", timeout=30000)
    return [t.strip() for t in cells.all_text_contents()]


def _headers(grid: Locator) -> list[str]:
    return [t.strip() for t in grid.locator("[role='columnheader']").all_text_contents()]


def _logged(app_world: AppWorld, user: str) -> list[tuple[str, str, str]]:
    """What the audit log holds for one test user, oldest first (read only)."""
    db = sqlite3.connect(f"file:{app_world.data_dir / 'app.db'}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT action, outcome, detail FROM audit WHERE user = ? ORDER BY id", (user,)).fetchall()
    finally:
        db.close()
    return [(str(a), str(o), str(d)) for a, o, d in rows]


def _whole_page(page: Page, name: str, tmp_path: Path) -> None:
    page.set_viewport_size({"width": 1400, "height": 1800})
    page.wait_for_timeout(1500)
    shot(page, name, tmp_path)
    page.set_viewport_size({"width": 1400, "height": 1000})


def test_analyst_reads_the_top_people_of_the_whole_network_and_opens_one(
    server: str, browser: Browser, app_world: AppWorld, tmp_path: Path
) -> None:
    ranking = _ranking(app_world)
    assert len(ranking) >= 5
    top = ranking[:5]
    blocked: list[str] = []
    page = sign_in(browser, server, "analyst", blocked)
    before = len(_logged(app_world, "test-analyst"))
    page.get_by_role("link", name="Key players").click()
    page.get_by_role("heading", name="Key players").first.wait_for(timeout=30000)
    assert "/key-players" in page.url
    grid = page.locator("[data-testid='stDataFrame']").first
    cells = _cells(grid)
    for row in top:  # the five people ranked highest, by name, with their rank
        assert str(row["label"]) in cells, (row["label"], cells[:40])
    _whole_page(page, "key-players", tmp_path)
    headers = " | ".join(_headers(grid))  # the columns in view (the grid draws only those)
    for words in ("Rank (whole network)", "Name", "Group", "People tied to directly", "Go-between", "Reach"):
        assert words in headers, headers
    assert "betweenness" not in headers.lower() and "pagerank" not in headers.lower()
    page.get_by_text("What the columns mean").click()
    page.get_by_text("how often they lie on the shortest way between two other people").wait_for(timeout=15000)
    _whole_page(page, "key-players-explained", tmp_path)
    # Viewing the ranking is recorded with the people it showed.
    shown = [a for a in _logged(app_world, "test-analyst")[before:] if a[0] == "network ranking"]
    assert shown and shown[-1][1] == "shown", shown
    grid.scroll_into_view_if_needed()
    grid.click(position={"x": 15, "y": 35 + 0 * 35 + 17})  # tick the first row's box
    page.get_by_role("heading", name="Profile and timeline").wait_for(timeout=30000)
    page.get_by_text(str(top[0]["label"])).first.wait_for(timeout=30000)
    assert "/profile" in page.url and f"entity={top[0]['entity_id']}" in page.url
    shot(page, "key-players-profile", tmp_path)
    assert not blocked, blocked


@pytest.mark.parametrize(("role", "title"), [("licensing", "licensing officer"), ("strategic", "strategic lead")])
def test_a_licensing_officer_or_strategic_lead_cannot_open_key_players(
    server: str, browser: Browser, app_world: AppWorld, role: str, title: str, tmp_path: Path
) -> None:
    blocked: list[str] = []
    page = sign_in(browser, server, role, blocked, path="/key-players")
    page.get_by_text(f"The Key players page is not available to a {title}").wait_for(timeout=30000)
    page.wait_for_timeout(1000)
    assert page.get_by_role("link", name="Key players").count() == 0  # not in their menu either
    assert page.get_by_role("heading", name="Key players").count() == 0
    content = page.content()
    assert not [r["label"] for r in _ranking(app_world)[:10] if str(r["label"]) in content]
    shot(page, f"key-players-refused-{role}", tmp_path)
    assert not blocked, blocked
