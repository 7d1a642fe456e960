"""Offline geocoding by postcode: the generator's lookup or the ONS Postcode Directory CSV.

The lookup is read into memory (about 2.7 million rows for the whole ONSPD; a district's few
thousand for the demo) and never leaves the machine.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path

from ingest.normalise import normalise_postcode, show_value
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
        self.set_aside: list[tuple[int, str, str]] = []  # the last file's unusable rows: row, column, reason

    def __len__(self) -> int:
        return len(self.places)

    def find(self, postcode: str) -> Place | None:
        return self.places.get(postcode)

    def load(self, path: Path) -> int:
        """Add the postcodes of a lookup file; return how many were added.

        Rows that cannot be used (no postcode, no coordinates, a latitude outside -90 to 90 or a
        longitude outside -180 to 180) are listed in :attr:`set_aside` with the reason, so that
        rows read = rows added + rows set aside.

        Raises:
            ReaderError: the file lacks a postcode, latitude or longitude column.
        """
        added = 0
        self.set_aside = []
        for chunk in read_csv(path):
            if not chunk:
                continue
            columns = _pick_columns(path, chunk[0].values.keys())
            for row in chunk:
                place = _place(row.values, columns) if row.problem is None else (row.column, f"row {row.problem}")
                if isinstance(place[1], Place):
                    self.places[place[0]] = place[1]
                    added += 1
                else:
                    self.set_aside.append((row.row, place[0], place[1]))
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


def _place(values: dict[str, str], columns: dict[str, str | None]) -> tuple[str, Place] | tuple[str, str]:
    """The postcode and its place, or the column at fault and why the row cannot be used."""
    lat_col, lon_col = columns["latitude"] or "", columns["longitude"] or ""
    try:
        postcode = normalise_postcode(values.get(columns["postcode"] or "", ""))
    except ValueError as exc:
        return columns["postcode"] or "", str(exc)
    try:
        lat, lon = float(values.get(lat_col, "")), float(values.get(lon_col, ""))
    except ValueError:
        return lat_col, "has no coordinates (terminated postcodes in the ONSPD have none)"
    if (lat, lon) == (99.999999, 0.0):
        return lat_col, "has no coordinates (the ONSPD's 99.999999 marks a postcode without a location)"
    if not math.isfinite(lat) or not -90 <= lat <= 90:
        return lat_col, f"{show_value(values.get(lat_col, ''))} is not a latitude (degrees from -90 to 90)"
    if not math.isfinite(lon) or not -180 <= lon <= 180:
        return lon_col, f"{show_value(values.get(lon_col, ''))} is not a longitude (degrees from -180 to 180)"
    ward_col = columns["ward"]
    return postcode, Place(lat, lon, (values.get(ward_col) or None) if ward_col else None)
