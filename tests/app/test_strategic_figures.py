"""The strategic lead's figures on the seed-1 demo world, checked against the truth file (issues 20, 21):
who is counted as a child, and hexagons that agree with their wards in every quarter."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from analytics.dashboard import ALL_CHILDREN, HOW_KNOWN, KNOWN_TO_CARE, REPORTED_MISSING
from analytics.disclosure import THRESHOLD
from app.gateway import Gateway, Viewer
from common.app_db import open_app_db
from common.audit import AuditLog
from geodata.boundaries import load_boundaries
from graph import open_store
from graph.result_rows import AreaCountRow, ChildIndicatorRow, MeasureRow
from tests.app.conftest import AppWorld


@pytest.fixture(scope="module")
def truth(app_world: AppWorld) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((app_world.data_dir / "world-5000-1" / "truth.json").read_text())
    return loaded


@pytest.fixture()
def gw(app_world: AppWorld, tmp_path: Path) -> Iterator[Gateway]:
    store = open_store(app_world.store_url)
    yield Gateway(store, AuditLog(open_app_db(tmp_path / "app.db")), Viewer("t-strategic", "strategic", "TEST-OP-9"))
    store.close()


def test_the_children_counted_are_defined_and_match_the_truth(gw: Gateway, truth: dict[str, Any]) -> None:
    """185 children is not care's 85: it is everyone under 18 known to care, reported missing or a
    victim of a crime; the part known to care is care's own list less the row the ingest set aside."""
    mi = {(r.measure, r.category): r.count for r in gw.results(MeasureRow)}
    care = truth["files"]["care/children.xlsx"]
    on_care_list = len(set(truth["records"]["care/children.xlsx"].values())) - care["bad_rows"]
    assert mi[(HOW_KNOWN, KNOWN_TO_CARE)] == on_care_list == 84
    assert mi[(HOW_KNOWN, REPORTED_MISSING)] == truth["distinct"]["children_dated_by_their_records"]["with_episodes"]
    assert mi[(HOW_KNOWN, ALL_CHILDREN)] == len(gw.results(ChildIndicatorRow))
    for measure in ("children by age band", "children by gender", "children by risk level"):
        assert sum(n for (m, _), n in mi.items() if m == measure) == mi[(HOW_KNOWN, ALL_CHILDREN)]


def test_every_published_hexagon_lies_in_a_published_ward_at_least_as_big(gw: Gateway, app_world: AppWorld) -> None:
    boundaries = load_boundaries(app_world.data_dir / "boundaries" / "wards.geojson")
    counts = gw.results(AreaCountRow)
    people = {(r.area_type, r.entity_id, r.period): r.people for r in counts}
    seen = 0
    for period in [None, *gw.hotspot_periods()]:
        view = gw.hotspot_areas(period, boundaries=boundaries)
        wards = {w["ward"]: w["count"] for w in view["ward_table"]}
        for cell in view["cell_table"]:
            if isinstance(cell["count"], int):
                seen += 1
                ward = cell["place"].split(",")[0].split(" (")[0]
                assert isinstance(wards[ward], int) and wards[ward] >= cell["count"], (period, cell, wards[ward])
                assert people[("h3", cell["area"], period or "all")] >= THRESHOLD
    assert seen >= 3  # the demo's hotspots are published over the whole window
