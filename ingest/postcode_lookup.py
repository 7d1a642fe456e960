"""Reading a postcode lookup file (the generator's, or the ONS Postcode Directory CSV) into the
offline :class:`geodata.gazetteer.Gazetteer`, with every unusable row set aside and its reason."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from geodata.gazetteer import NO_LOCATION, Gazetteer, Place, is_latitude, is_longitude, lookup_columns
from ingest.normalise import normalise_postcode, show_value
from ingest.readers import ReaderError, read_csv

log = logging.getLogger(__name__)


def load_postcode_lookup(gazetteer: Gazetteer, path: Path) -> int:
    """Add the postcodes of a lookup file to ``gazetteer``; return how many were added.

    Rows that cannot be used (no postcode, no coordinates, a latitude outside -90 to 90 or a
    longitude outside -180 to 180) are listed in the gazetteer's ``set_aside`` with the reason, so
    that rows read = rows added + rows set aside.

    Raises:
        ReaderError: the file lacks a postcode, latitude or longitude column.
    """
    added = 0
    gazetteer.set_aside = []
    for chunk in read_csv(path):
        if not chunk:
            continue
        columns = _pick_columns(path, chunk[0].values.keys())
        for row in chunk:
            place = _place(row.values, columns) if row.problem is None else (row.column, f"row {row.problem}")
            if isinstance(place[1], Place):
                gazetteer.add(place[0], place[1])
                added += 1
            else:
                gazetteer.set_aside.append((row.row, place[0], place[1]))
    log.info("postcode lookup %s: %d postcodes", path.name, added)
    return added


def _pick_columns(path: Path, header: Iterable[str]) -> dict[str, str | None]:
    picked, missing = lookup_columns(header)
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
    if (lat, lon) == NO_LOCATION:
        return lat_col, "has no coordinates (the ONSPD's 99.999999 marks a postcode without a location)"
    if not is_latitude(lat):
        return lat_col, f"{show_value(values.get(lat_col, ''))} is not a latitude (degrees from -90 to 90)"
    if not is_longitude(lon):
        return lon_col, f"{show_value(values.get(lon_col, ''))} is not a longitude (degrees from -180 to 180)"
    ward_col = columns["ward"]
    return postcode, Place(lat, lon, (values.get(ward_col) or None) if ward_col else None)
