"""The synthetic district: determinism, planted truth, cross-agency duplicates, and bad rows."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from synthetic import generate
from synthetic.files import FUTURE_DATES, IMPOSSIBLE_DATES
from synthetic.noise import NOISE_RATES

PEOPLE = 4000
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("world")
    truth = generate(out, people=PEOPLE, seed=7)
    return out, truth


def read_rows(out: Path, manifest_entry: dict[str, Any]) -> list[list[str]]:
    """Every row of an export (header first), read as its manifest says."""
    path = out / manifest_entry["path"]
    if manifest_entry["format"] == "xlsx":
        sheet = load_workbook(path, read_only=True).active
        return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    with open(path, newline="", encoding=manifest_entry["encoding"]) as fh:
        return list(csv.reader(fh, delimiter=manifest_entry["delimiter"]))


def tidy_postcode(text: str) -> str:
    compact = "".join(text.upper().split())
    return f"{compact[:-3]} {compact[-3:]}"


def manifest(out: Path) -> dict[str, dict[str, Any]]:
    return {f["path"]: f for f in json.loads((out / "manifest.json").read_text())["files"]}


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_the_same_seed_writes_identical_bytes_and_another_seed_does_not(
    world: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    out, _ = world
    generate(tmp_path / "again", people=PEOPLE, seed=7)
    generate(tmp_path / "other", people=PEOPLE, seed=8)
    first, again, other = digests(out), digests(tmp_path / "again"), digests(tmp_path / "other")
    assert len(first) >= 20 and first == again
    differing = [name for name in first if first[name] != other.get(name)]
    assert len(differing) >= len(first) - 1  # every data file differs


def test_the_district_is_fictional_and_at_sea(world: tuple[Path, dict[str, Any]]) -> None:
    out, truth = world
    wards = json.loads((out / "geography/wards.geojson").read_text())["features"]
    assert 15 <= len(wards) <= 30
    rows = read_rows(out, manifest(out)["geography/postcodes.csv"])[1:]
    assert len({r[0] for r in rows}) == len(rows)
    for code, lat, lon, ward_code, _ in rows:
        assert code.startswith("ZZ") and POSTCODE.match(code)
        # open sea, about 70 km east of the North Yorkshire coast
        assert 54.46 <= float(lat) <= 54.64 and 0.52 <= float(lon) <= 0.99
        assert ward_code.startswith("Z05")
    assert truth["district"] == "Velmouth"


def test_every_group_has_members_victims_with_missing_episodes_and_premises(world: tuple[Path, dict[str, Any]]) -> None:
    out, truth = world
    files = manifest(out)
    groups = truth["groups"]
    assert len(groups) == round(PEOPLE / 1000)
    person_of_nominal = truth["records"]["police/nominals.csv"]
    missing = read_rows(out, files["police/missing_persons.csv"])[1:]
    episodes = Counter(person_of_nominal.get(row[1]) for row in missing)
    premises_ids = {r[0] for r in read_rows(out, files["premises/premises.csv"])[1:]}
    operators = {r[0] for r in read_rows(out, files["licensing/operators.csv"])[1:]}
    for group in groups:
        roles = Counter(m["role"] for m in group["members"])
        assert 4 <= len(group["members"]) <= 15
        assert 1 <= roles["organiser"] <= 2 and roles["facilitator"] >= 1
        assert 2 <= len(group["victims"]) <= 6
        for victim in group["victims"]:
            assert episodes[victim] >= 2, f"victim {victim} of {group['id']} has {episodes[victim]} episodes"
        assert group["premises"]
        for place in group["premises"]:
            assert place.get("premises_id") in premises_ids or place.get("operator_licence") in operators
        assert group["vehicles"] and group["licences"]


def test_victims_are_children_and_many_are_looked_after(world: tuple[Path, dict[str, Any]]) -> None:
    out, truth = world
    rows = read_rows(out, manifest(out)["care/children.xlsx"])
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    person_of_child = truth["records"]["care/children.xlsx"]
    care = {person_of_child[r[col["child_id"]]]: r for r in body if r[col["child_id"]] in person_of_child}
    today = dt.date.fromisoformat(truth["today"])
    looked_after = 0
    for victim in truth["victims"]:
        born = dt.date.fromisoformat(truth["persons"][victim]["dob"])
        assert 12 <= (today - born).days // 365.25 <= 18
        assert victim in care, "every victim is known to children's social care"
        looked_after += care[victim][col["looked_after"]] == "Y"
    assert looked_after / len(truth["victims"]) >= 0.3


def test_cross_agency_duplicates_exist_at_the_stated_rates(world: tuple[Path, dict[str, Any]]) -> None:
    _, truth = world
    records = truth["records"]
    police = set(records["police/nominals.csv"].values())
    care = set(records["care/children.xlsx"].values())
    licensing = set(records["licensing/drivers.csv"].values())
    # every victim is in both police and care files; every group driver in both police and licensing
    assert set(truth["victims"]) <= police & care
    group_people = {m["person"] for g in truth["groups"] for m in g["members"]}
    assert group_people <= police
    assert len(group_people & licensing) >= len(truth["groups"])
    # about 4% of the people known to police have a second nominal record
    per_person = Counter(records["police/nominals.csv"].values())
    share_twice = sum(1 for n in per_person.values() if n == 2) / len(per_person)
    assert 0.015 <= share_twice <= 0.07
    # each variation is seen at about its stated rate across all person records
    total = sum(len(r) for r in records.values())
    seen = Counter(v for by_record in truth["variations"].values() for vs in by_record.values() for v in vs)
    for name in ("typo", "swapped_names", "postcode_missing"):
        assert abs(seen[name] / total - NOISE_RATES[name]) < 0.03, (name, seen[name], total)
    assert seen["nickname"] > 0 and seen["dob_transposed"] > 0 and seen["old_address"] > 0


def test_variations_are_really_in_the_files(world: tuple[Path, dict[str, Any]]) -> None:
    out, truth = world
    rows = read_rows(out, manifest(out)["police/nominals.csv"])
    variations = truth["variations"]["police/nominals.csv"]
    bad = {b["row"] for b in truth["bad_rows"] if b["file"] == "police/nominals.csv"}
    clean = changed = 0
    for number, row in enumerate(rows[1:], start=2):
        nominal_id, surname, forenames, dob = row[:4]
        if number in bad:
            continue
        person = truth["records"]["police/nominals.csv"][nominal_id]
        true = truth["persons"][person]
        same = surname.casefold() == true["family"].casefold() and forenames == true["given"]
        varied = set(variations.get(nominal_id, ())) & {"typo", "nickname", "swapped_names"}
        if varied:
            changed += not same
        else:
            clean += 1
            assert same, (nominal_id, surname, forenames, true)
        if "swapped_names" in varied and "typo" not in varied and "nickname" not in varied:
            assert surname.casefold() == true["given"].casefold()
        if not variations.get(nominal_id):
            assert dt.datetime.strptime(dob, "%d/%m/%Y").date().isoformat() == true["dob"]
    assert clean > 0 and changed > 0


def test_bad_rows_exist_are_listed_and_show_their_defect(world: tuple[Path, dict[str, Any]]) -> None:
    out, truth = world
    files = manifest(out)
    bad = truth["bad_rows"]
    assert len({b["defect"] for b in bad}) >= 6
    for entry in bad:
        rows = read_rows(out, files[entry["file"]])
        row = rows[entry["row"] - 1]  # spreadsheet row numbers: the header is row 1
        col = rows[0].index(entry["column"]) if entry["column"] else None
        defect = entry["defect"]
        if defect == "exact_duplicate":
            assert row == rows[entry["row"] - 2]
        elif defect in ("missing_key", "missing_name"):
            assert row[col] == ""
        elif defect == "malformed_postcode":
            assert not POSTCODE.match(" ".join(row[col].upper().split()))
        elif defect == "impossible_date":
            assert row[col] in {str(v) for v in IMPOSSIBLE_DATES.values()}
        elif defect == "future_date":
            assert row[col] in {str(v) for v in FUTURE_DATES.values()}
        elif defect == "unknown_reference":
            assert row[col] == "XX0000000"
    # rows not listed are not duplicates and have their key
    listed = {(b["file"], b["row"]) for b in bad}
    for path, info in files.items():
        if info["format"] == "geojson":
            continue
        rows = read_rows(out, info)
        for number, row in enumerate(rows[1:], start=2):
            if (path, number) in listed:
                continue
            assert row[0] != "", f"{path} row {number} has no key but is not listed as bad"
            assert row != rows[number - 2], f"{path} row {number} repeats the row above but is not listed"


def test_national_register_and_cross_border_drivers(world: tuple[Path, dict[str, Any]]) -> None:
    out, truth = world
    assert truth["national_register_matches"], "some driver licensed here was revoked or refused elsewhere"
    rows = read_rows(out, manifest(out)["licensing/drivers.csv"])
    authorities = Counter(r[1] for r in rows[1:])
    assert authorities["Velmouth"] > authorities["Orsdale"] > 0


def test_hotspots_hold_more_exploitation_than_population_explains(world: tuple[Path, dict[str, Any]]) -> None:
    out, truth = world
    files = manifest(out)
    in_hotspot = {pc for h in truth["hotspots"] for pc in h["postcodes"]}
    assert len(truth["hotspots"]) == 3 and all(h["postcodes"] for h in truth["hotspots"])
    victims = set(truth["victims"])
    person_of_nominal = truth["records"]["police/nominals.csv"]
    found = [
        tidy_postcode(r[5])
        for r in read_rows(out, files["police/missing_persons.csv"])[1:]
        if person_of_nominal.get(r[1]) in victims and len(r[5]) >= 5
    ]
    share_found_in_hotspots = sum(pc in in_hotspot for pc in found) / len(found)
    postcodes = [r[0] for r in read_rows(out, files["geography/postcodes.csv"])[1:]]
    share_of_postcodes = sum(pc in in_hotspot for pc in postcodes) / len(postcodes)
    assert share_found_in_hotspots > 5 * share_of_postcodes


def test_formats_differ_by_agency(world: tuple[Path, dict[str, Any]]) -> None:
    out, _ = world
    assert (out / "police/nominals.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    assert b";" in (out / "licensing/drivers.csv").read_bytes().splitlines()[0]
    assert b"\t" in (out / "anpr/reads.tsv").read_bytes().splitlines()[0]
    rows = read_rows(out, manifest(out)["care/children.xlsx"])
    dob = rows[1][rows[0].index("date_of_birth")]
    assert dob.isdigit() and 35000 < int(dob) < 47000  # an Excel serial date
    vrms = [r[1] for r in read_rows(out, manifest(out)["licensing/vehicles.csv"])[1:]]
    assert any(" " in v for v in vrms) and any(" " not in v.strip() for v in vrms)
