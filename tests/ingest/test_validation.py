"""Malformed rows are each set aside with a clear reason; hostile values load verbatim."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from graph import GraphStore, make_id
from ingest.ledger import Checkpoint, Ledger, Reject
from ingest.mapping import InvalidMapping, load_spec
from ingest.pipeline import ingest_paths

NOMINALS = ["nominal_id", "surname", "forenames", "dob", "sex", "ethnicity", "address", "postcode", "phone"]
GOOD = ["PN1000001", "Zedfield", "Ada", "03/02/2011", "F", "White", "1 Example Road", "ZZ1 1AA", "07700 900123"]


def _write(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _nominal(**changes: str) -> list[str]:
    row = dict(zip(NOMINALS, GOOD, strict=True))
    row.update(changes)
    return [row[c] for c in NOMINALS]


def _reasons(work: Path, path: Path) -> dict[int, list[tuple[str, str]]]:
    with open(work / "rejects.csv", encoding="utf-8", newline="") as fh:
        found: dict[int, list[tuple[str, str]]] = {}
        for r in csv.DictReader(fh):
            if r["file"] == str(path):
                found.setdefault(int(r["row"]), []).append((r["column"], r["reason"]))
    return found


# (row changes, column at fault, words the reason must contain)
NOMINAL_CASES: list[tuple[dict[str, str], str, str]] = [
    ({"nominal_id": ""}, "nominal_id", "value is required"),
    ({"nominal_id": "12345"}, "nominal_id", "not in the expected form"),
    ({"surname": " "}, "surname", "value is required"),
    ({"dob": "31/02/2025"}, "dob", "not a real date"),
    ({"dob": "14/03/2031"}, "dob", "in the future"),
    ({"dob": "yesterday"}, "dob", "not a real date"),
    ({"sex": "Unknown-99"}, "sex", "not a known code"),
    ({"postcode": "ZZ? 1A"}, "postcode", "not a UK postcode"),
    ({"phone": "07700 9001"}, "phone", "not a telephone number"),
    ({"phone": "phone"}, "phone", "not a telephone number"),
]


def test_at_least_fifteen_kinds_of_malformed_row_are_each_rejected_with_a_reason(
    store: GraphStore, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    rows = [_nominal()]
    for i, (changes, _, _) in enumerate(NOMINAL_CASES):
        rows.append(_nominal(**{"nominal_id": f"PN20000{i:02d}", **changes}))
    rows.append(_nominal(nominal_id="PN3000001"))
    rows.append(_nominal(nominal_id="PN3000001"))  # an exact duplicate of the row above
    nominals = _write(tmp_path / "nominals.csv", NOMINALS, rows)
    with open(nominals, "a", encoding="utf-8") as fh:
        fh.write("PN3000002,Zedfield,Ada,03/02/2011,F,White,1 Example Road,ZZ1 1AA,07700 900123,extra\r\n")
    cameras = _write(
        tmp_path / "cameras.csv",
        ["camera_id", "latitude", "longitude", "description"],
        [
            ["CAM001", "54.5", "0.7", "Example Road (ZZ1 1AA)"],
            ["CAM002", "north", "0.7", "Example Road (ZZ1 1AA)"],
            ["CAM003", "inf", "0.7", "Example Road (ZZ1 1AA)"],
            ["CAM004", "54.5", "0.7", "Example Road, no postcode"],
        ],
    )
    reads = _write(
        tmp_path / "reads.tsv",
        ["read_id", "vrm", "camera_id", "read_time"],
        [
            ["R1", "ZA12BCD", "CAM001", "2025-01-01T10:00:00Z"],
            ["R2", "Z!", "CAM001", "2025-01-01T10:00:00Z"],
            ["R3", "ZA12BCD", "CAM999", "2025-01-01T10:00:00Z"],
            ["R4", "ZA12BCD", "CAM001", "2025-02-30T10:00:00Z"],
            ["R5", "Z!", "CAM002", "2025-01-01T11:00:00Z"],  # a bad value seen before is refused again
        ],
        delimiter="\t",
    )
    associations = _write(
        tmp_path / "associations.csv",
        ["nominal_id_1", "nominal_id_2", "association_type", "recorded_date"],
        [["PN1000001", "PN3000001", "friend", "01/01/2025"], ["PN1000001", "XX0000000", "friend", "01/01/2025"]],
    )
    operators = _write(
        tmp_path / "operators.csv",
        ["operator_licence_no", "trading_name", "address", "postcode", "status"],
        [
            ["VEL/OP/0001", "Example Cars", "2 Example Road", "ZZ1 1AA", "Active"],
            ["ABC/123", "Other Cars", "3 Example Road", "ZZ1 1AA", "Active"],
        ],
    )
    for path, source in [
        (nominals, "police_nominals"),
        (cameras, "anpr_cameras"),
        (reads, "anpr_reads"),
        (associations, "police_associations"),
        (operators, "licensing_operators"),
    ]:
        report = ingest_paths(store, path, work, source=source)
        assert report.rows_read == report.rows_loaded + report.rows_rejected

    expected: dict[Path, dict[int, tuple[str, str]]] = {
        nominals: {
            **{i + 3: (col, words) for i, (_, col, words) in enumerate(NOMINAL_CASES)},
            len(NOMINAL_CASES) + 4: ("", "exact duplicate of row"),
            len(NOMINAL_CASES) + 5: ("", "fields where the header names"),
        },
        cameras: {
            3: ("latitude", "not a number"),
            4: ("latitude", "not a finite number"),
            5: ("description", "expected part"),
        },
        reads: {
            3: ("vrm", "registration mark"),
            4: ("camera_id", "matches no loaded anpr_cameras record"),
            5: ("read_time", "not a real date"),
            6: ("vrm", "registration mark"),
        },
        associations: {3: ("nominal_id_2", "not in the expected form")},
        operators: {3: ("operator_licence_no", "no known authority prefix")},
    }
    kinds = set()
    for path, rows_expected in expected.items():
        found = _reasons(work, path)
        assert set(found) == set(rows_expected), (path.name, found)
        for row, (column, words) in rows_expected.items():
            assert any(c == column and words in reason for c, reason in found[row]), (path.name, row, found[row])
            kinds.add(words)
    assert len(kinds) >= 15, sorted(kinds)
    assert store.counts().entities["Person"] == 2  # the good nominal and the first of the duplicates


HOSTILE = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    '=HYPERLINK("http://example.invalid","click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "'; DROP TABLE entities; --",
    "x'}) DETACH DELETE (n) //",
    "MATCH (n) DETACH DELETE n",
    "A" * 10_000,
    "bell\x07 escape\x1b[31m null\x00 end",
    "\u202eevil\u202c مرحبا שלום",
]


def test_hostile_values_are_stored_verbatim(store: GraphStore, tmp_path: Path) -> None:
    """JSON lines with a user's own mapping spec: every hostile value arrives intact, except control
    characters (which no page or spreadsheet can show): that row is set aside, naming the column."""
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "notes.yaml").write_text(
        "source: case_notes\nrecord_id: ref\nfields:\n  ref: {required: true}\n  name: {type: name}\n"
        "  note: {}\nentities:\n  person:\n    kind: Person\n    properties:\n"
        "      ref: {template: 'notes:{ref}'}\n      full_name: name\n      address: note\n"
        "  event:\n    kind: Incident\n    properties: {reference: ref, description: note, category: name}\n"
        "links:\n  - {kind: PARTY_TO, from: person, to: event, properties: {role: {const: other}}}\n",
        encoding="utf-8",
    )
    notes = tmp_path / "notes.jsonl"
    notes.write_text(
        "".join(json.dumps({"ref": f"N{i}", "name": value, "note": value}) + "\n" for i, value in enumerate(HOSTILE)),
        encoding="utf-8",
    )
    report = ingest_paths(store, notes, tmp_path / "work", source="case_notes", specs_dir=specs)
    control = next(i for i, value in enumerate(HOSTILE) if "\x00" in value)
    assert report.rows_rejected == 1 and report.rows_loaded == len(HOSTILE) - 1
    with open(tmp_path / "work" / "rejects.csv", encoding="utf-8", newline="") as fh:
        (reject,) = list(csv.DictReader(fh))
    assert int(reject["row"]) == control + 2 and reject["column"] in ("name", "note")
    assert "control character \\x07" in reject["reason"]
    assert store.get_entity(make_id("Person", f"notes:N{control}")) is None
    for i, value in enumerate(HOSTILE):
        if i == control:
            continue
        person = store.get_entity(make_id("Person", f"notes:N{i}"))
        incident = store.get_entity(make_id("Incident", f"N{i}"))
        assert person is not None and incident is not None
        assert person.properties["full_name"] == value.strip() and person.properties["address"] == value
        assert incident.properties["description"] == value and incident.properties["category"] == value.strip()
    assert store.counts().entities == {"Incident": len(HOSTILE) - 1, "Person": len(HOSTILE) - 1}
    found = store.search("x'}) DETACH DELETE")
    assert [e.properties["full_name"] for e in found] == ["x'}) DETACH DELETE (n) //"]


def test_rejects_file_cells_cannot_run_as_spreadsheet_formulas(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.db", "sqlite:///x")
    ledger.advance(
        "d",
        "s",
        "f.csv",
        Checkpoint(),
        [Reject("=f.csv", 2, "@col", "-bad")],
        "run",
        "now",
    )
    ledger.write_rejects_csv(tmp_path / "rejects.csv")
    ledger.close()
    with open(tmp_path / "rejects.csv", encoding="utf-8", newline="") as fh:
        row = next(iter(csv.DictReader(fh)))
    assert (row["file"], row["column"], row["reason"]) == ("'=f.csv", "'@col", "'-bad")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "source: s\nfields: {a: {}}\nentities: {p: {kind: Nobody, properties: {ref: a}}}\n",
            "no entity kind 'Nobody'",
        ),
        ("source: s\nfields: {a: {}}\nentities: {p: {kind: Person, properties: {ref: b}}}\n", "no field 'b'"),
        (
            "source: s\nfields: {a: {}}\nentities: {p: {kind: Person, properties: {shoe: a, ref: a}}}\n",
            "no property 'shoe'",
        ),
        ("source: s\nfields: {a: {}}\nentities: {p: {kind: Vehicle, properties: {make: a}}}\n", "map vrm"),
        ("source: s\nfields: {a: {type: date}}\n", "needs formats"),
        ("source: s\nfields: {a: {type: date, formats: [martian]}}\n", "unknown date style"),
        ("source: s\nfields: {a: {colour: red}}\n", "Extra inputs are not permitted"),
        (
            "source: s\nfields: {a: {}}\nentities: {p: {kind: Person, properties: {ref: a}}}\n"
            "links: [{kind: LIVES_AT, from: p, to: q}]\n",
            "no entity 'q'",
        ),
    ],
)
def test_a_wrong_mapping_spec_fails_at_once_saying_where(
    tmp_path: Path, store: GraphStore, spec: str, message: str
) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(spec, encoding="utf-8")
    with pytest.raises(InvalidMapping, match=message) as info:
        load_spec(path, schema=store.schema)
    assert str(path) in str(info.value)


def test_a_re_export_does_not_bring_back_an_erased_person(store: GraphStore, tmp_path: Path) -> None:
    work = tmp_path / "work"
    first = _write(tmp_path / "nominals-1.csv", NOMINALS, [_nominal(), _nominal(nominal_id="PN1000002")])
    ingest_paths(store, first, work, source="police_nominals")
    [erased_id] = store.find_by_source("police_nominals", ["PN1000001"], kind="Person").values()
    record = store.erase_entity(erased_id, reason="subject_request", reference="SAR-2026/7")
    again = _write(
        tmp_path / "nominals-2.csv",
        NOMINALS,
        [_nominal(address="9 Other Road"), _nominal(nominal_id="PN1000002"), _nominal(nominal_id="PN1000003")],
    )
    report = ingest_paths(store, again, work, source="police_nominals")
    [loaded] = report.files
    assert (loaded.rows_read, loaded.rows_loaded, loaded.rows_rejected, loaded.rows_erased) == (3, 2, 1, 1)
    assert _reasons(work, again) == {
        2: [("", f"names a Person that was erased (erasure {record.erasure_id}); it is not loaded again")]
    }
    assert store.get_entity(erased_id) is None
    assert store.find_by_source("police_nominals", ["PN1000001"], kind="Person") == {}
    assert store.counts().entities["Person"] == 2
