"""The analyst's tasks on groups, the network and connecting paths, typed and clicked as a person does.

- Open Groups, choose a group, save its key players as CSV with the columns in the order the table
  shows them, then select a key player and land on their profile.
- Centre the network on a person found by name, click a node, expand around it and see its
  neighbours join the same chart (the nodes drawn before are still there, in the same chart).
- Find a path from a child to a suspect, picking both ends by name, and see the path's steps.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, FrameLocator, Page

from graph import open_store
from tests.app.browser import shot, sign_in
from tests.app.conftest import AppWorld

NETWORK = "iframe[title*='disrupt_network']"


def _results(app_world: AppWorld, name: str) -> list[dict[str, Any]]:
    store = open_store(app_world.store_url)
    try:
        table = store.read_results(name)
        return [dict(r) for r in table.rows] if table else []
    finally:
        store.close()


def _select_row(page: Page, table: int, row: int) -> None:
    """Tick a row's box at the left of a table (the grid is a canvas: click where the box is drawn)."""
    grid = page.locator("[data-testid='stDataFrame']").nth(table)
    grid.wait_for(timeout=30000)
    grid.scroll_into_view_if_needed()
    grid.click(position={"x": 15, "y": 35 + row * 35 + 17})


def _choose_found(page: Page, box: str, typed: str, option: re.Pattern[str]) -> None:
    """Type into a search box, then choose the hit whose line matches ``option``."""
    field = page.get_by_role("textbox", name=box)
    choices = page.get_by_role("combobox", name=re.compile("^Choose"))
    before = choices.count()
    field.fill(typed)
    field.press("Enter")
    for _ in range(60):  # the hits come with the page's next run: wait for this box's choice to appear
        if choices.count() > before:
            break
        page.wait_for_timeout(500)
    choices.nth(before).click()
    page.get_by_role("option", name=option).first.click()


def _whole_page(page: Page, name: str, tmp_path: Path, height: int = 1600) -> None:
    """A screenshot of the whole page: Streamlit scrolls inside its own frame, so the window is made tall."""
    page.set_viewport_size({"width": 1400, "height": height})
    page.wait_for_timeout(1500)
    shot(page, name, tmp_path)
    page.set_viewport_size({"width": 1400, "height": 1000})


def _drawn(frame: FrameLocator) -> list[str]:
    frame.locator("body[data-settled='1']").wait_for(timeout=60000)
    ids: list[str] = frame.locator("#net canvas").evaluate("c => window.disruptNetwork.body.data.nodes.getIds()")
    return ids


def _click_node(frame: FrameLocator, node: str) -> None:
    where = frame.locator("#net canvas").evaluate(
        "(c, id) => { const n = window.disruptNetwork; return n.canvasToDOM(n.getPositions([id])[id]); }", node
    )
    frame.locator("#net canvas").click(position={"x": where["x"], "y": where["y"]})


