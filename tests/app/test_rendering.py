"""Exports, the network and the map: formulas neutralised, values escaped, nothing loaded from the internet."""

from __future__ import annotations

import doctest
import importlib
import io
import re

import pytest
from openpyxl import load_workbook

from app import exports, map_view, network_view, strategic
from app.network_facts import NetworkView, NodeFacts
from graph.records import Link, Provenance, Subgraph, new_entity, new_link
from graph.result_rows import AreaCountRow, HotspotCellRow, MeasureRow, decode_rows

HOSTILE = "<img src=x onerror=alert(1)>`${alert(2)}`</script><script>alert(3)</script>"
SOURCE = Provenance("police_nominals", "N1", "2026-01-01T00:00:00+00:00")


def test_formula_cells_are_neutralised_in_csv_and_excel() -> None:
    rows = [{"name": '=HYPERLINK("http://x","y")', "n": 3, "note": "+1", "tab": "\tcmd", "ok": "Ann"}]
    text = exports.to_csv(rows).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+1" in text and ",Ann" in text
    sheet = load_workbook(io.BytesIO(exports.to_xlsx(rows))).active
    values = [c.value for c in sheet[2]]
    assert values[0].startswith("'=") and values[1] == 3 and values[2] == "'+1"
    assert all(c.data_type != "f" for c in sheet[2])


def test_briefings_escape_every_value() -> None:
    html = exports.briefing_html(HOSTILE, [(HOSTILE, [{"a": HOSTILE}], ["a"])], prepared_by=HOSTILE).decode()
    assert "<img" not in html and "<script>alert" not in html and "&lt;img" in html


def _hostile_subgraph() -> Subgraph:
    person = new_entity("Person", {"ref": "P1", "full_name": HOSTILE}, provenance=SOURCE)
    car = new_entity("Vehicle", {"vrm": "ZX12ABC"}, provenance=SOURCE)
    link: Link = new_link("USES_VEHICLE", person.id, car.id, provenance=SOURCE)
    return Subgraph((person, car), (link,), truncated=True, note="capped at 2 nodes")


def test_network_labels_and_titles_are_escaped_and_the_export_is_self_contained() -> None:
    sub = _hostile_subgraph()
    person_id, car_id = (e.id for e in sub.entities)
    facts = {
        person_id: NodeFacts("suspect", "high", ("suspect",), "25-34", "1 May 2026", HOSTILE, (HOSTILE,)),
        car_id: NodeFacts("object"),
    }
    view = NetworkView(person_id, sub, facts)
    net = network_view.build_network(view)
    data = network_view.network_data(net, view)
    person = next(n for n in data["nodes"] if n["id"] == person_id)
    assert "<img" not in person["title"] and "&lt;img" in person["title"]
    assert person["label"].startswith("<img src=x")  # canvas text, drawn as written (never HTML, font.multi off)
    assert {n["shape"] for n in data["nodes"]} == {"dot", "box"}
    assert "node cap" in network_view.status_line(view)
    html = network_view.network_html(net, title=HOSTILE, legend_entries=data["legend"])
    assert "<script>alert(3)" not in html and "<img src=x" not in html
    assert not re.findall(r"<(?:script|link)[^>]+(?:src|href)=", html)  # nothing fetched: all inline
    assert "/</.test(" in html  # the vendored script inlined as shipped: escaping it breaks its regexes


def test_the_map_escapes_ward_names_and_loads_no_remote_script() -> None:
    view = strategic.hotspot_areas(
        decode_rows(HotspotCellRow, [{"entity_id": "8919441882fffff", "count": 23, "hotspot": True}]),
        decode_rows(
            AreaCountRow, [{"entity_id": "W1", "area_type": "ward", "period": "all", "events": 12, "people": 12}]
        ),
        None,
    )
    boundaries = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"ward_code": "W1", "ward_name": HOSTILE},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[0.7, 54.6], [0.71, 54.6], [0.71, 54.61], [0.7, 54.6]]],
                },
            }
        ],
    }
    html = map_view.hotspot_map(view, boundaries=boundaries, tile_url=None)
    assert "<img src=x" not in html and "<script>alert(3)" not in html and "${alert(2)}" not in html
    assert not re.findall(r"<(?:script|link)[^>]+(?:src|href)=[\"']?https?:", html)
    assert "L.tileLayer" not in html  # no tile URL set: boundaries-only basemap
    tiled = map_view.hotspot_map(view, boundaries=boundaries, tile_url="http://tiles.test/{z}/{x}/{y}.png")
    assert "http://tiles.test/{z}/{x}/{y}.png" in tiled


def test_strategic_counts_are_suppressed_and_rounded() -> None:
    counts = decode_rows(
        AreaCountRow,
        [
            {"entity_id": "a", "area_type": "h3", "period": "all", "events": 9, "people": 9},
            {"entity_id": "b", "area_type": "h3", "period": "all", "events": 12, "people": 12},
            {"entity_id": "a", "area_type": "h3", "period": "2025-Q1", "events": 11, "people": 11},
            {"entity_id": "W1", "area_type": "ward", "period": "2025-Q1", "events": 12, "people": 12},
        ],
    )
    view = strategic.hotspot_areas([], counts, None)
    assert view["cells"] == [{"area": "b", "count": 10}] and "cells_suppressed" not in view
    quarter = strategic.hotspot_areas([], counts, "2025-Q1")
    assert quarter["cells"] == [{"area": "a", "count": 10}] and quarter["wards"] == [{"area": "W1", "count": 10}]
    board = strategic.dashboard(
        decode_rows(
            MeasureRow, [{"measure": "m", "category": "x", "count": 7}, {"measure": "m", "category": "y", "count": 23}]
        )
    )
    assert board["m"] == [
        {"category": "x", "count": None, "shown": "suppressed"},
        {"category": "y", "count": 25, "shown": "25"},
    ]


@pytest.mark.parametrize(
    "module", ["app.exports", "app.licensing", "app.widgets", "app.network_view", "app.network_facts", "app.pickers"]
)
def test_docstring_examples(module: str) -> None:
    failures, tried = doctest.testmod(importlib.import_module(module))
    assert tried and not failures
