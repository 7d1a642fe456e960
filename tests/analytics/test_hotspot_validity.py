"""Hotspots a lead can trust (issue 22, point 5): areas of cells that hold events, never an empty
cell on its own, and a local Moran's I class for each cell that names a spike for what it is.

The classifier and the areas are checked on small constructed grids whose answer can be seen by
eye; the result tables on the seed-1 and seed-7 demo worlds, against a recount from the graph.
"""

from __future__ import annotations

import logging
from collections import Counter

import h3
import numpy as np
import pandas as pd
import pytest

from analytics.hotspots import (
    count_by_cell,
    event_table,
    find_hotspots,
    getis_ord_hotspots,
    local_moran_classes,
    moran_text,
)
from analytics.projections import analysis_date
from analytics.roles import person_roles
from tests.analytics.worlds import AnalysedWorld, Worlds

log = logging.getLogger(__name__)

CENTRE = h3.latlng_to_cell(54.55, 0.75, 9)


def _grid(radius: int) -> list[str]:
    return sorted(h3.grid_disk(CENTRE, radius))


def _ring(cell: str) -> list[str]:
    return sorted(set(h3.grid_disk(cell, 1)) - {cell})


def _counts(values: dict[str, int], cells: list[str]) -> pd.Series:
    return pd.Series([values.get(c, 0) for c in cells], index=pd.Index(cells, name="cell"), dtype="int64")


def _background(cells: list[str], seed: int = 3) -> dict[str, int]:
    """Every cell busy to some degree (3 to 9 events), so an empty ring is rare among the cells."""
    rng = np.random.default_rng(seed)
    return {c: int(v) for c, v in zip(cells, rng.integers(3, 10, len(cells)), strict=True)}


def _class_of(frame: pd.DataFrame, cell: str) -> tuple[str, str, float]:
    row = frame.set_index("cell").loc[cell]
    return str(row["moran_class"]), str(row["moran_quadrant"]), float(row["moran_p"])


def test_a_busy_cell_with_quiet_neighbours_is_a_high_low_spike() -> None:
    cells = _grid(4)
    values = _background(cells) | {CENTRE: 40} | dict.fromkeys(_ring(CENTRE), 0)
    classes = local_moran_classes(_counts(values, cells), seed=1)
    moran_class, quadrant, p = _class_of(classes, CENTRE)
    assert (moran_class, quadrant) == ("high-low", "high-low")
    assert p <= 0.01
    assert moran_text(moran_class, quadrant, p).startswith("a busy cell with quiet neighbours: a spike")
    for cell in _ring(CENTRE):  # each empty neighbour sits beside the busy cell
        assert _class_of(classes, cell)[1] == "low-high"


def test_a_busy_block_is_a_high_high_cluster_and_a_quiet_block_low_low() -> None:
    cells = _grid(5)
    quiet = h3.grid_disk(h3.grid_disk(CENTRE, 4)[-1], 1)  # a block at the grid's edge
    values = _background(cells) | dict.fromkeys(h3.grid_disk(CENTRE, 1), 30) | dict.fromkeys(quiet, 0)
    classes = local_moran_classes(_counts(values, cells), seed=1)
    assert _class_of(classes, CENTRE)[0] == "high-high"
    inner_quiet = max(quiet, key=lambda c: sum(n in quiet for n in h3.grid_disk(c, 1)))
    assert _class_of(classes, inner_quiet)[0] == "low-low"


def test_a_lone_busy_cell_among_empty_ones_is_not_called_significant_by_ties() -> None:
    """Where nearly every cell is empty, the random neighbours are empty too: the statistic ties and
    the pattern is not significant (esda's own p_sim reads such ties as significant or not by noise)."""
    cells = _grid(6)
    values = {CENTRE: 25, cells[5]: 1, cells[40]: 2, cells[90]: 1}
    classes = local_moran_classes(_counts(values, cells), seed=1)
    moran_class, quadrant, p = _class_of(classes, CENTRE)
    assert (moran_class, quadrant) == ("not significant", "high-low")
    assert p > 0.5
    assert moran_text(moran_class, quadrant, p).startswith("a busy cell with quiet neighbours; not significant")


def test_the_classes_are_reproducible_with_a_seed() -> None:
    cells = _grid(4)
    counts = _counts(_background(cells) | {CENTRE: 40} | dict.fromkeys(_ring(CENTRE), 0), cells)
    assert local_moran_classes(counts, seed=7).equals(local_moran_classes(counts, seed=7))


