"""Ward boundaries (GeoJSON, as ``disrupt demo`` writes them or an ONS file provides): reading, names,
lookups and extent. Drawing them is the app's (``app.map_view``)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

Ring = Sequence[Sequence[float]]  # [[lng, lat], ...], as GeoJSON orders them


def _polygons(feature: Mapping[str, Any]) -> Iterator[Sequence[Ring]]:
    geometry = feature.get("geometry") or {}
    coordinates = geometry.get("coordinates") or []
    if geometry.get("type") == "Polygon":
        yield coordinates
    elif geometry.get("type") == "MultiPolygon":
        yield from coordinates


def _inside(ring: Ring, lat: float, lng: float) -> bool:
    """Ray casting: whether the point lies inside one ring."""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
        if (y1 > lat) != (y2 > lat) and lng < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def ward_code_of(feature: Mapping[str, Any]) -> str:
    props = feature.get("properties") or {}
    return str(props.get("ward_code") or props.get("WD24CD") or props.get("code") or "")


def ward_name_of(feature: Mapping[str, Any]) -> str:
    props = feature.get("properties") or {}
    return str(props.get("ward_name") or props.get("WD24NM") or props.get("name") or ward_code_of(feature))


def ward_names(boundaries: Mapping[str, Any] | None) -> dict[str, str]:
    """Ward code to ward name for every ward in the file (an empty dict without a file).

    >>> ward_names({"features": [{"properties": {"ward_code": "Z1", "ward_name": "Fennwick"}}]})
    {'Z1': 'Fennwick'}
    """
    return {ward_code_of(f): ward_name_of(f) for f in (boundaries or {}).get("features", []) if ward_code_of(f)}


def ward_at(boundaries: Mapping[str, Any] | None, lat: float, lng: float) -> str | None:
    """The code of the ward containing the point, or None when it lies in none of them.

    >>> square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    >>> wards = {"features": [{"properties": {"ward_code": "Z1"}, "geometry": square}]}
    >>> ward_at(wards, 0.5, 0.5), ward_at(wards, 2.0, 0.5)
    ('Z1', None)
    """
    for feature in (boundaries or {}).get("features", []):
        for polygon in _polygons(feature):
            if polygon and _inside(polygon[0], lat, lng) and not any(_inside(h, lat, lng) for h in polygon[1:]):
                return ward_code_of(feature)
    return None


def ward_centres(boundaries: Mapping[str, Any] | None) -> dict[str, tuple[float, float]]:
    """Ward code to a (lat, lng) point for its label: the centre of its largest ring's bounding box."""
    centres = {}
    for feature in (boundaries or {}).get("features", []):
        rings = [p[0] for p in _polygons(feature) if p and p[0]]
        if not rings:
            continue
        ring = max(rings, key=len)
        lngs, lats = [pt[0] for pt in ring], [pt[1] for pt in ring]
        centres[ward_code_of(feature)] = ((min(lats) + max(lats)) / 2, (min(lngs) + max(lngs)) / 2)
    return centres


def boundary_points(boundaries: Mapping[str, Any] | None) -> list[tuple[float, float]]:
    """Every (lat, lng) vertex of every ward's rings, holes included: what a map must show to show them all.

    >>> square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 2], [0, 0]]]}
    >>> boundary_points({"features": [{"geometry": square}]})
    [(0, 0), (0, 1), (2, 1), (0, 0)]
    """
    return [
        (lat, lng)
        for feature in (boundaries or {}).get("features", [])
        for polygon in _polygons(feature)
        for ring in polygon
        for lng, lat in ring
    ]


def load_boundaries(path: Path | None) -> dict[str, Any] | None:
    """Ward boundaries from a GeoJSON file, or None when no file is configured or present."""
    if path is None or not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else None
