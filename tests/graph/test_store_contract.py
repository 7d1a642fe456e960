"""The contract every graph store passes. Parametrised over implementations by the ``store`` fixture."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterable
from functools import partial

import pytest

from graph import (
    Entity,
    InvalidRecord,
    Provenance,
    StoreConfigError,
    StoreError,
    UnknownEntity,
    new_entity,
    new_link,
    open_store,
)
from graph.store import GraphStore

T0 = "2026-01-05T10:00:00+00:00"
P_POLICE = Provenance("police.nominals", "NOM-1", T0, run_id="run-1")
P_CARE = Provenance("care.children", "CH-9", "2026-01-06T10:00:00+00:00", run_id="run-2")
P_INTEL = Provenance("police.intelligence", "INT-4", T0, grading="2B P")


def person(ref: str, name: str | None = None, prov: Provenance = P_POLICE, **props: object) -> Entity:
    values: dict[str, object] = {"ref": ref, **props}
    if name is not None:
        values["full_name"] = name
    return new_entity("Person", values, provenance=prov)


def vehicle(vrm: str, prov: Provenance = P_POLICE) -> Entity:
    return new_entity("Vehicle", {"vrm": vrm}, provenance=prov)


def assoc(a: Entity, b: Entity, prov: Provenance = P_POLICE) -> object:
    return new_link("ASSOCIATE_OF", a.id, b.id, provenance=prov)


def test_a_store_is_a_graph_store(store: GraphStore) -> None:
    assert isinstance(store, GraphStore)


# -- upsert and merge ---------------------------------------------------------------------------


def test_upsert_then_get_returns_what_was_stored(store: GraphStore) -> None:
    a = person("P1", "Ada Example", date_of_birth="2010-02-03")
    car = vehicle("AB12CDE")
    link = new_link("USES_VEHICLE", a.id, car.id, {"role": "passenger"}, provenance=P_POLICE, first_seen="2025-06-01")
    summary = store.upsert([a, car], [link])
    assert (summary.entities_created, summary.entities_merged) == (2, 0)
    assert (summary.links_created, summary.links_merged) == (1, 0)

    got = store.get_entity(a.id)
    assert got is not None
    assert got.kind == "Person" and got.label == "Ada Example"
    assert dict(got.properties) == {"ref": "P1", "full_name": "Ada Example", "date_of_birth": "2010-02-03"}
    assert got.provenance == (P_POLICE,)
    got_link = store.get_link(link.id)
    assert got_link is not None
    assert (got_link.source, got_link.target, got_link.kind) == (a.id, car.id, "USES_VEHICLE")
    assert got_link.properties == {"role": "passenger"} and got_link.first_seen == "2025-06-01"
    assert store.get_entity("person-doesnotexist") is None
    assert store.get_link("nothing") is None
    assert [e.id for e in store.get_entities([car.id, "missing", a.id])] == [car.id, a.id]


def test_merge_overlays_properties_appends_provenance_and_widens_seen(store: GraphStore) -> None:
    first = new_entity(
        "Person",
        {"ref": "P1", "full_name": "Ada Example", "postcode": "ZZ1 1AA"},
        provenance=P_POLICE,
        first_seen="2025-03-01",
        last_seen="2025-04-01",
    )
    second = new_entity(
        "Person",
        {"ref": "P1", "postcode": "ZZ9 9ZZ", "gender": "female"},
        provenance=P_CARE,
        first_seen="2025-01-15",
        last_seen="2025-02-01",
    )
    store.upsert([first])
    summary = store.upsert([second])
    assert (summary.entities_created, summary.entities_merged) == (0, 1)
    got = store.get_entity(first.id)
    assert got is not None
    # new non-empty values win, values the new record lacks are kept, and so is the label
    assert dict(got.properties) == {"ref": "P1", "full_name": "Ada Example", "postcode": "ZZ9 9ZZ", "gender": "female"}
    assert got.label == "Ada Example"
    assert set(got.provenance) == {P_POLICE, P_CARE}
    assert (got.first_seen, got.last_seen) == ("2025-01-15", "2025-04-01")
    # the old postcode stays findable (a previous address is still a lead)
    assert [e.id for e in store.search("ZZ1 1AA")] == [first.id]


def test_reupserting_the_same_batch_changes_no_count(store: GraphStore) -> None:
    people = [person(f"P{i}", f"Person {i}") for i in range(50)]
    links = [assoc(people[i], people[i + 1]) for i in range(49)]
    store.upsert(people, links)
    before = store.counts()
    before_prov = store.get_entity(people[0].id)
    summary = store.upsert(people, links)
    assert store.counts() == before
    assert (summary.entities_created, summary.links_created) == (0, 0)
    assert (summary.entities_merged, summary.links_merged) == (50, 49)
    assert store.get_entity(people[0].id) == before_prov


def _at_once(jobs: list[Callable[[], object]]) -> list[str]:
    """Run the jobs in threads released together; what each that failed raised."""
    start, failures = threading.Barrier(len(jobs)), []

    def run(job: Callable[[], object]) -> None:
        start.wait()
        try:
            job()
        except Exception as exc:  # gathered and asserted on by the caller
            failures.append(repr(exc))

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return failures


def test_two_writers_loading_the_same_facts_at_once_leave_one_of_each(store: GraphStore) -> None:
    """Two loads (say two analysts, or a load and its rerun) writing the same links at the same
    moment, between entities both create (even rounds) or already stored (odd rounds): each fact is
    stored once, holding both sources. Neo4j has no uniqueness constraint on relationships: only the
    store's locking keeps a link single there."""
    other = open_store(store.url)
    try:
        for round_no in range(5):
            people = [person(f"R{round_no}-{i}", f"Person {i}") for i in range(40)]
            if round_no % 2:
                store.upsert(people)
            writers = {}
            for name, writer in (("police.a", store), ("police.b", other)):
                prov = Provenance(name, f"ROW-{round_no}", T0)
                writers[name] = (
                    writer,
                    [dataclasses.replace(p, provenance=(prov,)) for p in people],
                    [dataclasses.replace(assoc(people[i], people[i + 1]), provenance=(prov,)) for i in range(39)],
                )
            failures = _at_once([partial(w.upsert, entities, links) for w, entities, links in writers.values()])
            assert not failures
            counts = store.counts()
            assert counts.entities == {"Person": 40 * (round_no + 1)}
            assert counts.links == {"ASSOCIATE_OF": 39 * (round_no + 1)}
            stored = store.get_links([ln.id for ln in writers["police.a"][2]])
            assert len(stored) == 39
            assert all({p.source for p in ln.provenance} == {"police.a", "police.b"} for ln in stored)
    finally:
        other.close()


