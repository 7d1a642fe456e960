"""The offline postcode lookup (geodata.gazetteer) and reading its file (ingest.postcode_lookup)."""

from __future__ import annotations

from pathlib import Path

import pytest

from geodata.gazetteer import Gazetteer, Place, lookup_columns
from ingest.postcode_lookup import load_postcode_lookup
from ingest.readers import ReaderError


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lookup.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_onspd_file_gives_places_and_sets_aside_what_has_no_place(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        "pcds,lat,long,osward\n"
        "zz3 1sa,54.5,0.7,Z01\n"  # a postcode, typed loosely, with its ward
        "ZZ3 1SB,99.999999,0.000000,\n"  # the ONSPD's mark of a postcode without a location
        "ZZ3 1SD,91,0.7,Z02\n"  # no such latitude
        "nonsense,54.5,0.7,Z01\n",
    )
    gazetteer = Gazetteer()
    assert load_postcode_lookup(gazetteer, path) == 1
    assert len(gazetteer) == 1
    assert gazetteer.find("ZZ3 1SA") == Place(54.5, 0.7, "Z01")
    assert gazetteer.find("ZZ3 1SB") is None
    assert [(row, column) for row, column, _ in gazetteer.set_aside] == [(3, "lat"), (4, "lat"), (5, "pcds")]
    reasons = [reason for _, _, reason in gazetteer.set_aside]
    assert "without a location" in reasons[0] and "not a latitude" in reasons[1] and "not a UK postcode" in reasons[2]


def test_a_file_without_coordinates_is_refused_naming_what_it_lacks(tmp_path: Path) -> None:
    path = _file(tmp_path, "postcode,ward_code\nZZ3 1SA,Z01\n")
    with pytest.raises(ReaderError, match="needs columns latitude, longitude"):
        load_postcode_lookup(Gazetteer(), path)


def test_the_generators_columns_are_found_before_the_onspds() -> None:
    picked, missing = lookup_columns(["postcode", "pcds", "latitude", "longitude", "ward_code"])
    assert picked == {"postcode": "postcode", "latitude": "latitude", "longitude": "longitude", "ward": "ward_code"}
    assert missing == []