def _events(cells_and_subjects: list[tuple[str, str]]) -> pd.DataFrame:
    rows = []
    for i, (cell, who) in enumerate(cells_and_subjects):
        lat, lon = h3.cell_to_latlng(cell)
        rows.append(
            {
                "event_id": f"e{i}",
                "kind": "Incident",
                "what": "incident",
                "date": f"2025-0{1 + i % 6}-15",
                "month": f"2025-0{1 + i % 6}",
                "latitude": lat,
                "longitude": lon,
                "ward": "Z1",
                "exploitation": True,
                "subjects": (who,),
            }
        )
    return pd.DataFrame(rows)


def test_an_empty_cell_gi_star_marks_is_never_a_hotspot_and_the_area_counts_its_busy_cell() -> None:
    cells = _grid(6)
    elsewhere = [cells[3], cells[50], cells[100], cells[120]]
    events = _events([(CENTRE, f"p{i % 12}") for i in range(30)] + [(c, f"q{i}") for i, c in enumerate(elsewhere)])
    gi = getis_ord_hotspots(count_by_cell(events, cells), seed=1)
    assert gi.loc[gi["significant"] & (gi["count"] == 0)].shape[0] > 0  # Gi* does mark empty cells here
    spots = find_hotspots(events, pd.DataFrame({"latitude": events["latitude"], "longitude": events["longitude"]}))
    hot = spots["cells"][spots["cells"]["hotspot"]]
    assert list(hot["cell"]) == [CENTRE]
    (area,) = spots["areas"].itertuples(index=False)
    assert (area.cells, area.events, area.people) == ((CENTRE,), 30, 12)  # 30 events of 12 people
    assert set(area.quiet_cells) <= set(_ring(CENTRE))


# -- the demo worlds


def _harm(world: AnalysedWorld) -> pd.DataFrame:
    """The harm layer recounted from the graph, as find_hotspots takes it."""
    roles = person_roles(world.G, as_of=analysis_date(world.G))
    events = event_table(world.G, roles=roles)
    flagged = events[events["exploitation"]] if events["exploitation"].any() else events
    return flagged[flagged["kind"] != "Sighting"].drop_duplicates(subset=["event_id"])


@pytest.mark.parametrize("seed", [1, 7])
def test_no_empty_cell_is_a_hotspot_and_every_area_counts_distinct_events(worlds: Worlds, seed: int) -> None:
    world = worlds(seed)
    cells = world.result.tables["hotspots"]
    assert [r.entity_id for r in cells if r.hotspot and r.count == 0] == []
    assert all(r.area_id for r in cells if r.hotspot)
    areas = [r for r in world.result.tables["hotspot_areas"] if r.period == "all"]
    assert areas
    count = {r.entity_id: r.count for r in cells}
    harm = _harm(world)
    at = [h3.latlng_to_cell(a, b, 9) for a, b in zip(harm["latitude"], harm["longitude"], strict=True)]
    for area in areas:
        assert area.events == sum(count[c] for c in area.cells), area
        inside = harm[[c in set(area.cells) for c in at]]
        assert area.events == inside["event_id"].nunique()
        assert area.people == len({s for who in inside["subjects"] for s in who})
        assert all(count[c] > 0 for c in area.cells)
        assert not set(area.quiet_cells) & {r.entity_id for r in cells if r.hotspot}
    in_areas = [c for a in areas for c in a.cells]
    assert len(in_areas) == len(set(in_areas)) == sum(r.hotspot for r in cells)  # each hotspot in one area
    for r in cells:
        if r.significant and r.count == 0:
            assert not r.hotspot and "not a hotspot: no events here" in r.note
    classes = Counter(r.moran_class for r in cells)
    log.info("seed %s: %s areas, classes %s", seed, len(areas), dict(classes))
    by_quarter: Counter[str] = Counter()
    for r in world.result.tables["hotspot_areas"]:
        if r.period != "all":
            by_quarter[r.entity_id] += r.events
    for area in areas:  # quarters split the dated events of the whole window
        assert by_quarter[area.entity_id] <= area.events


@pytest.mark.parametrize("seed", [1, 7])
def test_each_planted_hotspot_is_one_area_and_each_area_a_planted_hotspot(worlds: Worlds, seed: int) -> None:
    world = worlds(seed)
    edge = h3.average_hexagon_edge_length(9, "m")
    areas = [r for r in world.result.tables["hotspot_areas"] if r.period == "all"]

    def planted_near(cell: str) -> set[str]:
        here = h3.cell_to_latlng(cell)
        return {
            s["name"]
            for s in world.truth["hotspots"]
            if h3.great_circle_distance(here, (s["latitude"], s["longitude"]), "m") <= s["radius_m"] + edge
        }

    found = [set().union(*(planted_near(c) for c in a.cells)) for a in areas]
    assert all(len(f) == 1 for f in found), found  # every area lies on one planted hotspot
    assert sorted(n for f in found for n in f) == sorted(s["name"] for s in world.truth["hotspots"])