def test_symmetric_links_are_one_link_whichever_way_round(store: GraphStore) -> None:
    a, b = person("A", "A"), person("B", "B")
    store.upsert([a, b], [assoc(a, b), assoc(b, a)])
    assert store.counts().links == {"ASSOCIATE_OF": 1}


def test_a_link_to_an_unknown_entity_rolls_back_the_whole_batch(store: GraphStore) -> None:
    a, b = person("A", "A"), person("B", "B")
    dangling = new_link("ASSOCIATE_OF", a.id, "person-000000000000000000000000", provenance=P_POLICE)
    with pytest.raises(InvalidRecord, match="neither stored nor in this batch"):
        store.upsert([a, b], [assoc(a, b), dangling])
    assert store.counts().entities == {} and store.counts().links == {}
    assert store.get_entity(a.id) is None
    assert store.search("A") == []


def test_a_link_between_kinds_the_schema_forbids_rolls_back(store: GraphStore) -> None:
    a, car = person("A", "A"), vehicle("XY99ZZZ")
    wrong = new_link("ASSOCIATE_OF", a.id, car.id, provenance=P_POLICE)
    with pytest.raises(InvalidRecord, match="cannot join Person to Vehicle"):
        store.upsert([a, car], [wrong])
    assert store.counts().entities == {}


