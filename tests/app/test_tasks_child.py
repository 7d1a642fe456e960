"""The analyst's task: find a child by name, open the profile, open the child's page, and read the
contextual-safeguarding view (indicators, missing episodes, peers, places of concern).

A licensing officer or a strategic lead who is given the child's page address is refused it and
sees none of the child's details.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Locator, Page

from common.app_db import open_app_db
from common.audit import AuditLog
from graph import open_store
from tests.app.browser import shot, sign_in
from tests.app.conftest import VICTIM_MARKER, AppWorld

ROW_HEIGHT = 35  # Streamlit's data grid: a 35 px header, then 35 px rows


@dataclass(frozen=True)
class Child:
    entity_id: str
    name: str
    episodes: int
    peer_names: tuple[str, ...]
    place_names: tuple[str, ...]


@pytest.fixture(scope="module")
def child(app_world: AppWorld) -> Iterator[Child]:
    """A child the analysis lists with missing episodes, peers and places, whose name is unique in search.

    Names are "Zqxvictimmark Child{i}"; an index from 19 to 99 is no prefix of another child's name.
    The truth (distinct episodes, peers, places) is read from the store, never written.
    """
    store = open_store(app_world.store_url)
    try:
        rows = [dict(r) for r in store.read_results("child_indicators").rows]  # type: ignore[union-attr]
        names = {str(r["entity_id"]): str(r["label"]) for r in rows}
        unique = re.compile(rf"^{VICTIM_MARKER} Child(19|[2-9][0-9])$")
        fit = [
            r
            for r in rows
            if unique.match(str(r["label"])) and r["missing_episodes"] and r["peer_children"] and r["found_locations"]
        ]
        assert fit, "no child in the test world with episodes, peers and places"
        row = sorted(fit, key=lambda r: (-int(r["peer_children"]), str(r["label"])))[0]
        sub = store.neighbourhood(str(row["entity_id"]), hops=2, max_nodes=2000)
        G = store.to_networkx(entity_ids=[e.id for e in sub.entities])
        episodes = {
            e
            for _, e, d in G.out_edges(row["entity_id"], data=True)
            if d.get("kind") == "PARTY_TO" and d.get("role") == "missing" and G.nodes[e].get("kind") == "MissingEpisode"
        }
        places = {
            str(G.nodes[p].get("label"))
            for e in episodes
            for _, p, d in G.out_edges(e, data=True)
            if d.get("kind") == "OCCURRED_AT" and d.get("role") == "found"
        }
        peers = tuple(sorted(names[p] for p in row["peer_ids"] if p in names))
        yield Child(str(row["entity_id"]), str(row["label"]), len(episodes), peers, tuple(sorted(places)))
    finally:
        store.close()


def _select_row(grid: Locator, index: int) -> None:
    """Tick a row's checkbox at the left of a data grid, as a person selects a row."""
    box = grid.bounding_box()
    assert box is not None
    grid.click(position={"x": 15, "y": ROW_HEIGHT + index * ROW_HEIGHT + 17})


def _grid_after(page: Page, text: str) -> Locator:
    """The first data grid after the paragraph that says ``text``."""
    return page.locator(f"xpath=//p[contains(., {text!r})]/following::*[@data-testid='stDataFrame'][1]")


def _grid_text(page: Page) -> str:
    """Every cell the data grids on the page show (their accessible table, which screen readers read)."""
    return " | ".join(page.locator("[data-testid='stDataFrame'] [role='gridcell']").all_inner_texts())


def _whole_page(page: Page, name: str, tmp_path: Path, height: int) -> None:
    """A screenshot of the whole page: Streamlit scrolls inside its own frame, so the window is made tall."""
    page.set_viewport_size({"width": 1400, "height": height})
    page.wait_for_timeout(1500)
    shot(page, name, tmp_path)
    page.set_viewport_size({"width": 1400, "height": 1000})


def _child_entries(app_world: AppWorld, entity_id: str) -> int:
    audit = AuditLog(open_app_db(app_world.data_dir / "app.db"))
    return sum(1 for e in audit.entries(records=[entity_id], limit=5000) if e.action == "child")


def _find_and_open_profile(page: Page, name: str) -> None:
    page.get_by_role("link", name="Search").click()
    page.get_by_role("textbox", name="Name, reference, VRM, phone, licence number or address").fill(name)
    page.get_by_role("button", name="Search").click()
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for(timeout=30000)
    _select_row(grid, 0)
    page.get_by_role("button", name="Open profile").click()
    page.get_by_role("heading", name=re.compile(f"Person: {name}$")).wait_for(timeout=30000)


def _heading_after(page: Page, before: str) -> str:
    """The profile heading once it differs from ``before`` and has stayed so for two seconds."""
    heading = page.locator("h3").first
    page.wait_for_function(
        "b => { const h = document.querySelector('h3'); return h && h.innerText.trim() !== b; }", arg=before
    )
    page.wait_for_timeout(2000)
    return heading.inner_text().strip()


