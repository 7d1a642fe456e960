"""The offline postcode lookup: postcode -> coordinates and ward, held in memory.

It holds the generator's lookup or the ONS Postcode Directory (about 2.7 million rows for the
whole ONSPD; a district's few thousand for the demo) and never leaves the machine. Reading a lookup
file is ingest's job (``ingest.postcode_lookup``); this module says which columns a lookup has and
which coordinates are a place.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

# Column names in the generator's lookup, then in the ONS Postcode Directory.
LOOKUP_COLUMNS: dict[str, tuple[str, ...]] = {
    "postcode": ("postcode", "pcds", "pcd"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "long"),
    "ward": ("ward_code", "osward"),
}
REQUIRED = ("postcode", "latitude", "longitude")
# Where the ONSPD puts a postcode that has no location (terminated ones, mostly).
NO_LOCATION = (99.999999, 0.0)


@dataclass(frozen=True, slots=True)
class Place:
    latitude: float
    longitude: float
    ward: str | None


class Gazetteer:
    """Postcode (in its standard form, ``ZZ3 1SA``) -> coordinates and ward."""

    def __init__(self, places: dict[str, Place] | None = None) -> None:
        self.places: dict[str, Place] = places or {}
        self.set_aside: list[tuple[int, str, str]] = []  # the last file's unusable rows: row, column, reason

    def __len__(self) -> int:
        return len(self.places)

    def find(self, postcode: str) -> Place | None:
        return self.places.get(postcode)

    def add(self, postcode: str, place: Place) -> None:
        self.places[postcode] = place


def lookup_columns(header: Iterable[str]) -> tuple[dict[str, str | None], list[str]]:
    """The column of a lookup file holding each of postcode, latitude, longitude and ward, and the
    required ones it lacks.

    >>> lookup_columns(["pcds", "lat", "long"])
    ({'postcode': 'pcds', 'latitude': 'lat', 'longitude': 'long', 'ward': None}, [])
    >>> lookup_columns(["postcode"])[1]
    ['latitude', 'longitude']
    """
    names = set(header)
    picked = {key: next((c for c in options if c in names), None) for key, options in LOOKUP_COLUMNS.items()}
    return picked, [key for key in REQUIRED if picked[key] is None]


def is_latitude(value: float) -> bool:
    """Degrees from -90 to 90."""
    return math.isfinite(value) and -90 <= value <= 90


def is_longitude(value: float) -> bool:
    """Degrees from -180 to 180."""
    return math.isfinite(value) and -180 <= value <= 180
