"""Search as people type (graph.search) on a small world a reader can check by eye, in every store."""

from __future__ import annotations

import time
from collections.abc import Collection
from typing import Any

import pytest

from graph import Entity, Provenance, load_schema, new_entity
from graph.search import MAX_QUERY_CHARS, MAX_TOKEN_CHARS, MAX_TOKENS, REFERENCE_SOURCES, find_entities, plan_search
from graph.store import GraphStore

T0 = "2026-01-05T10:00:00+00:00"


def _prov(source: str, record: str) -> Provenance:
    return Provenance(source, record, T0)


MATEUSZ = new_entity(
    "Person",
    {
        "ref": "police:PN5627183",
        "full_name": "Mateusz Holworth",
        "date_of_birth": "1971-01-18",
        "address": "120 Torstow Grove",
        "postcode": "ZZ24 7ER",
    },
    provenance=_prov("police_nominals", "PN5627183"),
)
EDWARD = new_entity(
    "Person",
    {"ref": "police:PN5829878", "full_name": "Edward Holworth"},
    provenance=_prov("police_nominals", "PN5829878"),
)
SHOP = new_entity(
    "Business",
    {"name": "Holworth Stores", "postcode": "ZZ9 9ZZ", "business_type": "shop"},
    provenance=_prov("premises_register", "PR1"),
)
ANN = new_entity("Person", {"ref": "t:1", "full_name": "Ann Lee"}, provenance=_prov("police_nominals", "PN1000001"))
ANNABEL = new_entity(
    "Person", {"ref": "t:2", "full_name": "Annabel Leeson"}, provenance=_prov("police_nominals", "PN1000002")
)
CHILD = new_entity(
    "Person", {"ref": "care:CS-982013", "full_name": "Amelia Example"}, provenance=_prov("care_children", "CS-982013")
)
PHONE = new_entity("Phone", {"number": "+441144960638"}, provenance=_prov("police_nominals", "PN5829878"))
CAR = new_entity("Vehicle", {"vrm": "ZP50CME"}, provenance=_prov("licensing_vehicles", "VEL/PHV/00002"))
LICENCE = new_entity(
    "Licence",
    {"authority": "Velmouth", "number": "VEL/PHD/00002", "licence_type": "driver"},
    provenance=_prov("licensing_drivers", "VEL/PHD/00002"),
)
WORLD = [MATEUSZ, EDWARD, SHOP, ANN, ANNABEL, CHILD, PHONE, CAR, LICENCE]


@pytest.fixture
def world(store: GraphStore) -> GraphStore:
    store.upsert(WORLD)
    return store


def _found(store: GraphStore, text: str, **kwargs: Any) -> list[str]:
    return [e.id for e in find_entities(store, text, **kwargs)]


@pytest.mark.parametrize("typed", ["zp50 cme", "ZP50CME", " Zp50-Cme ", "zp 50 cme"])
def test_a_vrm_is_found_in_any_spacing_or_case(world: GraphStore, typed: str) -> None:
    assert _found(world, typed)[:1] == [CAR.id]


@pytest.mark.parametrize(
    "typed", ["0114 496 0638", "01144960638", "+44 114 496 0638", "+44 (0)114 496 0638", "0044 114 4960638", "0114 496"]
)
def test_a_uk_phone_number_is_found_national_international_or_spaced(world: GraphStore, typed: str) -> None:
    assert _found(world, typed)[:1] == [PHONE.id]


@pytest.mark.parametrize("typed", ["zz247er", "ZZ24 7ER", "zz24   7er"])
def test_a_postcode_is_found_in_any_spacing_or_case(world: GraphStore, typed: str) -> None:
    assert _found(world, typed) == [MATEUSZ.id]


@pytest.mark.parametrize("typed", ["Holworth Mateusz", "mateusz holworth", "HOLWORTH, Mateusz", "Holworth M"])
def test_name_tokens_match_in_any_order_and_every_one_must_match(world: GraphStore, typed: str) -> None:
    assert _found(world, typed) == [MATEUSZ.id]


def test_a_token_that_matches_nothing_finds_nothing(world: GraphStore) -> None:
    assert _found(world, "Holworth Zebedee") == []


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("PN5627183", MATEUSZ),
        ("pn5627183", MATEUSZ),
        ("CS-982013", CHILD),
        ("VEL/PHV/00002", CAR),
    ],
)
def test_a_source_reference_finds_the_entity_its_record_made(world: GraphStore, typed: str, expected: Entity) -> None:
    assert _found(world, typed)[:1] == [expected.id]


def test_a_reference_respects_the_kinds_asked_for(world: GraphStore) -> None:
    assert _found(world, "PN5627183", kinds={"Vehicle"}) == []
    assert _found(world, "VEL/PHD/00002", kinds={"Licence"}) == [LICENCE.id]


def test_a_person_named_ranks_above_a_business_that_contains_the_word(world: GraphStore) -> None:
    hits = _found(world, "Holworth")
    assert set(hits) == {MATEUSZ.id, EDWARD.id, SHOP.id}
    assert hits[-1] == SHOP.id
    assert _found(world, "Holworth Stores")[:1] == [SHOP.id]  # the business named in full comes first


def test_a_whole_name_ranks_above_a_partial_one(world: GraphStore) -> None:
    assert _found(world, "Ann Lee") == [ANN.id, ANNABEL.id]
    assert _found(world, "lee ann") == [ANN.id, ANNABEL.id]


def test_the_limit_is_kept(world: GraphStore) -> None:
    assert len(_found(world, "Holworth", limit=2)) == 2


class _Spy:
    """A store that records every text its search is asked for."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self.asked: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def search(self, text: str, *, kinds: Collection[str] | None = None, limit: int = 20) -> list[Entity]:
        self.asked.append(text)
        return self._store.search(text, kinds=kinds, limit=limit)


def test_a_huge_query_is_cut_before_it_reaches_the_index(world: GraphStore) -> None:
    huge = "holworth " * 1200  # about 10,000 characters
    plan = plan_search(huge)
    assert len(plan.text) <= MAX_QUERY_CHARS
    assert len(plan.tokens) <= MAX_TOKENS and all(len(t) <= MAX_TOKEN_CHARS for t in plan.tokens)
    spy = _Spy(world)
    started = time.perf_counter()
    find_entities(spy, huge)  # type: ignore[arg-type]
    find_entities(spy, "x" * 10_000)  # type: ignore[arg-type]
    assert time.perf_counter() - started < 5
    assert spy.asked and max(len(t) for t in spy.asked) <= MAX_QUERY_CHARS


def test_empty_or_blank_text_finds_nothing(world: GraphStore) -> None:
    assert _found(world, "") == [] and _found(world, "   ") == []


def test_reference_sources_name_sources_and_kinds_the_ingest_specs_make() -> None:
    from ingest.mapping import load_specs

    specs = load_specs(load_schema())
    for source, kinds in REFERENCE_SOURCES.items():
        assert source in specs, f"{source} is not a source any ingest spec loads"
        made = {e.kind for e in specs[source].entities.values() if e.kind}
        assert set(kinds) <= made, (source, set(kinds) - made)
