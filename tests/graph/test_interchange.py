"""GraphML, GEXF and neo4j-admin bundles: a Disrupt graph goes out and comes back the same.

The world is small and fictional, chosen so that every kind of value is there: lists (aliases, an
open kind's labels), numbers, booleans, dates and times, graded sources, two records resolved into one
person, two family links of different relations between the same two people, and a relationship type
Disrupt does not model (kept as RELATED_TO with its type).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from graph import GraphStore, Provenance, new_entity, new_link, open_store
from graph.gexf import read_gexf, write_gexf
from graph.interchange import InterchangeError, load_graph, read_graph_file, read_graphml, write_graphml
from graph.neo4j_bundle import write_neo4j_bundle

T0 = "2026-01-05T10:00:00+00:00"
POLICE = Provenance("police.nominals", "NOM-1", T0)
POLICE_2 = Provenance("police.nominals", "NOM-2", T0)
CARE = Provenance("care.children", "CH-9", T0)
INTEL = Provenance("police.intelligence", "INT-4", T0, grading="2B P")


def build_world(store: GraphStore) -> None:
    """A dozen fictional entities and their links, one resolved pair among them."""
    ada = new_entity(
        "Person",
        {"ref": "P1", "full_name": "Ada Zqxample", "aliases": ["Ads", "A. Zqx"], "date_of_birth": "2009-04-03"},
        provenance=POLICE,
        first_seen="2025-02-01",
    )
    ada_care = new_entity("Person", {"ref": "C1", "full_name": "Ada Zqxample", "postcode": "ZZ1 1AA"}, provenance=CARE)
    bo = new_entity("Person", {"ref": "P2", "full_name": "Bo Qwertyson", "gender": "male"}, provenance=POLICE_2)
    car = new_entity("Vehicle", {"vrm": "ZZ12ABC", "make": "Fictiva", "colour": "blue"}, provenance=POLICE)
    phone = new_entity("Phone", {"number": "+447700900123"}, provenance=POLICE)
    home = new_entity(
        "Location",
        {"address": "1 Nowhere Row", "postcode": "ZZ1 1AA", "latitude": 51.5, "longitude": -0.25},
        provenance=POLICE,
    )
    crime = new_entity(
        "Incident",
        {"reference": "INC-77", "occurred_at": "2025-06-01T21:30:00", "category": "assault", "exploitation_flag": True},
        provenance=POLICE,
    )
    intel = new_entity(
        "Intelligence",
        {"reference": "INT-4", "source_evaluation": "2", "intelligence_assessment": "B", "handling_code": "P"},
        provenance=INTEL,
    )
    odd = new_entity(
        "Other",
        {"ref": "ext:Area:9", "name": "Area 9", "labels": ["Area"], "population": 1200, "codes": ["a", "b"]},
        provenance=POLICE,
    )
    entities = [ada, ada_care, bo, car, phone, home, crime, intel, odd]
    links = [
        new_link("ASSOCIATE_OF", ada.id, bo.id, {"nature": "friend"}, provenance=POLICE),
        new_link("FAMILY_OF", ada.id, bo.id, {"relationship": "sibling"}, provenance=CARE),
        new_link("FAMILY_OF", ada.id, bo.id, {"relationship": "cousin"}, provenance=POLICE),
        new_link("USES_VEHICLE", bo.id, car.id, {"role": "driver"}, provenance=POLICE, first_seen="2025-05-01"),
        new_link("USES_PHONE", bo.id, phone.id, provenance=POLICE),
        new_link("LIVES_AT", ada_care.id, home.id, {"from_date": "2024-01-01"}, provenance=CARE),
        new_link("PARTY_TO", ada.id, crime.id, {"role": "victim"}, provenance=POLICE),
        new_link("PARTY_TO", bo.id, crime.id, {"role": "suspect"}, provenance=POLICE),
        new_link("SUBJECT_OF", bo.id, intel.id, provenance=INTEL),
        new_link(
            "RELATED_TO", bo.id, odd.id, {"type": "KNOWS_SN", "platform": "chat", "since": 2021}, provenance=POLICE
        ),
    ]
    store.upsert(entities, links)
    store.set_canonical({ada_care.id: ada.id, ada.id: ada.id}, run_id="resolve-1")


@pytest.fixture()
def world(tmp_path: Path) -> Iterator[GraphStore]:
    store = open_store(f"sqlite:///{tmp_path / 'world.db'}")
    build_world(store)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture()
def fresh(tmp_path: Path) -> Iterator[GraphStore]:
    store = open_store(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        yield store
    finally:
        store.close()


def _nodes(G: nx.MultiDiGraph, *, provenance: bool = True) -> dict[str, dict[str, Any]]:
    skip = set() if provenance else {"provenance", "first_seen", "last_seen"}
    return {
        n: {k: sorted(v) if k == "provenance" else v for k, v in d.items() if v is not None and k not in skip}
        for n, d in G.nodes(data=True)
    }


def _edges(G: nx.MultiDiGraph, *, provenance: bool = True, keys: bool = True) -> Any:
    skip = set() if provenance else {"provenance", "first_seen", "last_seen"}
    rows = [
        (u, v, k if keys else "", tuple(sorted((n, str(x)) for n, x in d.items() if x is not None and n not in skip)))
        for u, v, k, d in G.edges(keys=True, data=True)
    ]
    return sorted(rows)


def test_the_world_has_what_the_round_trips_must_keep(world: GraphStore) -> None:
    G = world.to_networkx(provenance=True)
    assert G.number_of_nodes() == 8 and G.number_of_edges() == 10  # the two Adas are one person
    kinds = {d["kind"] for _, d in G.nodes(data=True)}
    assert {"Person", "Vehicle", "Phone", "Location", "Incident", "Intelligence", "Other"} <= kinds
    assert any(isinstance(d.get("aliases"), list) for _, d in G.nodes(data=True))


@pytest.mark.parametrize(("write", "read"), [(write_graphml, read_graphml), (write_gexf, read_gexf)])
def test_a_file_round_trip_gives_the_same_nodes_edges_and_attributes(world: GraphStore, write: Any, read: Any) -> None:
    G = world.to_networkx(provenance=True)
    out = io.BytesIO()
    write(G, out)
    out.seek(0)
    back = read(out)
    assert _nodes(back) == _nodes(G)
    assert _edges(back) == _edges(G)
    ada = next(d for _, d in back.nodes(data=True) if d.get("full_name") == "Ada Zqxample")
    assert ada["aliases"] == ["Ads", "A. Zqx"] and ada["postcode"] == "ZZ1 1AA"  # filled from the merged record
    area = next(d for _, d in back.nodes(data=True) if d["kind"] == "Other")
    assert area["population"] == 1200 and area["codes"] == ["a", "b"]
    incident = next(d for _, d in back.nodes(data=True) if d["kind"] == "Incident")
    assert incident["exploitation_flag"] is True
    home = next(d for _, d in back.nodes(data=True) if d["kind"] == "Location")
    assert home["latitude"] == 51.5 and isinstance(home["latitude"], float)


@pytest.mark.parametrize("suffix", [".graphml", ".gexf"])
def test_an_exported_file_loads_into_a_fresh_store_as_the_same_graph(
    world: GraphStore, fresh: GraphStore, tmp_path: Path, suffix: str
) -> None:
    G = world.to_networkx(provenance=True)
    path = tmp_path / f"world{suffix}"
    (write_graphml if suffix == ".graphml" else write_gexf)(G, path)
    report = load_graph(fresh, read_graph_file(path), source=f"file:{path.name}")
    assert report.set_aside == [] and not report.kept_as_other and not report.kept_as_related
    again = fresh.to_networkx(provenance=True)
    assert _nodes(again) == _nodes(G)
    assert _edges(again) == _edges(G)
    assert fresh.counts() == world.counts()
    assert sum(report.entities_by_kind.values()) == again.number_of_nodes()


def test_loading_a_file_twice_changes_nothing_and_never_brings_back_an_erased_person(
    world: GraphStore, fresh: GraphStore, tmp_path: Path
) -> None:
    path = tmp_path / "world.graphml"
    write_graphml(world.to_networkx(provenance=True), path)
    load_graph(fresh, read_graphml(path), source="file:world")
    before = fresh.to_networkx(provenance=True)
    load_graph(fresh, read_graphml(path), source="file:world")
    assert _nodes(fresh.to_networkx(provenance=True)) == _nodes(before) and fresh.counts() == world.counts()
    bo = next(e for e in fresh.search("Bo Qwertyson"))
    record = fresh.erase_entity(bo.id, reason="subject_request", reference="SAR-1")
    report = load_graph(fresh, read_graphml(path), source="file:world")
    assert fresh.get_entity(bo.id) is None
    assert [a.reason for a in report.set_aside if a.element == f"node {bo.id!r}"] == [
        f"was erased (erasure {record.erasure_id}); it is not stored again"
    ]
    assert {a.reason for a in report.set_aside if a.element.startswith("edge")} == {"an end was set aside"}
    # Bo's links: associate, two family, vehicle, phone, incident, intelligence, RELATED_TO
    assert sum(1 for a in report.set_aside if a.element.startswith("edge")) == 8
    assert fresh.counts().entities == {k: v - (k == "Person") for k, v in world.counts().entities.items()}


def test_a_graphml_file_from_elsewhere_keeps_every_attribute(fresh: GraphStore, tmp_path: Path) -> None:
    """yEd or Gephi graphs have no Disrupt kinds: nodes become Other entities, edges RELATED_TO links."""
    G = nx.MultiDiGraph()
    G.add_node("n1", label="Cell 1", colour="red", size=3)
    G.add_node("n2", label="Cell 2", kind="Vehicle")  # a kind whose key (vrm) is missing
    G.add_node("n3", kind="Person", ref="X3", full_name="Cy Zqxample")
    G.add_edge("n1", "n2", weight=2.5, kind="CALLS")
    G.add_edge("n2", "n3", kind="ASSOCIATE_OF")  # a Person link kind, but n2 is no person
    G.add_edge("n3", "n3")
    path = tmp_path / "foreign.graphml"
    nx.write_graphml(G, path)
    report = load_graph(fresh, read_graphml(path), source="file:foreign")
    assert report.entities_by_kind == {"Other": 2, "Person": 1}
    assert report.kept_as_other == {"(no kind)": 1, "Vehicle": 1}
    assert report.kept_as_related == {"CALLS": 1, "ASSOCIATE_OF": 1}
    assert [(a.number, a.element, a.reason) for a in report.set_aside] == [
        (6, "edge 0 from 'n3' to 'n3'", "joins a node to itself")
    ]
    held = fresh.to_networkx()
    cell = next(d for _, d in held.nodes(data=True) if d.get("name") == "Cell 1")
    assert cell["colour"] == "red" and cell["size"] == 3
    calls = next(d for *_, d in held.edges(keys=True, data=True) if d.get("type") == "CALLS")
    assert calls["weight"] == 2.5 and calls["kind"] == "RELATED_TO"
    assert [e.label for e in fresh.search("Cy Zqxample")] == ["Cy Zqxample"]


def test_a_file_declaring_entities_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.graphml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE g [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph edgedefault="directed">'
        '<node id="&b;"/></graph></graphml>',
        encoding="utf-8",
    )
    with pytest.raises(InterchangeError, match="DTD or entities"):
        read_graphml(path)


def test_a_gexf_value_of_the_wrong_type_says_where(tmp_path: Path) -> None:
    path = tmp_path / "bad.gexf"
    path.write_text(
        '<gexf xmlns="http://gexf.net/1.3" version="1.3"><graph><attributes class="node">'
        '<attribute id="0" title="size" type="integer"/></attributes><nodes>'
        '<node id="a" label="A"><attvalues><attvalue for="0" value="big"/></attvalues></node>'
        "</nodes><edges/></graph></gexf>",
        encoding="utf-8",
    )
    with pytest.raises(InterchangeError, match="node 'a' attribute 'size': 'big' is not a integer"):
        read_gexf(path)


def test_an_exported_neo4j_admin_bundle_reimports_to_the_same_graph(
    world: GraphStore, fresh: GraphStore, tmp_path: Path
) -> None:
    """Through ingest's own bundle importer (what ``disrupt import-graph`` runs): the same ids, kinds,
    labels, properties, seen dates, sources and links, with nothing stripped and nothing added."""
    from ingest.graph_import import import_neo4j_bundle

    G = world.to_networkx(provenance=True)
    files = write_neo4j_bundle(G, world.schema, tmp_path / "bundle")
    assert {p.name for p in files} >= {
        "nodes-Person.csv",
        "relationships-FAMILY_OF.csv",
        "relationships-RELATED_TO.csv",
        "disrupt-bundle.json",
    }
    header = (tmp_path / "bundle" / "nodes-Person.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith(":ID,:LABEL,") and "aliases:string[]" in header and "date_of_birth:date" in header
    related = (tmp_path / "bundle" / "relationships-RELATED_TO.csv").read_text(encoding="utf-8")
    assert ",KNOWS_SN," in related  # neo4j-admin still gets the type the link keeps
    report = import_neo4j_bundle(fresh, tmp_path / "bundle", tmp_path / "work")
    assert report.rows_rejected == 0
    assert fresh.counts() == world.counts()
    again = fresh.to_networkx(provenance=True)
    assert _nodes(again) == _nodes(G)  # ids, kinds, labels, properties, first/last seen, sources
    assert _edges(again) == _edges(G)  # link ids, ends, kinds, properties, seen dates, sources
    assert sum(1 for _, d in G.nodes(data=True) if d.get("first_seen")) > 0  # the world has seen dates to keep
    assert not [k for _, d in again.nodes(data=True) for k in d if k.startswith("extra_")]
    assert not [k for *_, d in again.edges(keys=True, data=True) for k in d if k.startswith("extra_")]
    rel = next(d for *_, d in again.edges(keys=True, data=True) if d["kind"] == "RELATED_TO")
    assert rel["type"] == "KNOWS_SN" and rel["platform"] == "chat" and rel["since"] == 2021
    assert report.entities_by_kind == world.counts().entities


def test_a_bundle_holding_an_erased_person_sets_that_row_aside_and_loads_the_rest(
    world: GraphStore, fresh: GraphStore, tmp_path: Path
) -> None:
    from ingest.graph_import import import_neo4j_bundle

    write_neo4j_bundle(world.to_networkx(provenance=True), world.schema, tmp_path / "bundle")
    import_neo4j_bundle(fresh, tmp_path / "bundle", tmp_path / "work")
    bo = next(e for e in fresh.search("Bo Qwertyson"))
    record = fresh.erase_entity(bo.id, reason="subject_request", reference="SAR-1")
    report = import_neo4j_bundle(fresh, tmp_path / "bundle", tmp_path / "work")
    assert fresh.get_entity(bo.id) is None
    rejects = (tmp_path / "work" / "rejects.csv").read_text(encoding="utf-8")
    assert f"was erased (erasure {record.erasure_id}); it is not stored again" in rejects
    assert "nodes-Person.csv" in rejects and "an end was set aside" in rejects
    # Bo's node row and his 8 links' rows (associate, two family, vehicle, phone, incident, intelligence, RELATED_TO)
    assert report.rows_rejected == 1 + 8
    assert fresh.counts().entities == {k: v - (k == "Person") for k, v in world.counts().entities.items()}


def test_an_edge_weight_is_the_gexf_weight_gephi_reads(tmp_path: Path) -> None:
    G = nx.MultiDiGraph()
    G.add_node("a", kind="Other", label="A")
    G.add_node("b", kind="Other", label="B")
    G.add_edge("a", "b", key="l1", kind="RELATED_TO", type="EDGE", weight=3)
    path = tmp_path / "weighted.gexf"
    write_gexf(G, path)
    assert 'weight="3.0"' in path.read_text(encoding="utf-8")
    assert read_gexf(path).edges["a", "b", "l1"]["weight"] == 3  # still the integer it was


def test_a_networkx_written_gexf_reads_as_gephi_would_give_it(fresh: GraphStore, tmp_path: Path) -> None:
    """A GEXF 1.2 file from another writer (networkx's, as Gephi writes: labels, weights, typed attributes)."""
    G = nx.DiGraph()
    G.add_node("a", label="Alpha", size=2, active=True)
    G.add_node("b", label="Beta", size=5, active=False)
    G.add_edge("a", "b", weight=0.5, since=2019)
    path = tmp_path / "other.gexf"
    nx.write_gexf(G, path)
    back = read_gexf(path)
    assert dict(back.nodes(data=True)) == {
        "a": {"label": "Alpha", "size": 2, "active": True},
        "b": {"label": "Beta", "size": 5, "active": False},
    }
    [(u, v, data)] = list(back.edges(data=True))
    assert (u, v, data["weight"], data["since"]) == ("a", "b", 0.5, 2019)
    report = load_graph(fresh, back, source="file:other")
    assert report.entities_by_kind == {"Other": 2} and report.kept_as_related == {"(no kind)": 1}


@pytest.fixture(scope="module")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    """The seed-1 demo world (5,000 people, ingested and resolved), from the test world cache when set."""
    import os
    import shutil

    from tests.analytics.worlds import CACHE_ENV, PEOPLE, _ingested

    base = tmp_path_factory.mktemp("seeded")
    kept = Path(os.environ.get(CACHE_ENV, "")) / f"seed-1-{PEOPLE}" / "data" / "graph.db"
    if os.environ.get(CACHE_ENV) and kept.exists():
        shutil.copy2(kept, base / "graph.db")
        db = base / "graph.db"
    else:
        _, db = _ingested(base, 1)
    store = open_store(f"sqlite:///{db}")
    try:
        yield store
    finally:
        store.close()


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".graphml", ".gexf"])
def test_the_demo_world_goes_out_and_back_unchanged(
    seeded_store: GraphStore, fresh: GraphStore, tmp_path: Path, suffix: str
) -> None:
    """Thousands of resolved people, parallel facts and symmetric links moved onto canonical entities."""
    G = seeded_store.to_networkx(provenance=True)
    assert G.number_of_nodes() > 5000 and G.number_of_edges() > 5000
    path = tmp_path / f"world{suffix}"
    (write_graphml if suffix == ".graphml" else write_gexf)(G, path)
    back = read_graph_file(path)
    assert _nodes(back) == _nodes(G) and _edges(back) == _edges(G)
    report = load_graph(fresh, back, source=f"file:{path.name}")
    assert report.set_aside == [] and not report.kept_as_other and not report.kept_as_related
    again = fresh.to_networkx(provenance=True)
    assert fresh.counts() == seeded_store.counts()
    assert _nodes(again) == _nodes(G) and _edges(again) == _edges(G)
