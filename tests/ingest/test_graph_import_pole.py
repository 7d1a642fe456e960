"""A bundle in the layout of Neo4j's POLE example model (``pole_bundle``) imported as
`disrupt import-graph` does it: the meaning survives, not just the counts (issue 24).

The shipped map (``ingest/maps/neo4j_pole.yaml``) is chosen by itself; every property of every
node and relationship is stored (declared, renamed or kept as ``extra_<name>``); people, vehicles
and phones are their kinds and found by name, plate and number; each relationship type can be told
apart, and the KNOWS subtypes between the same two people are all kept; the report counts what the
store holds; the crime with an impossible date is set aside with its line, and the rest loads; two
places that share an address but not coordinates stay two places.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from graph import GraphStore
from ingest.graph_import import ImportReport, import_neo4j_bundle
from tests.ingest.pole_bundle import KNOWS_TYPES, Pole, pole_bundle

# Where each source property of a mapped label is stored (a label not named keeps its names).
STORED_AS: dict[str, dict[str, str]] = {
    "Person": {
        "name": "given_name",
        "surname": "family_name",
        "nhs_no": "extra_nhs_no",
        "age": "extra_age",
        "personId": "extra_personId",
    },
    "Crime": {
        "id": "reference",
        "date": "occurred_at",
        "type": "category",
        "last_outcome": "outcome",
        "note": "extra_note",
        "charge": "extra_charge",
    },
    "Vehicle": {"reg": "vrm", "year": "extra_year", "vehId": "extra_vehId"},
    "Phone": {"phoneNo": "number", "phoneId": "extra_phoneId"},
    "Location": {"locId": "extra_locId"},
}
# How a value is stored when it is normalised or parsed.
STORED_VALUE: dict[tuple[str, str], Callable[[Any], Any]] = {
    ("Vehicle", "reg"): lambda v: v.upper().replace(" ", ""),
    ("Phone", "phoneNo"): lambda v: "+44" + v.replace(" ", "")[1:],
    ("Crime", "date"): lambda v: dt.datetime.strptime(v, "%d/%m/%Y").isoformat(),
}
KIND_OF = {"Person": "Person", "Crime": "Incident", "Vehicle": "Vehicle", "Phone": "Phone", "Location": "Location"}
NATURE = {"KNOWS": "knows", "KNOWS_LW": "lives with", "KNOWS_SN": "knows through social networks",
          "KNOWS_PHONE": "knows by phone"}  # fmt: skip


@dataclass
class Imported:
    pole: Pole
    store: GraphStore
    report: ImportReport
    G: nx.MultiDiGraph
    node_of: dict[str, str]  # "Label:source id" -> stored entity id
    rejects: list[dict[str, str]]


def _source_key(data: dict[str, Any]) -> str:
    if data["kind"] == "Other":
        return f"{data['labels'][0]}:{str(data['ref']).rsplit(':', 1)[1]}"
    return f"{data['extra_labels'][0]}:{data['extra_import_id']}"


@pytest.fixture
def imported(store: GraphStore, tmp_path: Path) -> Imported:
    pole = pole_bundle(tmp_path / "bundle")
    report = import_neo4j_bundle(store, pole.folder, tmp_path / "work")
    G = store.to_networkx()
    node_of = {_source_key(d): n for n, d in G.nodes(data=True)}
    with open(tmp_path / "work" / "rejects.csv", encoding="utf-8", newline="") as fh:
        rejects = list(csv.DictReader(fh))
    return Imported(pole, store, report, G, node_of, rejects)


def test_the_pole_map_is_chosen_and_no_property_is_lost(imported: Imported) -> None:
    assert imported.report.label_map.startswith("neo4j_pole: chosen because")
    G, bad = imported.G, f"Crime:{imported.pole.bad_crime}"
    lost = []
    for label, nodes in imported.pole.nodes.items():
        for node_id, props in nodes.items():
            key = f"{label}:{node_id}"
            if key == bad:
                continue
            stored = G.nodes[imported.node_of[key]]
            assert stored["kind"] == KIND_OF.get(label, "Other"), key
            for name, value in props.items():
                expected = STORED_VALUE.get((label, name), lambda v: v)(value)
                held = stored.get(STORED_AS.get(label, {}).get(name, name))
                if held != expected:
                    lost.append((key, name, value, held))
    assert lost == []
    # the family relation of FAMILY_REL is renamed, not dropped
    relations = Counter(d["relationship"] for _, _, d in G.edges(data=True) if d["kind"] == "FAMILY_OF")
    sent = Counter(p["rel_type"] for t, _, _, _, p in imported.pole.relationships if t == "FAMILY_REL")
    assert relations == sent and set(sent) == {"SIBLING", "PARENT"}


def test_people_vehicles_and_phones_are_their_kinds_and_found_by_name(imported: Imported) -> None:
    store, counts = imported.store, imported.store.counts().entities
    assert (counts["Person"], counts["Vehicle"], counts["Phone"]) == (120, 20, 120)
    found = store.search("Bexa Quarrow", kinds=["Person"])
    assert [(e.properties["given_name"], e.properties["extra_import_id"]) for e in found][:1] == [("Bexa", "per001")]
    plate = imported.pole.nodes["Vehicle"]["veh03"]["reg"]  # as the bundle writes it: "zz03 xEF"
    assert [(e.kind, e.label) for e in store.search(plate.upper().replace(" ", ""))] == [("Vehicle", "ZZ03XEF")]
    assert [(e.kind, e.label) for e in store.search("+447700900070")] == [("Phone", "+447700900070")]
    email = store.search("user7@example.invalid")  # an Other is called by its e-mail address, not its id
    assert [(e.kind, e.properties["labels"], e.properties["name"]) for e in email] == [
        ("Other", ["Email"], "user7@example.invalid")
    ]


def _types_between(G: nx.MultiDiGraph, u: str, v: str) -> list[tuple[str, dict[str, Any]]]:
    """Each source type an edge between u and v (either way) says, with the edge's data."""
    said = []
    for a, b in ((u, v), (v, u)):
        for data in (G.get_edge_data(a, b) or {}).values():
            for t in data.get("extra_types") or [data.get("type")]:
                said.append((t, data))
    return said