def test_a_link_to_a_stored_entity_of_a_forbidden_kind_rolls_back(store: GraphStore) -> None:
    a, b, car = person("A", "A"), person("B", "B"), vehicle("XY99ZZZ")
    store.upsert([a, car])
    wrong = new_link("ASSOCIATE_OF", a.id, car.id, provenance=P_POLICE)
    with pytest.raises(InvalidRecord, match="cannot join Person to Vehicle"):
        store.upsert([b], [assoc(a, b), wrong])
    assert store.get_entity(b.id) is None and store.counts().links == {}


def test_an_invalid_entity_anywhere_in_the_batch_writes_nothing(store: GraphStore) -> None:
    good = person("A", "A")
    forged = Entity("person-x", "Person", "x", {"ref": "X", "date_of_birth": "2010-13-45"}, (P_POLICE,))
    with pytest.raises(InvalidRecord, match=r"Person\.date_of_birth"):
        store.upsert([good, forged])
    no_source = Entity("person-y", "Person", "y", {"ref": "Y"}, ())
    with pytest.raises(InvalidRecord, match="no source"):
        store.upsert([good, no_source])
    assert store.counts().entities == {}


def test_a_failure_after_earlier_batches_keeps_only_the_earlier_batches(store: GraphStore) -> None:
    a, b = person("A", "A"), person("B", "B")
    store.upsert([a])
    with pytest.raises(InvalidRecord):
        store.upsert([b], [new_link("ASSOCIATE_OF", b.id, "person-gone", provenance=P_POLICE)])
    assert store.counts().entities == {"Person": 1}
    assert store.get_entity(a.id) is not None and store.get_entity(b.id) is None


def test_a_bulk_load_keeps_every_batch_but_a_refused_one(store: GraphStore) -> None:
    a, b, c = (person(r, r, Provenance("police.nominals", r, T0)) for r in "ABC")
    with store.bulk_load() as load:
        store.upsert([a])
        with pytest.raises(InvalidRecord):
            store.upsert([b], [new_link("ASSOCIATE_OF", b.id, "person-gone", provenance=P_POLICE)])
        load.commit()
        store.upsert([c], [assoc(a, c)])
        # inside the load, the load's own reads see what it wrote (lookups of earlier files need it)
        assert store.find_by_source("police.nominals", ["A", "C"], kind="Person") == {"A": a.id, "C": c.id}
    again = open_store(store.url, schema=store.schema)
    try:
        assert again.counts().entities == {"Person": 2}
        assert again.counts().links == {"ASSOCIATE_OF": 1}
        assert again.get_entity(b.id) is None
    finally:
        again.close()


# -- search ---------------------------------------------------------------------------------------


@pytest.fixture
def searchable(store: GraphStore) -> dict[str, Entity]:
    items = {
        "zoe": person("Z", "Zoë Ødegård-Ní Bhriain", aliases=["Zed"]),
        "zoey": person("Z2", "Zoey Example"),
        "car": vehicle("AB12CDE"),
        "phone": new_entity("Phone", {"number": "+447700900123"}, provenance=P_POLICE),
        "hotel": new_entity(
            "Business",
            {"name": "The Example Hotel", "business_type": "hotel", "postcode": "ZZ1 2BB"},
            provenance=P_POLICE,
        ),
    }
    store.upsert(list(items.values()))
    return items


