"""An analyst's search in a real browser: a person found as people type them, told apart on sight.

The names and numbers typed come from the demo world's police nominal export, as an analyst would
read them off a report; the hit must show who it is (date of birth or age band, and address).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from graph import Entity, GraphStore, open_store
from graph.ids import fold_text
from tests.app.browser import shot, sign_in
from tests.app.conftest import AppWorld
from tests.app.test_licensing_search import export_rows

BOX = "Name, reference, VRM, phone, licence number or address"


@pytest.fixture(scope="module")
def store(app_world: AppWorld) -> Iterator[GraphStore]:
    opened = open_store(app_world.store_url)
    yield opened
    opened.close()


def _nominals(world: AppWorld, store: GraphStore) -> list[tuple[dict[str, str], Entity]]:
    """Adults in the police nominal export, each with the person the store resolved them to, whose
    name reads as the export spells it (so the analyst types what the screen will show)."""
    rows = export_rows(next(world.data_dir.glob("world-*/police")) / "nominals.csv")
    made = store.find_by_source("police_nominals", [r["nominal_id"] for r in rows], kind="Person")
    people = {e.id: e for e in store.get_entities(set(made.values()))}
    canonical = store.canonical_ids(made.values())
    found = []
    for r in rows:
        person = people.get(canonical.get(made.get(r["nominal_id"], ""), ""))
        if person is None or person.id in world.victims or not person.properties.get("address"):
            continue
        born = person.properties.get("date_of_birth")
        if not born or dt.date.fromisoformat(born).year > 2000:
            continue
        if fold_text(person.label) == fold_text(f"{r['forenames']} {r['surname']}"):
            found.append((r, person))
    assert found, "no adult nominal with a name, date of birth and address"
    return found


def _search(page: Page, text: str) -> str:
    page.get_by_role("textbox", name=BOX).fill(text)
    page.get_by_role("button", name="Search").click()
    # the results table draws on a canvas; its cells are also in the page for screen readers
    page.locator("[role=gridcell]").first.wait_for(state="attached", timeout=30000)
    page.wait_for_timeout(500)
    return " | ".join(c.text_content() or "" for c in page.locator("[role=gridcell]").all()).casefold()


def _shown_date(iso: str) -> set[str]:
    """The ways a table may show a date of birth."""
    day = dt.date.fromisoformat(iso)
    return {iso, f"{day.day} {day:%b %Y}".casefold(), f"{day:%d %b %Y}".casefold(), f"{day:%d/%m/%Y}"}


def test_analyst_finds_a_person_by_surname_then_forename_and_sees_who_it_is(
    server: str, browser: Browser, app_world: AppWorld, store: GraphStore, tmp_path: Path
) -> None:
    row, person = _nominals(app_world, store)[0]
    blocked: list[str] = []
    page = sign_in(browser, server, "analyst", blocked)
    cells = _search(page, f"{row['surname']} {row['forenames']}")
    assert fold_text(person.label) in cells
    assert any(d in cells for d in _shown_date(person.properties["date_of_birth"])), cells
    assert fold_text(person.properties["address"]) in cells
    shot(page, "search", tmp_path)
    assert not blocked, blocked


def test_analyst_finds_a_person_by_a_spaced_national_phone_number(
    server: str, browser: Browser, app_world: AppWorld, store: GraphStore, tmp_path: Path
) -> None:
    row, person = next(
        (r, p) for r, p in _nominals(app_world, store) if r["phone"].startswith("0") and " " in r["phone"]
    )
    blocked: list[str] = []
    page = sign_in(browser, server, "analyst", blocked)
    cells = _search(page, row["phone"])
    assert fold_text(person.label) in cells and "uses +44" in cells
    assert fold_text(person.properties["address"]) in cells
    shot(page, "search-phone", tmp_path)
    assert not blocked, blocked