def test_analyst_opens_a_group_and_lands_on_a_key_players_profile(
    server: str, browser: Browser, app_world: AppWorld, tmp_path: Path
) -> None:
    groups = _results(app_world, "groups")
    wanted = groups[1]
    player = min(
        (r for r in _results(app_world, "key_players") if r["group_id"] == wanted["group_id"]),
        key=lambda r: int(r["rank_in_group"]),
    )
    blocked: list[str] = []
    page = sign_in(browser, server, "analyst", blocked)
    page.get_by_role("link", name="Groups").click()
    page.get_by_role("combobox", name="Group").click()
    page.get_by_role("option", name=str(wanted["label"])).click()
    page.get_by_role("heading", name=str(wanted["label"])).wait_for(timeout=30000)
    assert f"group={wanted['group_id']}" in page.url
    _whole_page(page, "groups", tmp_path)
    page.get_by_role("tab", name="Members and assets").click()  # the core first, the periphery named as such
    page.get_by_text(f"Core members ({wanted['core_size']})", exact=True).wait_for(timeout=30000)
    page.get_by_text(f"Periphery ({wanted['size'] - wanted['core_size']}): family, neighbours").wait_for()
    _whole_page(page, "group-members", tmp_path)
    page.get_by_role("tab", name="Key players").click()
    grid = page.locator("[data-testid='stDataFrame']").nth(1)  # table 0 lists the groups
    grid.locator("[role='gridcell']").first.wait_for(state="attached", timeout=30000)
    shown = [t.strip() for t in grid.locator("[role='columnheader']").all_text_contents() if t.strip()]
    page.get_by_role("tab", name="Briefing").click()
    with page.expect_download(timeout=30000) as got:
        page.get_by_role("button", name=f"key-players-{wanted['group_id']}.csv").click()
    saved = tmp_path / got.value.suggested_filename
    got.value.save_as(saved)
    header = next(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert len(shown) >= 3 and header[: len(shown)] == shown, (shown, header)  # the grid draws the first few
    page.get_by_role("tab", name="Key players").click()
    _select_row(page, 1, 0)  # the first key player
    page.get_by_role("heading", name="Profile and timeline").wait_for(timeout=30000)
    page.get_by_text(str(player["label"])).first.wait_for(timeout=30000)
    assert "/profile" in page.url and f"entity={player['entity_id']}" in page.url
    assert not blocked, blocked


def test_analyst_centres_the_network_by_name_and_expands_a_node_in_the_same_chart(
    server: str, browser: Browser, app_world: AppWorld, tmp_path: Path
) -> None:
    organiser = next(m for m in _results(app_world, "groups")[0]["members"] if m["role"] == "organiser")
    blocked: list[str] = []
    page = sign_in(browser, server, "analyst", blocked)
    page.get_by_role("link", name="Network").click()
    name = str(organiser["label"])
    _choose_found(page, "Centre on: find a person, place or thing", name, re.compile("^" + re.escape(name) + r" \("))
    page.get_by_text("Centred on").wait_for(timeout=30000)
    assert f"entity={organiser['entity_id']}" in page.url
    frame = page.frame_locator(NETWORK)
    before = _drawn(frame)
    store = open_store(app_world.store_url)
    try:  # a node at the edge of the chart, with neighbours the chart does not show yet
        outer = next(
            n for n in reversed(before) if {e.id for e in store.neighbourhood(n, hops=1).entities} - set(before)
        )
    finally:
        store.close()
    frame.locator("#net canvas").evaluate("c => { window.sameChart = 'yes'; }")
    _click_node(frame, outer)
    page.get_by_text("Selected:").wait_for(timeout=15000)
    page.get_by_role("button", name="Expand around it").click()
    frame.locator(f"body[data-nodes='{len(before)}']").wait_for(state="detached", timeout=60000)
    after = _drawn(frame)
    assert len(after) > len(before)
    assert set(before) <= set(after)
    assert frame.locator("#net canvas").evaluate("c => window.sameChart") == "yes"  # not redrawn from scratch
    page.get_by_text("Expanded: its neighbours are drawn.").wait_for(timeout=15000)
    assert "expand=" in page.url and outer in page.url
    legend = frame.locator("#legend").inner_text()
    assert "Organiser" in legend and "Suspect" in legend
    frame.locator("#net canvas").hover(position={"x": 5, "y": 5})  # no tooltip over the chart in the picture
    _whole_page(page, "network", tmp_path)
    # a refresh keeps the analyst signed in and draws the same chart from the address
    page.goto(page.url)
    page.get_by_text("Centred on").wait_for(timeout=30000)
    assert sorted(_drawn(page.frame_locator(NETWORK))) == sorted(after)
    assert not blocked, blocked


def test_analyst_finds_a_path_from_a_child_to_a_suspect_by_name(
    server: str, browser: Browser, app_world: AppWorld, tmp_path: Path
) -> None:
    group = _results(app_world, "groups")[0]
    child = str(group["children"][0]["label"])
    suspect = min(
        (r for r in _results(app_world, "key_players") if r["group_id"] == group["group_id"]),
        key=lambda r: int(r["rank_in_group"]),
    )
    assert child.startswith("Zqxvictimmark Child")
    blocked: list[str] = []
    page = sign_in(browser, server, "analyst", blocked)
    page.get_by_role("link", name="Connecting paths").click()
    _choose_found(page, "From: find a person, place or thing", child, re.compile("^" + re.escape(child) + r" \("))
    page.get_by_text(f"From: {child} (").wait_for(timeout=30000)
    name = str(suspect["label"])
    _choose_found(page, "To: find a person, place or thing", name, re.compile("^" + re.escape(name) + r" \("))
    page.get_by_text("Path 1").first.wait_for(timeout=30000)
    assert "from=" in page.url and f"to={suspect['entity_id']}" in page.url
    route = page.get_by_text(re.compile(r"^Path 1 \(\d+ links\)")).first.inner_text()
    assert route.split(": ", 1)[1].startswith(child) and route.endswith(name)
    cells = page.locator("[data-testid='stDataFrame'] [role='gridcell']")
    cells.filter(has_text=name).first.wait_for(state="attached", timeout=30000)
    steps = " | ".join(cells.all_inner_texts())
    assert child in steps and name in steps
    _whole_page(page, "paths", tmp_path)
    _select_row(page, 0, 0)  # the first step of the first path: the child
    page.get_by_role("heading", name="Profile and timeline").wait_for(timeout=30000)
    assert "/profile" in page.url and "entity=" in page.url
    assert not blocked, blocked