def test_search_ignores_case_and_accents_and_matches_parts(store: GraphStore, searchable: dict[str, Entity]) -> None:
    zoe = searchable["zoe"].id
    assert zoe in [e.id for e in store.search("zoe odegard")]
    assert zoe in [e.id for e in store.search("ZOË ØDEGÅRD")]
    assert [e.id for e in store.search("bhriain")] == [zoe]
    assert [e.id for e in store.search("ní bhr")] == [zoe]
    assert [e.id for e in store.search("zed")] == [zoe]
    assert [e.id for e in store.search("12cd")] == [searchable["car"].id]
    assert [e.id for e in store.search("7700900")] == [searchable["phone"].id]
    assert [e.id for e in store.search("example hotel")] == [searchable["hotel"].id]


def test_search_ranks_exact_then_prefix_then_inner_matches(store: GraphStore) -> None:
    inner, prefix, exact = person("J", "Joanna Anna-Lee"), person("AS", "Annabel Smith"), person("A", "Anna")
    store.upsert([inner, prefix, exact])
    assert [e.id for e in store.search("anna")] == [exact.id, prefix.id, inner.id]


def test_search_filters_by_kind_and_limit(store: GraphStore, searchable: dict[str, Entity]) -> None:
    assert [e.kind for e in store.search("zz1", kinds=["Business"])] == ["Business"]
    assert store.search("zoe", kinds=["Vehicle"]) == []
    assert len(store.search("e", limit=2)) == 2


def test_short_and_empty_queries(store: GraphStore, searchable: dict[str, Entity]) -> None:
    assert searchable["car"].id in [e.id for e in store.search("ab")]
    assert store.search("") == []
    assert store.search("   ") == []
    assert store.search("no such thing anywhere") == []


HOSTILE = [
    'O\'Reilly "quoted"',
    "100% _under_ score",
    "Robert'); DROP TABLE entities;--",
    "nul\x00byte",
    "emoji 🧒🏽‍🦱 family 👨‍👩‍👧",
    "עברית right-to-left العربية",
    "<script>alert('x')</script>",
    '=HYPERLINK("http://example.invalid")',
    "x'}) DETACH DELETE (n) //",
    "back\\slash and * star and ^caret and NEAR(a b)",
    "long " + "x" * 10_000,
]


@pytest.mark.parametrize("value", HOSTILE, ids=[f"hostile{i}" for i in range(len(HOSTILE))])
def test_hostile_strings_are_stored_and_found_verbatim(store: GraphStore, value: str) -> None:
    decoy = person("DECOY", "Decoy Person")
    target = new_entity("Person", {"ref": value, "full_name": value, "aliases": [value]}, provenance=P_POLICE)
    store.upsert([decoy, target])
    got = store.get_entity(target.id)
    assert got is not None
    assert got.properties["full_name"] == value and got.properties["ref"] == value
    assert got.properties["aliases"] == [value]
    assert got.label == value
    assert [e.id for e in store.search(value)] == [target.id]
    assert store.counts().entities == {"Person": 2}
    assert store.get_entity(decoy.id) is not None


# -- neighbourhood and paths ---------------------------------------------------------------------


@pytest.fixture
def chain(store: GraphStore) -> list[Entity]:
    """a - b - c - d - e as associates, plus a vehicle used by b and a phone used by e."""
    people = [person(x, x.upper()) for x in "abcde"]
    car = vehicle("CAR1")
    phone = new_entity("Phone", {"number": "+447700900001"}, provenance=P_POLICE)
    links = [assoc(people[i], people[i + 1]) for i in range(4)]
    links.append(new_link("USES_VEHICLE", people[1].id, car.id, {"role": "driver"}, provenance=P_POLICE))
    links.append(new_link("USES_PHONE", people[4].id, phone.id, provenance=P_POLICE))
    store.upsert([*people, car, phone], links)
    return [*people, car, phone]


def _ids(entities: Iterable[Entity]) -> set[str]:
    return {e.id for e in entities}