def test_analyst_finds_a_child_by_name_and_reads_the_childs_page(
    server: str, browser: Browser, app_world: AppWorld, child: Child, tmp_path: Path
) -> None:
    blocked: list[str] = []
    page = sign_in(browser, server, "analyst", blocked)
    _find_and_open_profile(page, child.name)
    page.get_by_text(f"Missing {child.episodes} times", exact=False).first.wait_for(timeout=30000)
    _whole_page(page, "profile", tmp_path, 2000)

    before = _child_entries(app_world, child.entity_id)
    page.get_by_role("link", name="Open the child's page").click()
    page.get_by_role("heading", name="Child (contextual safeguarding)").wait_for(timeout=30000)
    page.get_by_role("heading", name=child.name).wait_for(timeout=30000)
    assert f"entity={child.entity_id}" in page.url
    page.get_by_text("Indicators").first.wait_for(timeout=30000)
    page.get_by_text(f"Missing episodes ({child.episodes}, oldest first").wait_for(timeout=30000)
    page.get_by_text(f"Peers ({len(child.peer_names)} other children").wait_for(timeout=30000)
    page.get_by_text(f"Places of concern ({len(child.place_names)} places the child was found").wait_for(timeout=30000)
    page.locator("iframe[title*='disrupt_network']").wait_for(timeout=30000)
    page.locator("iframe[srcdoc]").last.wait_for(timeout=30000)
    page.wait_for_timeout(1500)
    cells = _grid_text(page)
    assert any(name in cells for name in child.peer_names), cells[:2000]
    assert any(name in cells for name in child.place_names), cells[:2000]
    _whole_page(page, "child", tmp_path, 3400)
    assert _child_entries(app_world, child.entity_id) - before == 1  # one view, one audit entry

    # A peer's row opens that child's page, and it stays open (the selection does not carry over).
    peers = _grid_after(page, "other children; select a row")
    _select_row(peers, 0)
    page.wait_for_url(lambda url: "entity=" in url and child.entity_id not in url, timeout=30000)
    page.get_by_role("heading", name="Child (contextual safeguarding)").wait_for(timeout=30000)
    page.wait_for_timeout(3000)
    opened = page.url
    heading = page.locator("h3").first.inner_text()
    assert heading.strip() in child.peer_names, (heading, child.peer_names)
    page.wait_for_timeout(2000)
    assert page.url == opened
    assert not blocked, blocked


def test_a_profile_row_opens_the_event_and_what_is_linked(
    server: str, browser: Browser, child: Child, tmp_path: Path
) -> None:
    blocked: list[str] = []
    page = sign_in(browser, server, "analyst", blocked)
    _find_and_open_profile(page, child.name)
    page.get_by_text("Roles: child").wait_for(timeout=30000)
    timeline = _grid_after(page, "Select a row to open the event.")
    _select_row(timeline, 0)
    event = _heading_after(page, f"Person: {child.name}")
    assert event.startswith("Missing episode: "), event  # the child's first episode, oldest first
    page.wait_for_timeout(1000)
    assert child.name in _grid_text(page)  # the event's profile lists the child as linked
    linked = _grid_after(page, "Select a row to open its profile.")
    _select_row(linked, 0)
    other = _heading_after(page, event)
    assert other != event and ": " in other, other
    assert page.locator("h3").first.inner_text().strip() == other  # it stays open: no selection carried over
    assert not blocked, blocked


@pytest.mark.parametrize(("role", "title"), [("licensing", "licensing officer"), ("strategic", "strategic lead")])
def test_a_licensing_officer_or_strategic_lead_cannot_open_a_childs_page(
    server: str, browser: Browser, child: Child, role: str, title: str, tmp_path: Path
) -> None:
    blocked: list[str] = []
    page = sign_in(browser, server, role, blocked, path=f"/child?entity={child.entity_id}")
    page.get_by_text(f"The Child (contextual safeguarding) page is not available to a {title}").wait_for(timeout=30000)
    page.wait_for_timeout(1000)
    assert VICTIM_MARKER not in page.content()
    assert page.get_by_role("heading", name="Child (contextual safeguarding)").count() == 0
    shot(page, f"child-refused-{role}", tmp_path)
    assert not blocked, blocked


@pytest.mark.parametrize(
    ("path", "refusal"),
    [("child", "That record is not a child the latest analysis lists"), ("profile", "No record with that id is held")],
)
def test_a_crafted_address_shows_as_plain_text(server: str, browser: Browser, path: str, refusal: str) -> None:
    """An id in the address is shown as typed: markdown would make a link of a URL in it."""
    blocked: list[str] = []
    crafted = quote("[open me](http://example.invalid/x) **loud**")
    page = sign_in(browser, server, "analyst", blocked, path=f"/{path}?entity={crafted}")
    page.get_by_text(refusal).wait_for(timeout=30000)
    page.get_by_text("Record asked for: [open me](http://example.invalid/x) **loud**").wait_for(timeout=30000)
    assert page.locator("a[href*='example.invalid']").count() == 0
    assert not blocked, blocked


def test_analyst_opens_the_child_page_from_the_menu_and_finds_the_child_by_name(
    server: str, browser: Browser, child: Child, tmp_path: Path
) -> None:
    """A newcomer found the Child page a dead end from the menu: no way to find a child on it."""
    blocked: list[str] = []
    page = sign_in(browser, server, "analyst", blocked)
    page.get_by_role("link", name="Child (contextual safeguarding)").click()
    page.get_by_role("textbox", name="Find a child by name or reference").fill(child.name)
    page.get_by_role("textbox", name="Find a child by name or reference").press("Enter")
    page.get_by_role("combobox").first.click()
    page.get_by_role("option", name=re.compile("^" + re.escape(child.name) + " ")).first.click()
    page.get_by_role("heading", name=child.name).wait_for(timeout=30000)
    assert f"entity={child.entity_id}" in page.url
    page.get_by_text("Indicators").first.wait_for(timeout=30000)
    shot(page, "child-from-menu", tmp_path)
    assert not blocked, blocked
