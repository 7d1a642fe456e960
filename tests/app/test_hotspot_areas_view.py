"""The hotspot areas a strategic lead reads: published by the disclosure rule, and never a total that
gives away a suppressed hexagon by subtraction."""

from __future__ import annotations

import h3

from app import map_view, strategic
from graph.result_rows import AreaCountRow, HotspotAreaRow, HotspotCellRow

BUSY = h3.latlng_to_cell(54.55, 0.75, 9)
NEXT = sorted(set(h3.grid_disk(BUSY, 1)) - {BUSY})[0]
FAR = h3.latlng_to_cell(54.60, 0.80, 9)


def _counts(cells: dict[str, tuple[int, int]], period: str = "all") -> list[AreaCountRow]:
    return [
        AreaCountRow.from_mapping(
            {"entity_id": c, "area_type": "h3", "ward": "Z1", "period": period, "events": e, "people": n}
        )
        for c, (e, n) in cells.items()
    ]


def _area(area: str, cells: list[str], period: str, events: int, people: int) -> HotspotAreaRow:
    return HotspotAreaRow.from_mapping(
        {
            "entity_id": area,
            "period": period,
            "cells": cells,
            "cell_count": len(cells),
            "peak_cell": cells[0],
            "events": events,
            "people": people,
        }
    )


def _hot(cell: str, area: str, text: str) -> HotspotCellRow:
    return HotspotCellRow.from_mapping({"entity_id": cell, "hotspot": True, "area_id": area, "moran_text": text})


def test_an_area_total_does_not_give_away_its_suppressed_hexagon() -> None:
    # 37 events of 20 people and 13 events of 4 people: the area (50 of 22) is published, and so
    # would be the first hexagon (35), leaving 15 of 4 people to subtraction: that hexagon goes too.
    counts = _counts({BUSY: (37, 20), NEXT: (13, 4)})
    areas = [_area("A1", [BUSY, NEXT], "all", 50, 22)]
    hot = [_hot(BUSY, "A1", "a busy cell among busy neighbours: part of a cluster"), _hot(NEXT, "A1", "")]
    view = strategic.hotspot_areas(hot, counts, None, areas=areas)
    place = {c["area"]: c["place"] for c in view["cell_table"]}[BUSY]  # the area is placed at its busiest hexagon
    assert view["area_table"] == [{"hotspot area": "A1", "place": place, "hexagons": 2, "events": 50, "people": 20}]
    assert {c["area"]: c["count"] for c in view["cell_table"]} == {BUSY: "suppressed", NEXT: "suppressed"}
    assert {c["hotspot"] for c in view["cell_table"]} == {"hotspot area A1"}
    assert view["cell_info"][BUSY]["pattern"].startswith("a busy cell among busy neighbours")
    assert view["cell_info"][NEXT]["pattern"] == strategic.NO_PATTERN


def test_an_area_resting_on_few_people_is_suppressed_with_its_people() -> None:
    counts = _counts({FAR: (40, 3)})
    areas = [_area("A1", [FAR], "all", 40, 3), _area("A1", [FAR], "2025-Q1", 12, 12)]
    view = strategic.hotspot_areas([_hot(FAR, "A1", "")], counts, None, areas=areas)
    assert [(a["events"], a["people"]) for a in view["area_table"]] == [("suppressed", "suppressed")]
    quarter = strategic.hotspot_areas(
        [_hot(FAR, "A1", "")], _counts({FAR: (12, 12)}, "2025-Q1"), "2025-Q1", areas=areas
    )
    assert [(a["events"], a["people"]) for a in quarter["area_table"]] == [(10, 10)]  # the quarter's own counts


def test_the_map_tooltip_names_the_area_and_the_pattern_in_words() -> None:
    counts = _counts({BUSY: (37, 20)})
    areas = [_area("A1", [BUSY], "all", 37, 20)]
    words = "a busy cell with quiet neighbours: a spike (local Moran's I high-low, p 0.001)"
    view = strategic.hotspot_areas([_hot(BUSY, "A1", words)], counts, None, areas=areas)
    html = map_view.hotspot_map(view, boundaries=None, tile_url=None)
    assert "exploitation-related events: 35; in hotspot area A1; a busy cell with quiet neighbours: a spike" in html
    assert "a busy cell with quiet neighbours: a spike<br>" in html  # the legend says what each pattern means
