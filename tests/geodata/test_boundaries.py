"""Ward boundaries read and measured in geodata.boundaries, which the app's map draws."""

from __future__ import annotations

import json
from pathlib import Path

from geodata.boundaries import boundary_points, load_boundaries, ward_at

SQUARE = [[[0.0, 54.0], [1.0, 54.0], [1.0, 55.0], [0.0, 55.0], [0.0, 54.0]]]
FAR = [[[3.0, 56.0], [4.0, 56.0], [4.0, 57.0], [3.0, 56.0]]]


def test_boundaries_are_read_from_their_file_or_are_none(tmp_path: Path) -> None:
    wards = {"type": "FeatureCollection", "features": [{"properties": {"ward_code": "Z1"}, "geometry": None}]}
    (tmp_path / "wards.geojson").write_text(json.dumps(wards), encoding="utf-8")
    assert load_boundaries(tmp_path / "wards.geojson") == wards
    assert load_boundaries(tmp_path / "missing.geojson") is None
    assert load_boundaries(None) is None
    (tmp_path / "list.geojson").write_text("[]", encoding="utf-8")
    assert load_boundaries(tmp_path / "list.geojson") is None


def test_the_points_of_polygons_and_multipolygons_are_all_there() -> None:
    wards = {
        "features": [
            {"properties": {"ward_code": "Z1"}, "geometry": {"type": "Polygon", "coordinates": SQUARE}},
            {"properties": {"ward_code": "Z2"}, "geometry": {"type": "MultiPolygon", "coordinates": [SQUARE, FAR]}},
            {"properties": {"ward_code": "Z3"}, "geometry": None},
        ]
    }
    points = boundary_points(wards)
    assert len(points) == 5 + 5 + 4
    assert (min(p[0] for p in points), max(p[0] for p in points)) == (54.0, 57.0)  # latitudes first
    assert (min(p[1] for p in points), max(p[1] for p in points)) == (0.0, 4.0)
    assert ward_at(wards, 54.5, 0.5) == "Z1" and ward_at(wards, 56.2, 3.5) == "Z2"