def test_every_relationship_type_is_told_apart_and_knows_subtypes_are_not_collapsed(imported: Imported) -> None:
    G, node_of, bad = imported.G, imported.node_of, f"Crime:{imported.pole.bad_crime}"
    missing = []
    for rel_type, start, end, _, _ in imported.pole.relationships:
        if bad in (start, end):
            continue
        if rel_type not in {t for t, _ in _types_between(G, node_of[start], node_of[end])}:
            missing.append((rel_type, start, end))
    assert missing == []
    sent = {t for t, *_ in imported.pole.relationships}
    told = {t for _, _, d in G.edges(data=True) for t in (d.get("extra_types") or [d.get("type")])}
    assert told == sent
    # Pairs the bundle joins by two or three KNOWS subtypes: one association carrying every one.
    subtypes: dict[frozenset[str], set[str]] = defaultdict(set)
    for rel_type, start, end, _, _ in imported.pole.relationships:
        if rel_type in KNOWS_TYPES:
            subtypes[frozenset((node_of[start], node_of[end]))].add(rel_type)
    several = {pair: ts for pair, ts in subtypes.items() if len(ts) > 1}
    assert len(several) >= 20
    for pair, ts in several.items():
        u, v = sorted(pair)
        links = [d for t, d in _types_between(G, u, v) if d["kind"] == "ASSOCIATE_OF"]
        assert {t for d in links for t in d["extra_types"]} == ts
        assert {n for d in links for n in d["nature"].split("; ")} == {NATURE[t] for t in ts}
    stored_pairs = sum(len(d["extra_types"]) for _, _, d in G.edges(data=True) if d["kind"] == "ASSOCIATE_OF")
    assert stored_pairs == sum(len(ts) for ts in subtypes.values())


