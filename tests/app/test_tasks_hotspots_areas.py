"""A strategic lead's task in a real browser: open the hotspot map, read the hotspot areas with their
events and people (published or suppressed, never a small number), and read what each hexagon's
local pattern means in words, on the table and in the map's legend."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page

from analytics.hotspots import MORAN_WORDS
from app.policy import public_count
from app.strategic import NO_PATTERN, SUPPRESSED
from graph import open_store
from tests.app.browser import shot, sign_in
from tests.app.conftest import AppWorld

HEX_ID = re.compile(r"\b8[0-9a-f]{14}\b")
# How a hexagon's pattern reads: a significant class, or what it looks like and that it is not significant.
PATTERN_STARTS = (
    *MORAN_WORDS.values(),
    *(w.split(":")[0] + "; not significant" for w in MORAN_WORDS.values()),
    NO_PATTERN,
)


def _cells(grid: Locator) -> list[str]:
    """The text of every cell of a table (the grid's accessible cells, row by row)."""
    cells = grid.locator("[role='gridcell']")  # glide's grid draws on a canvas and keeps these for screen readers
    cells.first.wait_for(state="attached", timeout=30000)
    return [t.strip() for t in cells.all_text_contents()]


def _table(page: Page, n: int) -> Locator:
    """The hotspot map's tables in page order: 0 hotspot areas, 1 wards, 2 hexagons."""
    return page.locator("[data-testid='stDataFrame']").nth(n)


def test_strategic_lead_reads_the_hotspot_areas_and_each_hexagons_pattern_in_words(
    server: str, browser: Browser, app_world: AppWorld, tmp_path: Path
) -> None:
    store = open_store(app_world.store_url)
    areas = [r for r in store.read_results("hotspot_areas").rows if r["period"] == "all"]  # type: ignore[union-attr]
    store.close()
    assert areas, "the demo world has no hotspot area to read"
    blocked: list[str] = []
    page = sign_in(browser, server, "strategic", blocked)
    page.get_by_role("link", name="Hotspot map").click()
    page.get_by_text("Counted: exploitation-related events in the whole window").wait_for(timeout=30000)
    page.wait_for_timeout(1500)  # the tables below the caption finish drawing

    shown = _cells(_table(page, 0))
    rows = [shown[i : i + 5] for i in range(0, len(shown), 5)]
    assert [r[0] for r in rows] == [a["entity_id"] for a in areas]  # every area, busiest first
    for (area_id, place, cell_count, events, people), area in zip(rows, areas, strict=True):
        assert place and not HEX_ID.search(place), place  # placed by ward, not by H3 id
        assert cell_count == str(area["cell_count"])
        published = public_count(area["events"], people=area["people"])
        assert events == (SUPPRESSED if published is None else str(published)), (area_id, events)
        assert people in (SUPPRESSED, str(public_count(area["people"]))), (area_id, people)
        assert people == SUPPRESSED or events != SUPPRESSED  # no people beside a suppressed count
    assert any(r[3] != SUPPRESSED for r in rows)  # the demo's busiest area is published

    hexagons = _cells(_table(page, 2))  # place, count, hotspot, pattern
    patterns = hexagons[3::4]
    assert patterns and all(p.startswith(PATTERN_STARTS) for p in patterns), patterns
    in_areas = [h for h in hexagons[2::4] if h.startswith("hotspot area ")]
    assert len(in_areas) == sum(a["cell_count"] for a in areas)  # every hotspot hexagon, named by its area
    assert any("busy cell" in p for p in patterns), patterns  # a hotspot's pattern in words, not a code
    for words in MORAN_WORDS.values():  # what each pattern means, on the page and in the map's legend
        page.locator("[data-testid='stMarkdownContainer']").get_by_text(words).first.wait_for(timeout=10000)
    legend = page.frame_locator("iframe[srcdoc]").get_by_text("a busy cell with quiet neighbours: a spike")
    legend.first.wait_for(timeout=30000)
    page.set_viewport_size({"width": 1400, "height": 2200})
    shot(page, "hotspot-areas", tmp_path)
    assert not blocked, blocked
