"""Offline geocoding by postcode: the generator's lookup or the ONS Postcode Directory CSV.

The lookup is read into memory (about 2.7 million rows for the whole ONSPD; a district's few
thousand for the demo) and never leaves the machine.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from ingest.normalise import normalise_postcode
from ingest.readers import ReaderError, read_csv

log = logging.getLogger(__name__)

# Column names in the generator's lookup, then in the ONS Postcode Directory.
_COLUMNS = {
    "postcode": ("postcode", "pcds", "pcd"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "long"),
    "ward": ("ward_code", "osward"),
}


@dataclass(frozen=True, slots=True)
class Place:
    latitude: float
    longitude: float
    ward: str | None


class Gazetteer:
    """Postcode -> coordinates and ward."""

    def __init__(self, places: dict[str, Place] | None = None) -> None:
        self.places: dict[str, Place] = places or {}

    def __len__(self) -> int:
        return len(self.places)

    def find(self, postcode: str) -> Place | None:
        return self.places.get(postcode)

    def load(self, path: Path) -> int:
        """Add the postcodes of a lookup file; return how many were added.

        Raises:
            ReaderError: the file lacks a postcode, latitude or longitude column.
        """
        added = 0
        for chunk in read_csv(path):
            if not chunk:
                continue
            columns = _pick_columns(path, chunk[0].values.keys())
            for row in chunk:
                place = _place(row.values, columns)
                if place is not None:
                    self.places[place[0]] = place[1]
                    added += 1
        log.info("postcode lookup %s: %d postcodes", path.name, added)
        return added


def _pick_columns(path: Path, header: object) -> dict[str, str | None]:
    names = set(header)  # type: ignore[call-overload]
    picked = {key: next((c for c in options if c in names), None) for key, options in _COLUMNS.items()}
    missing = [key for key in ("postcode", "latitude", "longitude") if picked[key] is None]
    if missing:
        raise ReaderError(
            f"{path}: a postcode lookup needs columns {', '.join(missing)} "
            "(postcode, latitude, longitude as the generator writes, or pcds, lat, long as in the ONSPD)"
        )
    return picked


def _place(values: dict[str, str], columns: dict[str, str | None]) -> tuple[str, Place] | None:
    try:
        postcode = normalise_postcode(values[columns["postcode"] or ""])
        lat = float(values[columns["latitude"] or ""])
        lon = float(values[columns["longitude"] or ""])
    except (KeyError, ValueError):
        return None  # terminated postcodes in the ONSPD have no coordinates
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat, lon) == (99.999999, 0.0):
        return None
    ward_col = columns["ward"]
    return postcode, Place(lat, lon, (values.get(ward_col) or None) if ward_col else None)
