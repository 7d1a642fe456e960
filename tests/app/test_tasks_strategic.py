"""A strategic lead's task in a real browser: pick a quarter, read the wards by name, see the months
whose counts are suppressed marked as suppressed, in their place, never left out, and read a hexagon
and its ward as the same events, and who is counted as a child."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page

from analytics.dashboard import ALL_CHILDREN, KNOWN_TO_CARE, REPORTED_MISSING
from analytics.disclosure import safe_count
from app.labels import date_text, month_text, quarter_text
from app.strategic import SUPPRESSED
from graph import open_store
from tests.app.browser import shot, sign_in
from tests.app.conftest import AppWorld

WARD_CODE = re.compile(r"\bZ\d{8}\b")
HEX_ID = re.compile(r"\b8[0-9a-f]{14}\b")


def _cells(grid: Locator, columns: int = 2) -> list[str]:
    """The text of every cell of a table (the grid's accessible cells, row by row), once the grid has
    finished filling them: whole rows of ``columns``, the same on two reads (under load a grid read at
    once had drawn some of its rows' cells and not others)."""
    cells = grid.locator("[role='gridcell']")  # glide's grid draws on a canvas and keeps these for screen readers
    cells.first.wait_for(state="attached", timeout=30000)
    seen: list[str] = []
    for _ in range(40):
        now = [t.strip() for t in cells.all_text_contents()]
        if now == seen and len(now) % columns == 0:
            return now
        seen = now
        grid.page.wait_for_timeout(250)
    return seen


def _logged(world: AppWorld) -> list[tuple[str, str]]:
    """What the audit log holds for the strategic test user, oldest first (read only)."""
    db = sqlite3.connect(f"file:{world.data_dir / 'app.db'}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT action, detail FROM audit WHERE user = 'test-strategic' ORDER BY id").fetchall()
    finally:
        db.close()
    return [(str(a), str(d)) for a, d in rows]


def _table(page: Page, n: int) -> Locator:
    """The hotspot map's nth table after its hotspot areas (0: wards, 1: hexagons)."""
    return page.locator("[data-testid='stDataFrame']").nth(n + 1)


def test_strategic_lead_picks_a_quarter_and_reads_wards_by_name(
    server: str, browser: Browser, app_world: AppWorld, tmp_path: Path
) -> None:
    boundaries = json.loads((app_world.data_dir / "boundaries" / "wards.geojson").read_text())
    ward_names = {f["properties"]["ward_name"] for f in boundaries["features"]}
    store = open_store(app_world.store_url)
    quarters = sorted({r["period"] for r in store.read_results("hotspot_periods").rows})  # type: ignore[union-attr]
    store.close()
    blocked: list[str] = []
    page = sign_in(browser, server, "strategic", blocked)
    page.get_by_role("link", name="Hotspot map").click()
    page.get_by_text("Quarter").first.wait_for(timeout=30000)
    wanted = quarter_text(quarters[-2])  # a quarter as a person reads it, "Apr to Jun 2026 (Q2)"
    before = _logged(app_world)
    page.get_by_role("combobox").first.click()
    page.get_by_role("option", name=wanted).click()
    page.get_by_text(f"Exploitation-related events in {wanted}").wait_for(timeout=30000)
    page.wait_for_timeout(1500)  # the tables below the caption finish drawing
    assert _logged(app_world) == [*before, ("hotspot map", f"period={quarters[-2]}; aggregates only")]  # one view
    wards = _cells(_table(page, 0))
    named = ward_names & set(wards)
    assert len(named) >= 5, wards  # the ward table names its wards
    assert not [c for c in wards if WARD_CODE.search(c)], wards
    assert not [c for c in _cells(_table(page, 1)) if HEX_ID.search(c)]  # hexagons placed by ward, not by H3 id
    on_map = page.frame_locator("iframe[srcdoc]").locator(".disrupt-ward-label").all_inner_texts()
    assert len(ward_names & set(on_map)) == len(ward_names)  # no tiles: every ward is named on the map itself
    page.set_viewport_size({"width": 1400, "height": 1500})
    shot(page, "hotspot-map", tmp_path)
    before = _logged(app_world)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download map (HTML)").click()
    assert "Leaflet" in Path(download.value.path()).read_text(encoding="utf-8")
    page.wait_for_timeout(1500)
    assert _logged(app_world) == [*before, ("export hotspot map", "")]  # the download, and no second view of the map
    assert not blocked, blocked


def test_strategic_lead_sees_suppressed_months_marked_in_their_place(
    server: str, browser: Browser, app_world: AppWorld, tmp_path: Path
) -> None:
    store = open_store(app_world.store_url)
    rows = store.read_results("management_information").rows  # type: ignore[union-attr]
    store.close()
    measure = "missing episodes by month"
    truth = {r["category"]: int(r["count"]) for r in rows if r["measure"] == measure}
    small = sorted(m for m, n in truth.items() if n < 10)
    assert small, "the demo world has no suppressed month to look for"
    blocked: list[str] = []
    page = sign_in(browser, server, "strategic", blocked)
    page.get_by_role("link", name="Management information").click()
    heading = page.get_by_role("heading", name=measure.capitalize())
    heading.wait_for(timeout=30000)
    cells = _cells(heading.locator("xpath=following::*[@data-testid='stDataFrame'][1]"))
    months, counts = cells[0::2], cells[1::2]
    assert months == [month_text(m) for m in sorted(truth)]  # every month, in order, none skipped
    for month in small:
        assert counts[months.index(month_text(month))] == SUPPRESSED
    page.get_by_text("Suppressed months are marked in their place, not left out.").first.wait_for(timeout=10000)
    everything = page.locator("[data-testid='stDataFrame'] [role='gridcell']").all_text_contents()
    assert not [c for c in everything if WARD_CODE.search(c) or "_" in c]  # wards by name, no codes
    by_ward = [r["category"] for r in rows if r["measure"] == "businesses of concern by ward"]
    if by_ward:
        boundaries = json.loads((app_world.data_dir / "boundaries" / "wards.geojson").read_text())
        names = {f["properties"]["ward_code"]: f["properties"]["ward_name"] for f in boundaries["features"]}
        ward_cells = _cells(
            page.get_by_role("heading", name="Businesses of concern by ward").locator(
                "xpath=following::*[@data-testid='stDataFrame'][1]"
            )
        )
        assert {names[c] for c in by_ward} <= set(ward_cells)
    page.set_viewport_size({"width": 1400, "height": 2400})
    page.get_by_role("heading", name="Children missing by month").scroll_into_view_if_needed()
    shot(page, "dashboard", tmp_path)
    assert not blocked, blocked


# A caption that states how many areas or months were suppressed ("17 hexagons", "21 of 24 months").
EXACT_SUPPRESSED = re.compile(r"\b\d+\s+(?:of\s+\d+\s+)?(?:areas?|hexagons?|wards?|months?|categories)\b")


def _captions(page: Page) -> list[str]:
    return page.locator("[data-testid='stCaptionContainer'], [data-testid='stAlert']").all_inner_texts()


def test_strategic_lead_reads_a_hexagon_and_its_ward_as_the_same_events_and_who_is_a_child(
    server: str, browser: Browser, app_world: AppWorld, tmp_path: Path
) -> None:
    truth = json.loads((app_world.data_dir / "world-5000-1" / "truth.json").read_text())
    store = open_store(app_world.store_url)
    as_of = str(store.read_results("summary").rows[0]["as_of"])  # type: ignore[union-attr]
    store.close()
    blocked: list[str] = []
    page = sign_in(browser, server, "strategic", blocked)
    page.get_by_role("link", name="Hotspot map").click()
    page.get_by_text("Counted: exploitation-related events in the whole window").wait_for(timeout=30000)
    page.wait_for_timeout(1500)  # the tables below the caption finish drawing
    wards_seen = _cells(_table(page, 0))
    wards = dict(zip(wards_seen[0::2], wards_seen[1::2], strict=True))
    hexagons = _cells(_table(page, 1), columns=4)
    published = [(place, int(n)) for place, n in zip(hexagons[0::4], hexagons[1::4], strict=True) if n.isdigit()]
    assert published, hexagons
    for place, count in published:  # "Fennwick, west (3 of 3)": the hexagon lies in Fennwick
        ward = place.split(",")[0].split(" (")[0]
        assert wards[ward].isdigit() and int(wards[ward]) >= count, (place, count, ward, wards[ward])
    assert not [c for c in _captions(page) if EXACT_SUPPRESSED.search(c)], _captions(page)
    page.set_viewport_size({"width": 1400, "height": 1500})
    shot(page, "hotspot-map-hexagon-and-ward", tmp_path)

    page.get_by_role("link", name="Management information").click()
    page.get_by_text(f"Who is counted as a child: a person under 18 on {date_text(as_of)}").wait_for(timeout=30000)
    heading = page.get_by_role("heading", name="Children by how they are known")
    cells = _cells(heading.locator("xpath=following::*[@data-testid='stDataFrame'][1]"))
    known = dict(zip(cells[0::2], cells[1::2], strict=True))
    care = truth["files"]["care/children.xlsx"]  # children's social care's own list, less its rows set aside
    on_care_list = len(set(truth["records"]["care/children.xlsx"].values())) - care["bad_rows"]
    assert known[KNOWN_TO_CARE] == str(safe_count(on_care_list))
    missing = truth["distinct"]["children_dated_by_their_records"]["with_episodes"]
    assert known[REPORTED_MISSING] == str(safe_count(missing))
    assert int(known[ALL_CHILDREN]) > int(known[KNOWN_TO_CARE])
    assert not [c for c in _captions(page) if EXACT_SUPPRESSED.search(c)], _captions(page)
    page.set_viewport_size({"width": 1400, "height": 1400})
    shot(page, "dashboard-who-is-a-child", tmp_path)
    assert not blocked, blocked
