"""The synthetic geography of the demo district: wards, postcodes, streets.

The district lies in open sea (about 70 km off the North Yorkshire coast), so no real town, street
or business can ever be shown as a hotspot. Postcodes use the area letters ``ZZ``, which no real
postcode uses, and place names are built from invented syllables.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Polygon, box, mapping

# The district's south-west corner and size. Local metres (x east, y north) map to WGS84 by an
# equirectangular projection about the corner: accurate to metres over 30 km, plenty for a fiction.
ORIGIN_LAT = 54.46
ORIGIN_LON = 0.52
WIDTH_M = 30_000.0
HEIGHT_M = 20_000.0
_M_PER_DEG_LAT = 111_320.0
_M_PER_DEG_LON = _M_PER_DEG_LAT * math.cos(math.radians(ORIGIN_LAT))

DISTRICT_NAME = "Velmouth"
NEIGHBOUR_NAME = "Orsdale"
POSTCODE_AREA = "ZZ"
_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters real inward codes use

_SYLLABLES_A = [
    "Vel",
    "Ors",
    "Brann",
    "Cald",
    "Hux",
    "Mell",
    "Tor",
    "Quen",
    "Wyth",
    "Ashb",
    "Dray",
    "Fenn",
    "Garr",
    "Holm",
    "Kest",
    "Lund",
    "Morr",
    "Norr",
    "Pell",
    "Rav",
    "Skel",
    "Thorn",
    "Uld",
    "Yarr",
]
_SYLLABLES_B = [
    "ock",
    "ley",
    "wick",
    "mere",
    "by",
    "thorpe",
    "ham",
    "ford",
    "stow",
    "holt",
    "don",
    "worth",
    "gate",
    "side",
    "fold",
    "well",
    "croft",
    "dale",
]
_WARD_SUFFIX = ["", " Heath", " Green", " Park", " Vale", " Central", " North", " South", " East", " West", " Moor"]
_STREET_SUFFIX = ["Road", "Street", "Lane", "Close", "Avenue", "Way", "Terrace", "Crescent", "Drive", "Grove"]


@dataclass(frozen=True, slots=True)
class Ward:
    code: str
    name: str
    polygon: Polygon  # in lon/lat


@dataclass(frozen=True, slots=True)
class Hotspot:
    """A planted area where exploitation-related events concentrate beyond what population explains."""

    name: str
    x: float
    y: float
    radius_m: float

    def contains(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.asarray((x - self.x) ** 2 + (y - self.y) ** 2 <= self.radius_m**2)


@dataclass(frozen=True, slots=True)
class District:
    """Wards and postcodes. Postcode attributes are parallel arrays, index = postcode number."""

    name: str
    neighbour: str
    wards: tuple[Ward, ...]
    postcode: list[str]
    x: np.ndarray
    y: np.ndarray
    ward_index: np.ndarray
    street: list[str]
    density: np.ndarray  # relative population weight of each postcode
    hotspots: tuple[Hotspot, ...]

    @property
    def lat(self) -> np.ndarray:
        return np.asarray(to_lat(self.y))

    @property
    def lon(self) -> np.ndarray:
        return np.asarray(to_lon(self.x))


def to_lat(y: np.ndarray | float) -> Any:
    return np.round(ORIGIN_LAT + np.asarray(y) / _M_PER_DEG_LAT, 6)


def to_lon(x: np.ndarray | float) -> Any:
    return np.round(ORIGIN_LON + np.asarray(x) / _M_PER_DEG_LON, 6)


def _place_name(rng: np.random.Generator, used: set[str]) -> str:
    while True:
        name = str(rng.choice(_SYLLABLES_A)) + str(rng.choice(_SYLLABLES_B))
        if name not in used:
            used.add(name)
            return name


def _settlements(rng: np.random.Generator) -> list[tuple[float, float, float, float]]:
    """(x, y, spread in metres, weight): a town and a few villages."""
    town = (WIDTH_M * rng.uniform(0.4, 0.6), HEIGHT_M * rng.uniform(0.4, 0.6), 3_000.0, 0.7)
    villages = [(WIDTH_M * rng.uniform(0.1, 0.9), HEIGHT_M * rng.uniform(0.1, 0.9), 900.0, 0.06) for _ in range(4)]
    return [town, *villages]


def _sample_points(
    rng: np.random.Generator, n: int, places: list[tuple[float, float, float, float]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rural_share = 1.0 - sum(p[3] for p in places)
    weights = np.array([p[3] for p in places] + [rural_share])
    which = rng.choice(len(weights), size=n, p=weights / weights.sum())
    x = rng.uniform(0, WIDTH_M, n)
    y = rng.uniform(0, HEIGHT_M, n)
    for i, (cx, cy, spread, _w) in enumerate(places):
        mask = which == i
        x[mask] = rng.normal(cx, spread, mask.sum())
        y[mask] = rng.normal(cy, spread, mask.sum())
    np.clip(x, 50, WIDTH_M - 50, out=x)
    np.clip(y, 50, HEIGHT_M - 50, out=y)
    return x, y, which


def build_district(n_postcodes: int, seed: int) -> District:
    """Make the district: 18 to 26 wards and ``n_postcodes`` postcodes, the same for the same seed."""
    rng = np.random.default_rng([seed, 1])
    places = _settlements(rng)
    n_wards = int(rng.integers(18, 27))
    seed_x, seed_y, _ = _sample_points(rng, n_wards, places)
    frame = box(0, 0, WIDTH_M, HEIGHT_M)
    cells = shapely.voronoi_polygons(MultiPoint(list(zip(seed_x, seed_y, strict=True))), extend_to=frame)
    used: set[str] = set()
    ward_cells: list[Polygon] = []
    for sx, sy in zip(seed_x, seed_y, strict=True):
        cell = next(c for c in cells.geoms if c.contains(shapely.Point(sx, sy)))
        ward_cells.append(cell.intersection(frame))
    wards = []
    for i, cell in enumerate(ward_cells):
        lonlat = shapely.transform(cell, lambda xy: np.column_stack([to_lon(xy[:, 0]), to_lat(xy[:, 1])]))
        name = _place_name(rng, used) + str(rng.choice(_WARD_SUFFIX))
        wards.append(Ward(code=f"Z05{i + 1:06d}", name=name, polygon=lonlat))

    x, y, _ = _sample_points(rng, n_postcodes, places)
    ward_index = np.full(n_postcodes, -1, dtype=np.int32)
    for i, cell in enumerate(ward_cells):
        inside = shapely.contains_xy(cell, x, y) & (ward_index < 0)
        ward_index[inside] = i
    if (ward_index < 0).any():  # points on a shared edge: give them the nearest ward seed
        lost = np.flatnonzero(ward_index < 0)
        d = (x[lost, None] - seed_x[None, :]) ** 2 + (y[lost, None] - seed_y[None, :]) ** 2
        ward_index[lost] = d.argmin(axis=1)

    codes = _postcode_codes(rng, x, y)
    streets: list[str] = []
    street_names: set[str] = set()
    known: list[str] = []  # past 400 names, streets reuse them, as towns repeat street names
    for _ in range(n_postcodes):
        if len(street_names) < 400:
            base = _place_name(rng, street_names)
        else:
            known = known or sorted(street_names)
            base = str(rng.choice(known))
        streets.append(f"{base} {rng.choice(_STREET_SUFFIX)}")
    density = rng.gamma(2.0, 1.0, n_postcodes)
    hotspots = _hotspots(rng, x, y)
    return District(DISTRICT_NAME, NEIGHBOUR_NAME, tuple(wards), codes, x, y, ward_index, streets, density, hotspots)


def _postcode_codes(rng: np.random.Generator, x: np.ndarray, y: np.ndarray) -> list[str]:
    """Unique codes ``ZZd sUU``: the district number follows a 10 x 5 grid over the map; a crowded
    district spills into further numbers from 51 up, 4,000 codes each (as a real area splits)."""
    district_no = 1 + (x // (WIDTH_M / 10)).astype(int) + 10 * (y // (HEIGHT_M / 5)).astype(int)
    inward = [f"{s}{a}{b}" for s in range(10) for a in _UNIT_LETTERS for b in _UNIT_LETTERS]
    codes: list[str] = [""] * len(x)
    spare = 51
    for d in np.unique(district_no):
        members = np.flatnonzero(district_no == d)
        for start in range(0, len(members), len(inward)):
            chunk = members[start : start + len(inward)]
            number = int(d) if start == 0 else spare
            spare += start > 0
            picked = rng.choice(len(inward), size=len(chunk), replace=False)
            for m, p in zip(chunk, picked, strict=True):
                codes[m] = f"{POSTCODE_AREA}{number} {inward[p]}"
    return codes


def _hotspots(rng: np.random.Generator, x: np.ndarray, y: np.ndarray) -> tuple[Hotspot, ...]:
    """Three hotspots centred on populated postcodes, well apart from each other."""
    chosen: list[Hotspot] = []
    order = rng.permutation(len(x))
    for i in order:
        if all((x[i] - h.x) ** 2 + (y[i] - h.y) ** 2 > 3_000.0**2 for h in chosen):
            chosen.append(Hotspot(f"H{len(chosen) + 1}", float(x[i]), float(y[i]), 400.0))
        if len(chosen) == 3:
            break
    return tuple(chosen)


def wards_geojson(district: District) -> str:
    """The ward boundaries as a GeoJSON FeatureCollection (coordinates rounded to 6 places)."""
    features = [
        {
            "type": "Feature",
            "properties": {"ward_code": w.code, "ward_name": w.name, "district": district.name},
            "geometry": mapping(shapely.set_precision(w.polygon, 1e-6)),
        }
        for w in district.wards
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, indent=1, sort_keys=True)
