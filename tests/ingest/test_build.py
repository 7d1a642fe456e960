"""Building records from rows, with no store: three-row CSVs whose records a reader can check by eye."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from graph import make_id, open_store
from graph.schema import load_schema
from ingest.mapping import load_specs
from ingest.pipeline import ingest_paths
from ingest.pipeline.build import Builder, BuiltRow, FileMemory, Found, Mappers, map_rows
from ingest.readers import SourceRow

SCHEMA = load_schema()
SPECS = load_specs(SCHEMA)


def _rows(text: str, file: str = "inline.csv") -> list[SourceRow]:
    """The rows of an inline CSV, numbered as a file numbers them (the header is line 1)."""
    reader = csv.DictReader(io.StringIO(text.strip() + "\n"))
    return [SourceRow(file, number, dict(values)) for number, values in enumerate(reader, start=2)]


def _build(source: str, text: str, found: Found | None = None) -> tuple[Builder, list[BuiltRow]]:
    spec = SPECS[source]
    mappers = Mappers(SPECS, SCHEMA)
    mapped, refused = map_rows(_rows(text), spec, mappers.get(spec), FileMemory())
    assert refused == []
    builder = Builder(SCHEMA, spec, mappers, run_id="run-1", started_at="2026-12-02T06:00:00+00:00")
    built, rejects = builder.build(mapped, found or {})
    assert rejects == []
    return builder, built


NOMINALS = """
nominal_id,surname,forenames,dob,sex,ethnicity,address,postcode,phone
PN100001,Zedfield,Ada,03/02/2011,F,,1 Example Road,ZZ1 1AA,07700 900123
PN100002,Quorn,Bea,,F,,,,
PN100003,Zedfield,Cal,,M,,1 Example Road,ZZ1 1AA,
"""


def test_three_nominals_make_their_people_one_shared_home_and_one_phone() -> None:
    _, built = _build("police_nominals", NOMINALS)
    ada, bea, cal = built
    home = make_id("Location", "1 Example Road", "ZZ1 1AA")
    assert [(e.kind, e.label) for e in ada.entities] == [
        ("Person", "Ada Zedfield"),
        ("Location", "1 Example Road ZZ1 1AA"),
        ("Phone", "+447700900123"),
    ]
    assert ada.entities[0].id == make_id("Person", "police:PN100001")
    assert [e.kind for e in bea.entities] == ["Person"] and bea.links == []  # no address, no phone
    assert [e.id for e in cal.entities] == [make_id("Person", "police:PN100003"), home]
    lives_at = [(ln.source, ln.target) for b in built for ln in b.links if ln.kind == "LIVES_AT"]
    assert lives_at == [(ada.entities[0].id, home), (cal.entities[0].id, home)]
    assert ada.entities[0].provenance[0].record_id == "PN100001" and ada.entities[0].provenance[0].run_id == "run-1"


ASSOCIATIONS = """
nominal_id_1,nominal_id_2,association_type,recorded_date
PN100001,PN100002,sibling,01/03/2025
PN100002,PN100003,friend,02/03/2025
PN100001,PN100003,friend,03/03/2025
"""


def test_a_reference_to_a_record_not_loaded_stands_as_a_placeholder_made_from_its_id() -> None:
    loaded = make_id("Person", "police:PN100001")
    builder, built = _build("police_associations", ASSOCIATIONS, {("police_nominals", "Person"): {"PN100001": loaded}})
    first, second, third = built
    two, three = make_id("Person", "police:PN100002"), make_id("Person", "police:PN100003")
    # the placeholder path: each unmatched reference names the spec's lookup it stands for and the id it gave
    assert [(p.reference, p.record_id, p.entity.id) for p in first.placeholders] == [("second", "PN100002", two)]
    assert [(p.reference, p.record_id) for p in second.placeholders] == [("first", "PN100002"), ("second", "PN100003")]
    assert [p.entity.id for p in third.placeholders] == [three]
    # a stand-in is the entity the record would make from its id alone: its key, and its key as label
    stand_in = first.placeholders[0].entity
    assert (stand_in.kind, stand_in.label, stand_in.properties) == (
        "Person",
        "police:PN100002",
        {"ref": "police:PN100002"},
    )
    assert first.entities == [stand_in]  # the loaded person is referred to, not made again
    assert [sorted((ln.source, ln.target)) for b in built for ln in b.links] == [
        sorted((loaded, two)),
        sorted((two, three)),
        sorted((loaded, three)),
    ]
    assert builder.counts.placeholders == 4 and builder.counts.links_skipped == 0


def test_a_reference_the_spec_lets_miss_is_skipped_and_one_it_does_not_rejects_the_row() -> None:
    spec = SPECS["police_intelligence_subjects"]
    mappers = Mappers(SPECS, SCHEMA)
    rows = _rows("""
intel_ref,subject_type,subject_ref
IR-0001,PREMISES,PR001
IR-0002,PERSON,PN100001
IR-0003,VEHICLE,AB12CDE
""")
    mapped, _ = map_rows(rows, spec, mappers.get(spec), FileMemory())
    builder = Builder(SCHEMA, spec, mappers, run_id="r", started_at="2026-12-02T06:00:00+00:00")
    built, rejects = builder.build(mapped, {})
    premises, person, vehicle = built
    assert premises.links == [] and builder.counts.links_skipped == 1  # the premises is not loaded: no link
    assert [p.reference for p in person.placeholders] == ["report", "person"]
    assert [e.kind for e in vehicle.entities] == ["Vehicle", "Intelligence"]
    assert rejects == []


@pytest.mark.parametrize("chunk_size", [1, 2, 10])
def test_one_batch_and_several_give_the_same_graph(tmp_path: Path, chunk_size: int) -> None:
    """A named person, then a record of the same person with no name: the name stays, whichever
    batch each row falls in (the pipeline once kept the later record's key as the label when both
    fell in one batch, and the name when they fell in two)."""
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "people.yaml").write_text(
        "source: people\nfields: {ref: {required: true}, name: {type: name}, town: {}}\n"
        "entities: {person: {kind: Person, properties: {ref: ref, full_name: name, address: town}}}\n",
        encoding="utf-8",
    )
    data = tmp_path / "people.csv"
    data.write_text("ref,name,town\nP1,Ada Example,Exampleton\nP2,Bea Example,\nP1,,Otherton\n", encoding="utf-8")
    store = open_store(f"sqlite:///{tmp_path / 'graph.db'}")
    try:
        report = ingest_paths(store, data, tmp_path / "work", source="people", specs_dir=specs, chunk_size=chunk_size)
        assert report.rows_loaded == 3
        ada = store.get_entity(make_id("Person", "P1"))
        assert ada is not None
        assert (ada.label, ada.properties["full_name"], ada.properties["address"]) == (
            "Ada Example",
            "Ada Example",
            "Otherton",
        )
    finally:
        store.close()
