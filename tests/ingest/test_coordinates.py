"""Impossible coordinates never reach the store (issue 21): a latitude of -999 or 1e308, a longitude
of 200, NaN or infinity in a camera export or the postcode lookup is set aside with its row, column
and reason, and rows read = rows loaded + rows rejected."""

from __future__ import annotations

import csv
from pathlib import Path

from graph import GraphStore
from ingest.pipeline import ingest_paths

CAMERAS = ["camera_id", "latitude", "longitude", "description"]
# (latitude, longitude, column at fault or "" for a good row, words its reason must hold)
CAMERA_ROWS = [
    ("54.5", "0.7", "", ""),
    ("-999", "0.7", "latitude", "not a latitude"),
    ("1e308", "0.7", "latitude", "not a latitude"),
    ("90.0001", "0.7", "latitude", "not a latitude"),
    ("54.5", "200", "longitude", "not a longitude"),
    ("54.5", "-180.5", "longitude", "not a longitude"),
    ("nan", "0.7", "latitude", "not a finite number"),
    ("54.5", "-inf", "longitude", "not a finite number"),
    ("-90", "180", "", ""),  # the poles and the antimeridian are places on Earth
]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _rejects(work: Path, path: Path) -> dict[int, tuple[str, str]]:
    with open(work / "rejects.csv", encoding="utf-8", newline="") as fh:
        return {int(r["row"]): (r["column"], r["reason"]) for r in csv.DictReader(fh) if r["file"] == str(path)}


def test_a_camera_with_impossible_coordinates_is_set_aside_with_a_reason(store: GraphStore, tmp_path: Path) -> None:
    rows = [[f"CAM{i:03d}", lat, lon, f"Example Road (ZZ1 {i}AA)"] for i, (lat, lon, _, _) in enumerate(CAMERA_ROWS)]
    cameras = _write(tmp_path / "cameras.csv", CAMERAS, rows)
    report = ingest_paths(store, cameras, tmp_path / "work", source="anpr_cameras")
    bad = {i + 2: (column, words) for i, (_, _, column, words) in enumerate(CAMERA_ROWS) if column}
    assert report.rows_read == len(CAMERA_ROWS) == report.rows_loaded + report.rows_rejected
    assert report.rows_rejected == len(bad)
    found = _rejects(tmp_path / "work", cameras)
    assert set(found) == set(bad), found
    for row, (column, words) in bad.items():
        assert found[row][0] == column and words in found[row][1], (row, found[row])
    stored = [e.properties for e in store.records_of_kind("Location")]
    assert len(stored) == len(CAMERA_ROWS) - len(bad)
    assert all(-90 <= p["latitude"] <= 90 and -180 <= p["longitude"] <= 180 for p in stored)


def test_a_postcode_lookup_row_with_impossible_coordinates_is_counted_and_set_aside(
    store: GraphStore, tmp_path: Path
) -> None:
    lookup = _write(
        tmp_path / "postcodes.csv",
        ["postcode", "latitude", "longitude", "ward_code"],
        [
            ["ZZ1 1AA", "54.5", "0.7", "Z1"],
            ["ZZ1 1AB", "-999", "0.7", "Z1"],
            ["ZZ1 1AD", "54.5", "1e308", "Z1"],
            ["ZZ1 1AE", "nan", "0.7", "Z1"],
            ["ZZ1 1AF", "", "", "Z1"],  # a terminated postcode: no coordinates
        ],
    )
    work = tmp_path / "work"
    report = ingest_paths(store, lookup, work, source="postcode_lookup")
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (5, 1, 4)
    found = _rejects(work, lookup)
    assert {row: column for row, (column, _) in found.items()} == {
        3: "latitude",
        4: "longitude",
        5: "latitude",
        6: "latitude",
    }
    assert "not a latitude" in found[3][1] and "not a longitude" in found[4][1] and "no coordinates" in found[6][1]