def test_neighbourhood_by_hops(store: GraphStore, chain: list[Entity]) -> None:
    a, b, c, d, e, car, phone = chain
    zero = store.neighbourhood(a.id, hops=0)
    assert _ids(zero.entities) == {a.id} and zero.links == ()
    one = store.neighbourhood(a.id, hops=1)
    assert _ids(one.entities) == {a.id, b.id}
    assert len(one.links) == 1 and not one.truncated
    two = store.neighbourhood(a.id, hops=2)
    assert _ids(two.entities) == {a.id, b.id, c.id, car.id}
    assert len(two.links) == 3
    everything = store.neighbourhood(c.id, hops=10)
    assert _ids(everything.entities) == _ids(chain)


def test_neighbourhood_kind_filters(store: GraphStore, chain: list[Entity]) -> None:
    a, b, c, d, e, car, phone = chain
    people_only = store.neighbourhood(a.id, hops=2, kinds=["Person"])
    assert _ids(people_only.entities) == {a.id, b.id, c.id}
    vehicles_only = store.neighbourhood(b.id, hops=3, link_kinds=["USES_VEHICLE"])
    assert _ids(vehicles_only.entities) == {b.id, car.id}
    assert {ln.kind for ln in vehicles_only.links} == {"USES_VEHICLE"}


def test_neighbourhood_node_cap_keeps_the_nearest_and_says_so(store: GraphStore) -> None:
    hub = person("HUB", "Hub")
    spokes = [person(f"S{i}", f"Spoke {i}") for i in range(30)]
    far = person("FAR", "Far")
    links = [assoc(hub, s) for s in spokes] + [assoc(spokes[0], far)]
    store.upsert([hub, *spokes, far], links)
    capped = store.neighbourhood(hub.id, hops=2, max_nodes=10)
    assert len(capped.entities) == 10 and capped.truncated
    assert "cap 10" in capped.note
    assert far.id not in _ids(capped.entities)
    kept = _ids(capped.entities)
    assert all(ln.source in kept and ln.target in kept for ln in capped.links)
    assert not store.neighbourhood(hub.id, hops=2, max_nodes=100).truncated


def test_neighbourhood_of_unknown_entity_raises(store: GraphStore) -> None:
    with pytest.raises(UnknownEntity):
        store.neighbourhood("person-nobody")


def test_shortest_paths(store: GraphStore, chain: list[Entity]) -> None:
    a, b, c, d, e, car, phone = chain
    [only] = store.shortest_paths(a.id, e.id, max_hops=4)
    assert only.entities == (a.id, b.id, c.id, d.id, e.id) and only.hops == 4
    assert store.shortest_paths(a.id, e.id, max_hops=3) == []
    [to_phone] = store.shortest_paths(phone.id, d.id)
    assert to_phone.entities == (phone.id, e.id, d.id)
    assert store.shortest_paths(a.id, c.id, link_kinds=["USES_VEHICLE"]) == []
    [itself] = store.shortest_paths(a.id, a.id)
    assert itself.entities == (a.id,) and itself.hops == 0
    with pytest.raises(UnknownEntity):
        store.shortest_paths(a.id, "person-nobody")


def test_shortest_paths_returns_every_route_of_least_length(store: GraphStore) -> None:
    # two cliques joined through two brokers: s - {x, y} - t, and a longer detour s - p - q - r - t
    s, x, y, t, p, q, r = (person(n, n) for n in "sxytpqr")
    links = [assoc(s, x), assoc(s, y), assoc(x, t), assoc(y, t), assoc(s, p), assoc(p, q), assoc(q, r), assoc(r, t)]
    store.upsert([s, x, y, t, p, q, r], links)
    found = store.shortest_paths(s.id, t.id, max_hops=6)
    assert sorted(path.entities for path in found) == sorted([(s.id, x.id, t.id), (s.id, y.id, t.id)])
    assert len(store.shortest_paths(s.id, t.id, max_paths=1)) == 1
    # without the brokers' links, the detour is the shortest
    detour = store.shortest_paths(s.id, t.id, kinds=["Person"], max_hops=6)
    assert all(path.hops == 2 for path in detour)


