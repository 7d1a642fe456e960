"""Tables and exports read as words: titles, dates, kinds, no None, export columns in the screen's order;
monthly measures keep suppressed months in place; the audit log answers "who viewed this record?"."""

from __future__ import annotations

import csv
import datetime as dt
import doctest
import importlib
import io
import sqlite3

import pytest
from openpyxl import load_workbook

from app import exports, strategic
from app.widgets import frame_of
from common.audit import AuditLog
from graph.result_rows import AreaCountRow, HotspotCellRow, MeasureRow, decode_rows


@pytest.mark.parametrize("module", ["app.labels", "geodata.boundaries"])
def test_docstring_examples(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted and not result.failed


def test_a_table_shows_dates_kinds_and_blanks_as_a_person_reads_them() -> None:
    rows = [
        {"date": "2024-07-14T07:19:00", "kind": "MissingEpisode", "label": "x", "score": 2, "note": None},
        {"date": "2024-07-15", "kind": "Person", "label": "y", "score": None, "note": "seen"},
    ]
    frame = frame_of(rows, ["kind", "date", "label", "score", "note"])
    assert list(frame.columns) == ["kind", "date", "label", "score", "note"]
    assert frame["kind"].tolist() == ["Missing episode", "Person"]
    assert frame["date"].tolist() == ["14 Jul 2024, 07:19", "15 Jul 2024"]
    assert frame["score"].tolist() == ["2", ""] and frame["note"].tolist() == ["", "seen"]
    assert "None" not in frame.to_string()


def test_exports_keep_the_screen_order_with_titles_and_still_neutralise_formulas() -> None:
    rows = [{"b_field": "=cmd()", "a_field": 1, "entity_id": "person-1", "when": None}]
    text = exports.to_csv(rows, columns=["entity_id", "b_field"]).decode("utf-8-sig")
    header, line = list(csv.reader(io.StringIO(text)))
    assert header == ["Record", "B field", "A field", "When"]
    assert line == ["person-1", "'=cmd()", "1", ""]
    sheet = load_workbook(io.BytesIO(exports.to_xlsx(rows, columns=["entity_id", "b_field"]))).active
    assert [c.value for c in sheet[1]] == header
    assert [c.value for c in sheet[2]][:3] == ["person-1", "'=cmd()", 1]
    hidden = exports.to_csv([{"x": "\x01=1+2"}]).decode("utf-8-sig")
    assert "'=1+2" in hidden  # a control character cannot hide a formula's start


def test_monthly_measures_list_every_month_with_suppressed_ones_marked() -> None:
    board = strategic.dashboard(
        decode_rows(
            MeasureRow,
            [
                {"measure": "missing episodes by month", "category": "2025-01", "count": 23},
                {"measure": "missing episodes by month", "category": "2025-02", "count": 3},
                {"measure": "missing episodes by month", "category": "2025-04", "count": 12},
            ],
        )
    )
    months = board["missing episodes by month"]
    assert [m["category"] for m in months] == ["2025-01", "2025-02", "2025-03", "2025-04"]
    assert [m["shown"] for m in months] == ["25", "suppressed", "suppressed", "10"]


def test_wards_are_named_and_hexagons_placed_in_their_ward() -> None:
    cell = "8919441882fffff"
    import h3

    lat, lng = h3.cell_to_latlng(cell)
    square = [[lng - 0.01, lat - 0.01], [lng + 0.01, lat - 0.01], [lng + 0.01, lat + 0.01], [lng - 0.01, lat + 0.01]]
    boundaries = {
        "features": [
            {
                "properties": {"ward_code": "Z05000009", "ward_name": "Fennwick"},
                "geometry": {"type": "Polygon", "coordinates": [[*square, square[0]]]},
            },
            {"properties": {"ward_code": "Z05000001", "ward_name": "Tormere Green"}, "geometry": None},
        ]
    }
    view = strategic.hotspot_areas(
        decode_rows(HotspotCellRow, [{"entity_id": cell, "count": 23, "hotspot": True}]),
        decode_rows(
            AreaCountRow,
            [
                {
                    "entity_id": cell,
                    "area_type": "h3",
                    "ward": "Z05000009",
                    "period": "all",
                    "events": 12,
                    "people": 12,
                },
                {"entity_id": "Z05000009", "area_type": "ward", "period": "all", "events": 12, "people": 12},
            ],
        ),
        None,
        boundaries=boundaries,
    )
    assert view["ward_table"] == [
        {"area": "Z05000009", "count": 10, "ward": "Fennwick"},
        {"area": "Z05000001", "count": "suppressed", "ward": "Tormere Green"},
    ]
    assert view["cell_table"][0]["place"] == "Fennwick" and view["cell_table"][0]["hotspot"]


def test_the_audit_log_filters_by_user_record_date_and_purpose() -> None:
    log = AuditLog(sqlite3.connect(":memory:"))
    log.record(user="ann", role="analyst", action="profile", records=["person-child"], purpose="OP-A", outcome="shown")
    log.record(user="bob", role="analyst", action="search", records=["person-x"], purpose="OP-B", outcome="shown")
    log.record(
        user="bob",
        role="analyst",
        action="group",
        records=["person-x", "person-child"],
        purpose="OP-B review",
        outcome="shown",
    )
    assert [e.user for e in log.entries(records=["person-child"])] == ["bob", "ann"]
    assert [e.action for e in log.entries(user="bob", records=["person-child"])] == ["group"]
    assert [e.action for e in log.entries(purpose="b rev")] == ["group"]
    today = dt.datetime.now(dt.UTC).date()
    assert len(log.entries(since=today, until=today)) == 3
    assert log.entries(until=today - dt.timedelta(days=1)) == []
    assert log.users() == ["ann", "bob"]


def test_hexagons_in_one_ward_get_distinct_names_that_say_where() -> None:
    import h3

    centre = "8919441882fffff"
    cells = sorted(h3.grid_disk(centre, 1))  # a hexagon and its six neighbours
    lat, lng = h3.cell_to_latlng(centre)
    square = [[lng - 0.05, lat - 0.05], [lng + 0.05, lat - 0.05], [lng + 0.05, lat + 0.05], [lng - 0.05, lat + 0.05]]
    ward = {"properties": {"ward_code": "Z1", "ward_name": "Fennwick"}}
    boundaries = {"features": [{**ward, "geometry": {"type": "Polygon", "coordinates": [[*square, square[0]]]}}]}
    names = strategic.cell_places(cells, boundaries)
    assert len(set(names.values())) == len(cells)
    assert all(n.startswith("Fennwick, ") for n in names.values())
    assert strategic.cell_places([centre], boundaries) == {centre: "Fennwick"}
    assert strategic.cell_places([centre], None)[centre].startswith("near 54.")
    far = {"features": [{**ward, "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}}]}
    assert strategic.cell_places([centre], far) == {centre: "Outside the wards"}
