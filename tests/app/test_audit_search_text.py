"""An administrator cannot read a child's name in the audit log through an analyst's search (issue 21).

Before this, the analyst's search text was kept in the entry's detail (``text='...'``) and the
administrator's Audit log page, its CSV and its XLSX showed it, with the names of the children the
search found beside it. Now the entry keeps the text's length and a keyed hash, the page shows
"search text withheld (N characters)", and the administrator answers "who searched for this name?"
by typing the name into the page's own filter, which hashes it the same way.
"""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Browser, Page

from graph import open_store
from tests.app.browser import shot, sign_in
from tests.app.conftest import VICTIM_MARKER, AppWorld

SEARCH_BOX = "Name, reference, VRM, phone, licence number or address"


def _wait_until_drawn(page: Page) -> None:
    page.wait_for_function(
        "() => !document.querySelector('[data-stale=\"true\"]')"
        " && !document.querySelector('[data-testid=\"stStatusWidget\"]')",
        timeout=30000,
    )
    page.wait_for_timeout(800)


def _grid_text(page: Page) -> list[str]:
    cells = page.locator("[data-testid='stDataFrame']").first.locator("[role='gridcell']")
    cells.first.wait_for(state="attached", timeout=30000)
    return [t.strip() for t in cells.all_text_contents()]


def _download(page: Page, button: str) -> bytes:
    with page.expect_download(timeout=30000) as got:
        page.get_by_role("button", name=button).click()
    path = got.value.path()
    assert path is not None
    return Path(path).read_bytes()


def _xlsx_text(data: bytes) -> str:
    book = load_workbook(io.BytesIO(data), read_only=True)
    rows = (row for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))
    return "\n".join("\t".join("" if v is None else str(v) for v in row) for row in rows)


def _analyst_searches(browser: Browser, server: str, name: str, blocked: list[str]) -> None:
    page = sign_in(browser, server, "analyst", blocked)
    page.get_by_role("link", name="Search").click()
    page.get_by_role("textbox", name=SEARCH_BOX).fill(name)
    page.get_by_role("button", name="Search").click()
    page.locator("[data-testid='stDataFrame']").first.locator("[role='gridcell']").first.wait_for(
        state="attached", timeout=30000
    )
    _wait_until_drawn(page)
    page.close()


def test_administrator_sees_no_searched_child_name_but_can_find_the_search(
    server: str, browser: Browser, app_world: AppWorld, tmp_path: Path
) -> None:
    store = open_store(app_world.store_url)
    child = store.get_entity(app_world.victims[-1])
    store.close()
    assert child is not None and child.label.startswith(VICTIM_MARKER)
    name = child.label
    withheld = f"search text withheld ({len(name)} characters)"
    blocked: list[str] = []
    _analyst_searches(browser, server, name, blocked)

    page = sign_in(browser, server, "admin", blocked)
    page.set_viewport_size({"width": 1800, "height": 1200})  # the grid draws only the columns in view
    page.get_by_role("link", name="Audit log").click()
    page.get_by_role("heading", name="Audit log").wait_for(timeout=30000)
    _wait_until_drawn(page)
    cells = _grid_text(page)
    assert not [c for c in cells if VICTIM_MARKER in c], cells
    assert VICTIM_MARKER not in page.content()
    assert withheld in cells, cells  # the analyst's search is there, its text is not
    csv_text = _download(page, "audit-log.csv").decode("utf-8-sig")
    xlsx_text = _xlsx_text(_download(page, "audit-log.xlsx"))
    for exported in (csv_text, xlsx_text):
        assert withheld in exported
        assert VICTIM_MARKER not in exported  # neither the text searched nor the children found by it
    shot(page, "audit-search-withheld", tmp_path)

    # "who searched for this child?": the administrator types the name; the page hashes it the same way
    box = page.get_by_role("textbox", name="Searched for (the exact words)")
    box.fill(name.upper().replace(" ", "  "))  # case and spacing do not matter
    box.press("Enter")
    page.get_by_text("Showing entries whose search text was these words").wait_for(timeout=30000)
    _wait_until_drawn(page)
    cells = _grid_text(page)
    assert "test-analyst" in cells and "search" in cells, cells
    assert withheld in cells, cells
    assert {c for c in cells if c.startswith("test-")} <= {"test-analyst", "test-admin"}, cells
    assert not [c for c in cells if VICTIM_MARKER in c], cells
    shot(page, "audit-search-found", tmp_path)

    # an administrator reading the log later sees the filter was used, not what was typed in it
    box.fill("")
    box.press("Enter")
    page.wait_for_timeout(500)
    _wait_until_drawn(page)
    assert VICTIM_MARKER not in _download(page, "audit-log.csv").decode("utf-8-sig")
    assert not blocked, blocked