# -- export and counts ------------------------------------------------------------------------------


def test_to_networkx_exports_the_graph_or_a_filtered_part(store: GraphStore, chain: list[Entity]) -> None:
    a, b, c, d, e, car, phone = chain
    G = store.to_networkx()
    assert G.number_of_nodes() == 7 and G.number_of_edges() == 6
    assert G.nodes[car.id]["kind"] == "Vehicle" and G.nodes[car.id]["vrm"] == "CAR1"
    assert G.nodes[a.id]["label"] == "A"
    [(u, v, data)] = [(u, v, d_) for u, v, d_ in G.edges(data=True) if d_["kind"] == "USES_VEHICLE"]
    assert (u, v, data["role"]) == (b.id, car.id, "driver")
    people = store.to_networkx(kinds=["Person"])
    assert people.number_of_nodes() == 5 and people.number_of_edges() == 4
    part = store.to_networkx(entity_ids=[a.id, b.id, car.id])
    assert set(part.nodes) == {a.id, b.id, car.id} and part.number_of_edges() == 2
    with_prov = store.to_networkx(link_kinds=["USES_PHONE"], provenance=True)
    assert with_prov.number_of_edges() == 1
    assert with_prov.nodes[e.id]["provenance"] == [("police.nominals", "NOM-1", None)]
    [(_, _, edge)] = with_prov.edges(data=True)
    assert edge["provenance"] == [("police.nominals", "NOM-1", None)]


def test_counts_by_kind(store: GraphStore, chain: list[Entity]) -> None:
    counts = store.counts()
    assert dict(counts.entities) == {"Person": 5, "Vehicle": 1, "Phone": 1}
    assert dict(counts.links) == {"ASSOCIATE_OF": 4, "USES_VEHICLE": 1, "USES_PHONE": 1}
    assert counts.as_dict() == {
        "entities": {"Person": 5, "Vehicle": 1, "Phone": 1},
        "links": {"ASSOCIATE_OF": 4, "USES_VEHICLE": 1, "USES_PHONE": 1},
    }


def test_an_empty_store_counts_nothing(store: GraphStore) -> None:
    assert store.counts().as_dict() == {"entities": {}, "links": {}}


# -- erasure --------------------------------------------------------------------------------------


def test_erasure_removes_the_entity_its_links_sources_and_results(store: GraphStore, chain: list[Entity]) -> None:
    a, b, c, d, e, car, phone = chain
    store.save_results("key_players", [{"entity_id": b.id, "label": "B", "score": 0.9}, {"entity_id": c.id}])
    record = store.erase_entity(b.id, reason="retention_review", reference="RR-2026/114")
    assert store.get_entity(b.id) is None
    assert b.id not in _ids(store.search("B"))
    assert dict(store.counts().links) == {"ASSOCIATE_OF": 2, "USES_PHONE": 1}
    assert store.get_entity(car.id) is not None  # what it linked to stays
    assert store.shortest_paths(a.id, c.id) == []
    results = store.read_results("key_players")
    assert results is not None and [r["entity_id"] for r in results.rows] == [c.id]
    assert (record.kind, record.links_removed, record.sources_removed, record.results_removed) == ("Person", 3, 4, 1)
    assert store.erasures() == [record]
    # the record holds nothing that identifies the person: not the id, the name or the key
    assert not any(b.id in str(v) or str(v) in ("B", "b") for v in dataclasses.astuple(record))


def test_erasure_refuses_names_as_references_and_unknown_reasons(store: GraphStore, chain: list[Entity]) -> None:
    with pytest.raises(StoreConfigError, match="reference"):
        store.erase_entity(chain[0].id, reason="subject_request", reference="Ada Example")
    with pytest.raises(StoreConfigError, match="reason"):
        store.erase_entity(chain[0].id, reason="because", reference="REF-1")  # type: ignore[arg-type]
    with pytest.raises(UnknownEntity):
        store.erase_entity("person-nobody", reason="correction", reference="REF-2")
    assert store.counts().entities["Person"] == 5 and store.erasures() == []