def test_the_report_counts_what_the_store_holds(imported: Imported) -> None:
    report, counts = imported.report, imported.store.counts()
    assert dict(report.entities_by_kind) == counts.entities
    assert dict(report.links_by_kind) == counts.links
    by_label: Counter[str] = Counter()
    for held in report.labels.values():
        by_label.update(held.became)
    assert by_label == counts.entities
    assert report.labels["Crime"].became == {"Incident": 59} and report.labels["Crime"].set_aside == 1
    assert report.labels["Person"].renamed == {"name": "given_name", "surname": "family_name"}
    assert report.labels["Person"].kept_as_extra == {"nhs_no", "age", "personId"}
    assert report.types["KNOWS_LW"].became == {"ASSOCIATE_OF": len(imported.pole.nodes["Person"]) // 5}
    assert report.types["CALLER"].became == {"RELATED_TO": 50}
    assert report.nodes_read == sum(len(n) for n in imported.pole.nodes.values())
    assert report.relationships_read == len(imported.pole.relationships)


def test_the_bad_date_sets_aside_its_row_with_its_line_and_the_rest_loads(imported: Imported) -> None:
    pole = imported.pole
    crimes = [r for r in imported.rejects if Path(r["file"]).name == "crimes.csv"]
    assert [(int(r["row"]), r["column"]) for r in crimes] == [(pole.bad_line, "date")]
    assert "31/02/2017" in crimes[0]["reason"]
    assert f"Crime:{pole.bad_crime}" not in imported.node_of
    assert imported.store.counts().entities["Incident"] == len(pole.nodes["Crime"]) - 1
    # what names the crime set aside is set aside too, saying so; nothing else is
    naming = [r for r in pole.relationships if f"Crime:{pole.bad_crime}" in (r[1], r[2])]
    others = [r for r in imported.rejects if Path(r["file"]).name != "crimes.csv"]
    assert len(others) == len(naming) and all(repr(pole.bad_crime) in r["reason"] for r in others)
    assert imported.report.rows_rejected == 1 + len(naming)


def test_two_places_sharing_an_address_stay_two_places(imported: Imported) -> None:
    a, b = (imported.G.nodes[imported.node_of[f"Location:{p}"]] for p in imported.pole.twin_places)
    assert (
        imported.node_of[f"Location:{imported.pole.twin_places[0]}"]
        != imported.node_of[f"Location:{imported.pole.twin_places[1]}"]
    )
    assert (a["address"], a["postcode"]) == (b["address"], b["postcode"])
    assert (a["latitude"], a["longitude"]) != (b["latitude"], b["longitude"])
    assert imported.store.counts().entities["Location"] == 40


def test_without_a_map_keys_are_inferred_from_common_names_and_the_report_says_so(
    store: GraphStore, tmp_path: Path
) -> None:
    pole = pole_bundle(tmp_path / "bundle")
    report = import_neo4j_bundle(store, pole.folder, tmp_path / "work", choose_map=False)
    assert "no map" in report.label_map
    counts = store.counts().entities
    assert (counts["Person"], counts["Vehicle"], counts["Phone"], counts["Location"]) == (120, 20, 120, 40)
    assert report.labels["Vehicle"].inferred == {"reg": "vrm"}
    assert report.labels["Phone"].inferred == {"phoneNo": "number"}
    assert report.labels["Person"].inferred["name"] == "given_name"
    assert report.labels["Person"].inferred["given_name + family_name"] == "full_name"
    assert [e.kind for e in store.search("Bexa Quarrow")][:1] == ["Person"]
    # Crime names no Disrupt kind without the map: kept as Other with its date as written
    assert report.labels["Crime"].became == {"Other": 60} and report.rows_rejected == 0
    assert dict(report.entities_by_kind) == counts


def test_a_later_import_adds_its_knows_subtype_to_the_link_an_earlier_one_stored(
    store: GraphStore, tmp_path: Path
) -> None:
    """The store overlays a link's properties on a second load: the importer folds first, so the
    association carries both subtypes, not the last load's alone."""
    people = "personId:ID(Person),name,surname,nhs_no,:LABEL\np1,Arlo,Quarrow,ZZN1,Person\np2,Bexa,Tindle,ZZN2,Person\n"
    folder = tmp_path / "bundle"  # the same bundle, exported again after a new relationship was recorded
    folder.mkdir()
    for rel_type in ("KNOWS", "KNOWS_LW"):
        (folder / "persons.csv").write_text(people, encoding="utf-8")
        (folder / "crimes.csv").write_text("id:ID(Crime),date,last_outcome,:LABEL\nc1,01/08/2017,x,Crime\n", "utf-8")
        (folder / "locations.csv").write_text("locId:ID(Location),address,postcode,:LABEL\n", encoding="utf-8")
        (folder / "knows.csv").write_text(f":START_ID(Person),:END_ID(Person),:TYPE\np1,p2,{rel_type}\n", "utf-8")
        labels = Path(__file__).parents[2] / "ingest" / "maps" / "neo4j_pole.yaml"
        import_neo4j_bundle(store, folder, tmp_path / "work", labels=labels)
    links = [d for _, _, d in store.to_networkx().edges(data=True)]
    assert [(d["kind"], sorted(d["extra_types"]), d["nature"]) for d in links] == [
        ("ASSOCIATE_OF", ["KNOWS", "KNOWS_LW"], "knows; lives with")
    ]


def test_an_erased_person_in_a_foreign_bundle_is_set_aside_and_the_rest_loads(
    imported: Imported, tmp_path: Path
) -> None:
    """A neo4j-admin export with no Disrupt manifest, loaded again after one of its people was erased:
    that person's row is set aside with the erasure named (never stored again), and so is every
    relationship naming them; everything else loads as before."""
    store, pole = imported.store, imported.pole
    bexa = imported.node_of["Person:per001"]
    record = store.erase_entity(bexa, reason="subject_request", reference="SAR-24")
    before = store.counts()
    report = import_neo4j_bundle(store, pole.folder, tmp_path / "work")
    assert store.get_entity(bexa) is None
    assert store.counts() == before  # the rest loads again, changing nothing
    with open(tmp_path / "work" / "rejects.csv", encoding="utf-8", newline="") as fh:
        rejects = list(csv.DictReader(fh))
    people = [r for r in rejects if Path(r["file"]).name == "persons.csv"]
    assert [int(r["row"]) for r in people] == [1 + 2]  # per001 is the second row under the header
    assert f"was erased (erasure {record.erasure_id}); it is not stored again" in people[0]["reason"]
    naming = [r for r in pole.relationships if "Person:per001" in (r[1], r[2])]
    assert len(naming) >= 4  # two KNOWS of the ring, a phone, an address ...
    named = [r for r in rejects if "'per001'" in r["reason"]]
    assert len(named) == len(naming)
    assert report.labels["Person"].set_aside == 1 and report.labels["Person"].became == {"Person": 119}
    assert report.rows_rejected == 1 + len(naming) + 6  # and the bad crime with the five naming it, as before


def test_rows_set_aside_name_the_import_run_not_the_source(imported: Imported, tmp_path: Path) -> None:
    """The ledger holds each import as a run, as ingest's runs are held: its rejects carry its run id."""
    from ingest.ledger import Ledger

    assert imported.report.run_id and imported.report.run_id != imported.report.source
    assert {r["run_id"] for r in imported.rejects} == {imported.report.run_id}
    ledger = Ledger(tmp_path / "work" / "ingest-ledger.db", imported.store.url)
    try:
        runs = {run_id: summary for run_id, _, summary in ledger.runs()}
    finally:
        ledger.close()
    assert runs[imported.report.run_id]["rows_rejected"] == imported.report.rows_rejected == 6
    assert runs[imported.report.run_id]["source"] == imported.report.source
