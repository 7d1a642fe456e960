"""Differential test of the merge rule: every store, and :mod:`graph.merge` alone, end with the same
graph from the same upserts, however they are cut into batches and whether or not a batch is
coalesced first (as the ingest pipeline does). The graph must not depend on where a batch boundary
falls: re-running a load changes nothing.

Each case is a seeded random sequence of entity and link records (with and without labels,
overlapping and empty properties, repeated source records loaded at different times, first and
last seen), applied to the ``store`` fixture (SQLite, and the Neo4j store over Bolt) in random
batches, and folded record by record with :func:`graph.merge.merge_entity` / ``merge_link`` into
the expected graph. The label case of issue 23 is a fixed case.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pytest

from graph import Entity, Link, Provenance, new_entity, new_link
from graph.merge import coalesce_entities, coalesce_links, merge_entity, merge_link, merge_terms
from graph.records import search_terms
from graph.schema import load_schema
from graph.store import GraphStore

SCHEMA = load_schema()
Record = Entity | Link
Coalesce = Callable[[Sequence[Entity], Sequence[Link]], tuple[list[Entity], list[Link]]]

TIMES = ("2026-01-04T09:00:00+00:00", "2026-01-05T10:00:00+00:00", "2026-01-06T11:00:00+00:00")
SEEN = (None, "2025-01-15", "2025-03-01", "2025-03-01T12:00:00+00:00", "2025-06-30")
NAMES = ("Ada Example", "Bea Sample", "Cy Testcase", "", None)
POSTCODES = ("ZZ1 1AA", "ZZ9 9ZZ", "", None)
NATURES = ("friend", "cousin", "", None)


def _as_is(entities: Sequence[Entity], links: Sequence[Link]) -> tuple[list[Entity], list[Link]]:
    return list(entities), list(links)


def _coalesced(entities: Sequence[Entity], links: Sequence[Link]) -> tuple[list[Entity], list[Link]]:
    return coalesce_entities(SCHEMA, entities), coalesce_links(links)


@dataclass
class Expected:
    """The graph the records make by the rules of graph.merge, record by record."""

    entities: dict[str, Entity] = field(default_factory=dict)
    links: dict[str, Link] = field(default_factory=dict)
    terms: dict[str, list[str]] = field(default_factory=dict)

    def add(self, record: Record) -> None:
        if isinstance(record, Entity):
            self.entities[record.id] = merge_entity(SCHEMA, self.entities.get(record.id), record)
            terms = search_terms(SCHEMA, record.kind, record.properties)
            self.terms[record.id] = merge_terms(self.terms.get(record.id, []), terms)
        else:
            self.links[record.id] = merge_link(self.links.get(record.id), record)


def _provenance(rng: random.Random) -> tuple[Provenance, ...]:
    def one() -> Provenance:
        return Provenance(
            rng.choice(("police.nominals", "care.children")),
            f"R{rng.randint(1, 4)}",
            rng.choice(TIMES),  # the same source record may come again, loaded at another time
            run_id=rng.choice((None, "run-1", "run-2")),
            grading=rng.choice((None, "2B P")),
        )

    return tuple(one() for _ in range(rng.choice((1, 1, 2))))


def _seen(rng: random.Random) -> dict[str, str | None]:
    return {"first_seen": rng.choice(SEEN), "last_seen": rng.choice(SEEN)}


def _person(rng: random.Random) -> Entity:
    props: dict[str, object] = {"ref": f"police:PN{rng.randint(1, 5)}"}
    for name, values in (("full_name", NAMES), ("postcode", POSTCODES), ("gender", ("female", "male", ""))):
        if rng.random() < 0.6:
            props[name] = rng.choice(values)
    if rng.random() < 0.3:
        props["aliases"] = rng.choice(([], ["Ace"], ["Ace", "Dee"]))
    return new_entity("Person", props, provenance=_provenance(rng), **_seen(rng))


def _vehicle(rng: random.Random) -> Entity:
    props: dict[str, object] = {"vrm": f"ZZ{rng.randint(1, 3)}ABC"}
    if rng.random() < 0.5:
        props["colour"] = rng.choice(("red", "blue", ""))
    return new_entity("Vehicle", props, provenance=_provenance(rng), **_seen(rng))


def _link(rng: random.Random, people: list[str], vehicles: list[str]) -> Link | None:
    choice = rng.random()
    if choice < 0.5 and len(people) >= 2:
        a, b = rng.sample(people, 2)  # either way round: the kind is symmetric
        props = {"nature": n} if (n := rng.choice(NATURES)) is not None else {}
        return new_link("ASSOCIATE_OF", a, b, props, provenance=_provenance(rng), **_seen(rng))
    if choice < 0.8 and people and vehicles:
        role = rng.choice(("driver", "passenger", None))  # None: the key value is missing ("-")
        props = {"role": role} if role else {}
        return new_link(
            "USES_VEHICLE", rng.choice(people), rng.choice(vehicles), props, provenance=_provenance(rng), **_seen(rng)
        )
    if len(people) >= 2:
        a, b = rng.sample(people, 2)
        props = {"relationship": rng.choice(("sibling", "parent"))}
        return new_link("FAMILY_OF", a, b, props, provenance=_provenance(rng), **_seen(rng))
    return None


def random_records(seed: int, n: int = 70) -> list[Record]:
    """Records in load order; a link only joins entities some earlier record made."""
    rng = random.Random(seed)
    records: list[Record] = []
    people: list[str] = []
    vehicles: list[str] = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.45:
            e = _person(rng)
            people += [e.id] if e.id not in people else []
            records.append(e)
        elif roll < 0.6:
            e = _vehicle(rng)
            vehicles += [e.id] if e.id not in vehicles else []
            records.append(e)
        elif (ln := _link(rng, people, vehicles)) is not None:
            records.append(ln)
    return records


def random_batches(records: list[Record], seed: int) -> list[list[Record]]:
    """The records cut at random places: one record a batch, everything in one, or between."""
    rng = random.Random(seed * 7919 + 1)
    cuts = sorted(rng.sample(range(1, len(records)), rng.randint(0, min(12, len(records) - 1))))
    bounds = [0, *cuts, len(records)]
    return [records[a:b] for a, b in itertools.pairwise(bounds) if b > a]


def load(store: GraphStore, batches: list[list[Record]], coalesce: Coalesce) -> None:
    for batch in batches:
        entities = [r for r in batch if isinstance(r, Entity)]
        links = [r for r in batch if isinstance(r, Link)]
        store.upsert(*coalesce(entities, links))


def assert_holds(store: GraphStore, expected: Expected) -> None:
    """The store holds exactly the expected graph: entities, links, counts and what search finds."""
    ids = sorted(expected.entities)
    assert store.get_entities(ids) == [expected.entities[i] for i in ids]
    link_ids = sorted(expected.links)
    assert store.get_links(link_ids) == [expected.links[i] for i in link_ids]
    by_kind: dict[str, dict[str, int]] = {"entities": {}, "links": {}}
    for group, records in (("entities", expected.entities), ("links", expected.links)):
        for r in records.values():
            by_kind[group][r.kind] = by_kind[group].get(r.kind, 0) + 1
    assert store.counts().as_dict() == by_kind
    # every term a record ever carried stays findable (a previous address is still a lead)
    for query in ("ada example", "bea sample", "zz9 9zz", "ace"):
        found = {e.id for e in store.search(query, limit=100)}
        assert found == {i for i, terms in expected.terms.items() if any(query in t for t in terms)}, query


def expected_from(records: list[Record]) -> Expected:
    expected = Expected()
    for r in records:
        expected.add(r)
    return expected


# -- fixed cases --------------------------------------------------------------------------------

P_NOMINALS = Provenance("police.nominals", "PN1", TIMES[1])
P_CARE = Provenance("care.children", "CH1", TIMES[2])


@pytest.mark.parametrize("coalesce", [_as_is, _coalesced], ids=["as-is", "coalesced"])
@pytest.mark.parametrize("one_batch", [True, False], ids=["one-batch", "two-batches"])
def test_a_label_less_record_never_replaces_a_name(store: GraphStore, coalesce: Coalesce, one_batch: bool) -> None:
    """Issue 23: a named Person, then a label-less Person with the same id. Whether the two records
    arrive in one batch (coalesced first, as the pipeline does, or not) or two, the name stays."""
    named = new_entity("Person", {"ref": "police:PN1", "full_name": "Ada Example"}, provenance=P_NOMINALS)
    bare = new_entity("Person", {"ref": "police:PN1", "gender": "female"}, provenance=P_CARE)
    assert bare.label == "police:PN1"
    batches: list[list[Record]] = [[named, bare]] if one_batch else [[named], [bare]]
    load(store, batches, coalesce)
    got = store.get_entity(named.id)
    assert got is not None
    assert got.label == "Ada Example"
    assert dict(got.properties) == {"ref": "police:PN1", "full_name": "Ada Example", "gender": "female"}
    assert_holds(store, expected_from([named, bare]))


@pytest.mark.parametrize("coalesce", [_as_is, _coalesced], ids=["as-is", "coalesced"])
@pytest.mark.parametrize("one_batch", [True, False], ids=["one-batch", "two-batches"])
def test_an_empty_value_never_replaces_a_held_one(store: GraphStore, coalesce: Coalesce, one_batch: bool) -> None:
    """A record that gives a name as "" (an empty cell) says nothing about it: the held name and
    label stay, and the result does not depend on the batching (coalescing would otherwise see a
    record with no label property and keep an older label)."""
    old = new_entity("Person", {"ref": "police:PN1", "full_name": "Bea Sample"}, provenance=P_NOMINALS)
    renamed = new_entity("Person", {"ref": "police:PN1", "full_name": "Ada Example"}, provenance=P_CARE)
    blank = new_entity(
        "Person", {"ref": "police:PN1", "full_name": "", "aliases": []}, provenance=Provenance("x.y", "Z1", TIMES[2])
    )
    store.upsert([old])
    batches: list[list[Record]] = [[renamed, blank]] if one_batch else [[renamed], [blank]]
    load(store, batches, coalesce)
    got = store.get_entity(old.id)
    assert got is not None
    assert (got.label, got.properties["full_name"]) == ("Ada Example", "Ada Example")
    assert "aliases" not in got.properties
    assert_holds(store, expected_from([old, renamed, blank]))


def test_the_first_load_of_a_source_record_is_the_one_kept(store: GraphStore) -> None:
    """A source record loaded again (a later run, another time) is kept once, as first loaded."""
    first = Provenance("police.nominals", "PN1", TIMES[1], run_id="run-1")
    again = Provenance("police.nominals", "PN1", TIMES[0], run_id="run-2", grading="2B P")
    a = new_entity("Person", {"ref": "police:PN1"}, provenance=first)
    b = new_entity("Person", {"ref": "police:PN1"}, provenance=(again, P_CARE))
    store.upsert([a])
    store.upsert([b])
    got = store.get_entity(a.id)
    assert got is not None and got.provenance == (first, P_CARE)
    assert_holds(store, expected_from([a, b]))


# -- seeded random sequences --------------------------------------------------------------------


@pytest.mark.parametrize("coalesce", [_as_is, _coalesced], ids=["as-is", "coalesced"])
@pytest.mark.parametrize("seed", range(6))
def test_random_upserts_in_random_batches_make_the_merge_rules_graph(
    store: GraphStore, seed: int, coalesce: Coalesce
) -> None:
    records = random_records(seed)
    assert any(isinstance(r, Link) for r in records) and len({r.id for r in records}) < len(records)
    load(store, random_batches(records, seed), coalesce)
    assert_holds(store, expected_from(records))


@pytest.mark.parametrize("seed", range(6))
def test_coalescing_a_batch_first_is_the_same_as_merging_its_records_one_by_one(seed: int) -> None:
    """merge.py alone: coalesce, then merge, equals merging each record (what lets a loader coalesce)."""
    records = random_records(seed)
    one_by_one = expected_from(records)
    coalesced = Expected()
    for batch in random_batches(records, seed):
        entities, links = _coalesced(
            [r for r in batch if isinstance(r, Entity)], [r for r in batch if isinstance(r, Link)]
        )
        for r in [*entities, *links]:
            coalesced.add(r)
    assert coalesced.entities == one_by_one.entities
    assert coalesced.links == one_by_one.links
    # and no search term is lost: a repeat that would replace a searchable value stays a record
    assert {i: set(t) for i, t in coalesced.terms.items()} == {i: set(t) for i, t in one_by_one.terms.items()}