# -- results --------------------------------------------------------------------------------------


def test_results_are_saved_by_run_and_the_latest_is_read(store: GraphStore) -> None:
    first = store.save_results("groups", [{"entity_id": "x", "label": "G1", "size": 4}], run_id="r1")
    second = store.save_results("groups", [{"entity_id": "y", "label": "G2", "size": 7}], run_id="r2")
    store.save_results("hotspots", [], run_id="r2")
    latest = store.read_results("groups")
    assert latest is not None and latest.run_id == "r2"
    assert list(latest.rows) == [{"entity_id": "y", "label": "G2", "size": 7}]
    older = store.read_results("groups", run_id="r1")
    assert older is not None and list(older.rows) == list(first.rows)
    assert second.created_at >= first.created_at
    assert store.read_results("nothing") is None
    empty = store.read_results("hotspots")
    assert empty is not None and empty.rows == ()
    assert store.result_names() == ["groups", "hotspots"]
    # saving the same run again replaces its rows
    store.save_results("groups", [{"entity_id": "z"}], run_id="r2")
    again = store.read_results("groups", run_id="r2")
    assert again is not None and [r["entity_id"] for r in again.rows] == ["z"]


def test_a_result_version_changes_with_each_run_and_each_erased_row(store: GraphStore, chain: list[Entity]) -> None:
    a, b, *_ = chain
    assert store.result_version("key_players") is None
    store.save_results("key_players", [{"entity_id": a.id}, {"entity_id": b.id}], run_id="r1")
    first = store.result_version("key_players")
    assert first is not None and first[0] == "r1" and first[2] == 2
    assert store.result_version("key_players") == first  # reading changes nothing
    store.erase_entity(b.id, reason="retention_review", reference="RR-1")
    after_erasure = store.result_version("key_players")
    assert after_erasure is not None and after_erasure[:2] == first[:2] and after_erasure[2] == 1
    store.save_results("key_players", [{"entity_id": a.id}], run_id="r2")
    latest = store.result_version("key_players")
    assert latest is not None and latest[0] == "r2"


def test_results_reject_bad_names_and_values(store: GraphStore) -> None:
    with pytest.raises(StoreConfigError):
        store.save_results("Robert'); DROP TABLE", [])
    with pytest.raises(StoreError):
        store.save_results("groups", [{"entity_id": "x", "when": object()}])
    assert store.result_names() == []


def test_a_store_reopened_from_its_url_holds_the_same_graph(store: GraphStore, chain: list[Entity]) -> None:
    before = store.counts()
    again = open_store(store.url, schema=store.schema)
    try:
        assert again.counts() == before
        assert again.get_entity(chain[0].id) == store.get_entity(chain[0].id)
    finally:
        again.close()


def test_a_long_query_and_a_long_stored_value_stay_bounded(store: GraphStore, searchable: dict[str, Entity]) -> None:
    """Issue 21, point 2: a 10,000-character query reached the trigram index whole (81 s, 1.3 GB).

    Queries are cut to MAX_SEARCH_CHARS and stored terms to MAX_TERM_CHARS, so a long name is still
    found by a long query that starts as it does (the cut query matches the cut term).
    """
    from graph.ids import MAX_SEARCH_CHARS, MAX_TERM_CHARS, search_query
    from graph.records import search_terms

    long_name = "Quentin " + "Longname" * 20_000
    store.upsert([person("L", long_name)])
    assert [e.properties["ref"] for e in store.search("Quentin " + "Longname" * 1_000)] == ["L"]
    assert store.search("zoe " + "x" * 10_000) == []
    assert len(search_query("x" * 10_000)) == MAX_SEARCH_CHARS
    assert all(len(t) <= MAX_TERM_CHARS for t in search_terms(store.schema, "Person", {"full_name": long_name}))
