"""Store contract for entity resolution: records stay, a canonical entity stands for them, and a
merge can be undone without reloading. Parametrised over stores by the ``store`` fixture."""

from __future__ import annotations

import dataclasses

import pytest

from graph import InvalidRecord, Provenance, StoreConfigError, StoreError, UnknownEntity, new_entity, new_link
from graph.store import GraphStore

T0 = "2026-01-05T10:00:00+00:00"
P_NOMINAL = Provenance("police_nominals", "PN1", T0)
P_CHILD = Provenance("care_children", "CS-1", "2026-01-06T10:00:00+00:00")
P_ASSOC = Provenance("police_associations", "row-2", T0)


def _world(store: GraphStore) -> dict[str, str]:
    """Two records of one child (police and care), a suspect linked to the police record, a car
    linked to the care record."""
    police = new_entity("Person", {"ref": "police:PN1", "full_name": "Ada Example"}, provenance=P_NOMINAL)
    care = new_entity("Person", {"ref": "care:CS-1", "full_name": "Ada Exampel"}, provenance=P_CHILD)
    suspect = new_entity("Person", {"ref": "police:PN2", "full_name": "Bo Other"}, provenance=P_NOMINAL)
    car = new_entity("Vehicle", {"vrm": "ZA12BCD"}, provenance=P_CHILD)
    links = [
        new_link("ASSOCIATE_OF", police.id, suspect.id, provenance=P_ASSOC),
        new_link("USES_VEHICLE", care.id, car.id, {"role": "passenger"}, provenance=P_CHILD),
    ]
    store.upsert([police, care, suspect, car], links)
    return {"police": police.id, "care": care.id, "suspect": suspect.id, "car": car.id}


def test_merging_moves_links_to_the_canonical_entity_and_keeps_every_record(store: GraphStore) -> None:
    ids = _world(store)
    assert store.counts().entities["Person"] == 3
    changed = store.set_canonical({ids["care"]: ids["police"], ids["police"]: ids["police"]}, run_id="r1")
    assert changed == 1
    assert store.counts().entities["Person"] == 2
    merged = store.get_entity(ids["care"])
    assert merged is not None and merged.id == ids["police"]
    assert {p.record_id for p in merged.provenance} == {"PN1", "CS-1"}
    sub = store.neighbourhood(ids["police"], hops=1)
    assert {e.id for e in sub.entities} == {ids["police"], ids["suspect"], ids["car"]}
    G = store.to_networkx()
    assert ids["care"] not in G and G.has_edge(ids["police"], ids["car"])
    assert [e.id for e in store.search("exampel")] == [ids["police"]]  # found by the merged record's name
    assert store.canonical_ids([ids["care"], ids["suspect"]]) == {
        ids["care"]: ids["police"],
        ids["suspect"]: ids["suspect"],
    }
    records = {e.id: e.merged_into for e in store.records_of_kind("Person")}
    assert records == {ids["police"]: None, ids["care"]: ids["police"], ids["suspect"]: None}


def test_reloading_a_merged_record_changes_nothing(store: GraphStore) -> None:
    ids = _world(store)
    store.set_canonical({ids["care"]: ids["police"]}, run_id="r1")
    before = (store.counts(), sorted(store.to_networkx().edges(keys=True)))
    _world(store)
    assert (store.counts(), sorted(store.to_networkx().edges(keys=True))) == before


def test_a_link_loaded_after_the_merge_lands_on_the_canonical_entity(store: GraphStore) -> None:
    ids = _world(store)
    store.set_canonical({ids["care"]: ids["police"]}, run_id="r1")
    phone = new_entity("Phone", {"number": "+447700900123"}, provenance=P_CHILD)
    store.upsert([phone], [new_link("USES_PHONE", ids["care"], phone.id, provenance=P_CHILD)])
    assert store.to_networkx().has_edge(ids["police"], phone.id)


def test_splitting_restores_the_records_own_links(store: GraphStore) -> None:
    ids = _world(store)
    before = sorted(store.to_networkx().edges(keys=True))
    store.set_canonical({ids["care"]: ids["police"]}, run_id="r1")
    assert store.set_canonical({ids["care"]: ids["care"]}, run_id="split") == 1
    assert sorted(store.to_networkx().edges(keys=True)) == before
    assert store.counts().entities["Person"] == 3
    restored = store.get_entity(ids["care"])
    assert (
        restored is not None and restored.id == ids["care"] and {p.record_id for p in restored.provenance} == {"CS-1"}
    )


def test_records_follow_a_canonical_entity_that_is_merged_in_turn(store: GraphStore) -> None:
    ids = _world(store)
    store.set_canonical({ids["care"]: ids["police"]}, run_id="r1")
    store.set_canonical({ids["police"]: ids["suspect"]}, run_id="r2")
    assert store.canonical_ids([ids["care"], ids["police"]]) == {
        ids["care"]: ids["suspect"],
        ids["police"]: ids["suspect"],
    }
    assert store.counts().entities["Person"] == 1
    assert store.to_networkx().has_edge(ids["suspect"], ids["car"])


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("unknown record", "not stored"),
        ("vehicle into person", "cannot merge a Vehicle into a Person"),
        ("into a merged record", "must stand for itself"),
    ],
)
def test_bad_assignments_are_refused_whole(store: GraphStore, case: str, reason: str) -> None:
    ids = _world(store)
    store.set_canonical({ids["care"]: ids["police"]}, run_id="r1")
    assignments = {
        "unknown record": {"person-unknown": ids["police"], ids["suspect"]: ids["police"]},
        "vehicle into person": {ids["car"]: ids["suspect"]},
        "into a merged record": {ids["suspect"]: ids["care"]},
    }[case]
    before = store.canonical_ids(ids.values())
    with pytest.raises(InvalidRecord, match=reason):
        store.set_canonical(assignments, run_id="bad")
    assert store.canonical_ids(ids.values()) == before


def test_find_by_source_maps_source_records_to_entities_of_a_kind(store: GraphStore) -> None:
    ids = _world(store)
    assert store.find_by_source("care_children", ["CS-1", "CS-404"], kind="Person") == {"CS-1": ids["care"]}
    assert store.find_by_source("care_children", ["CS-1"], kind="Vehicle") == {"CS-1": ids["car"]}


def test_judgements_are_kept_and_need_stored_records(store: GraphStore) -> None:
    ids = _world(store)
    made = store.add_judgement(ids["police"], ids["care"], "different", reference="CASE-12")
    assert [(j.first, j.second, j.verdict) for j in store.judgements()] == [(made.first, made.second, "different")]
    store.add_judgement(ids["care"], ids["police"], "same", reference="CASE-13")
    assert [j.verdict for j in store.judgements()] == ["same"]
    with pytest.raises(UnknownEntity):
        store.add_judgement(ids["police"], "person-nobody", "same", reference="CASE-14")


def test_erasing_a_merged_entity_erases_every_record_of_it(store: GraphStore) -> None:
    ids = _world(store)
    store.set_canonical({ids["care"]: ids["police"]}, run_id="r1")
    store.erase_entity(ids["care"], reason="subject_request", reference="SAR-1")
    assert store.get_entity(ids["police"]) is None and store.get_entity(ids["care"]) is None
    assert {e.id for e in store.records_of_kind("Person")} == {ids["suspect"]}
    assert store.search("exampel") == []


def test_an_erased_entity_and_every_record_merged_into_it_are_never_stored_again(store: GraphStore) -> None:
    ids = _world(store)
    store.set_canonical({ids["care"]: ids["police"]}, run_id="r1")
    record = store.erase_entity(ids["police"], reason="subject_request", reference="SAR-2")
    assert store.erased_ids() == {ids["police"]: record.erasure_id, ids["care"]: record.erasure_id}
    assert store.erased_ids([ids["care"], ids["suspect"], "person-nobody"]) == {ids["care"]: record.erasure_id}
    again = new_entity("Person", {"ref": "care:CS-1", "full_name": "Ada Exampel"}, provenance=P_CHILD)
    other = new_entity("Person", {"ref": "police:PN9", "full_name": "Cy Newcomer"}, provenance=P_NOMINAL)
    with pytest.raises(InvalidRecord, match=f"erased \\(erasure {record.erasure_id}\\)"):
        store.upsert([other, again])
    assert store.get_entity(other.id) is None  # the batch was refused whole
    store.upsert([other])
    assert store.get_entity(ids["care"]) is None and store.get_entity(other.id) is not None


def test_records_and_links_as_loaded_survive_a_merge_for_a_copy(store: GraphStore) -> None:
    ids = _world(store)
    store.set_canonical({ids["care"]: ids["police"]}, run_id="r1")
    records = {e.id: e for e in store.records_of_kind("Person", provenance=True)}
    assert [e.id for e in store.records_of_kind("Person")] == sorted(records)
    # each record keeps its own source, not the canonical entity's gathered ones
    assert [p.record_id for p in records[ids["care"]].provenance] == ["CS-1"]
    assert records[ids["care"]].merged_into == ids["police"] and records[ids["care"]].properties["ref"] == "care:CS-1"
    assert all(e.provenance == () for e in store.records_of_kind("Person"))
    [used] = store.links_of_kind("USES_VEHICLE")
    # the link is stored on the canonical entity but listed between the records it was loaded with
    assert (used.source, used.target) == (ids["care"], ids["car"])
    assert used.properties == {"role": "passenger"} and [p.record_id for p in used.provenance] == ["CS-1"]
    assert list(store.links_of_kind("FAMILY_OF")) == []


def test_copied_judgements_and_erasure_records_keep_their_times(store: GraphStore) -> None:
    ids = _world(store)
    made = store.add_judgement(ids["police"], ids["care"], "same", reference="CASE-1", decided_at="2025-02-03T04:05:06")
    assert made.decided_at == "2025-02-03T04:05:06" and store.judgements() == [made]
    record = store.erase_entity(ids["suspect"], reason="court_order", reference="CO-9")
    copy = dataclasses.replace(record, erasure_id="e" * 32, erased_at="2024-01-01T00:00:00+00:00")
    assert store.keep_erasure_records([record, copy], {"person-" + "0" * 24: copy.erasure_id}) == 1
    assert store.keep_erasure_records([copy], {"person-" + "0" * 24: "f" * 32}) == 0
    assert store.erasures() == [copy, record]
    assert store.erased_ids() == {ids["suspect"]: record.erasure_id, "person-" + "0" * 24: copy.erasure_id}


def test_a_lifted_erasure_lets_its_records_be_stored_again_and_keeps_its_record(store: GraphStore) -> None:
    ids = _world(store)
    store.set_canonical({ids["care"]: ids["police"]}, run_id="r1")
    record = store.erase_entity(ids["police"], reason="subject_request", reference="SAR-3")
    kept = store.erase_entity(ids["suspect"], reason="retention_review", reference="RR-1")
    with pytest.raises(StoreConfigError, match="reason"):
        store.lift_erasure(record.erasure_id, reason="changed_my_mind", reference="L-1")  # type: ignore[arg-type]
    with pytest.raises(StoreConfigError, match="reference"):
        store.lift_erasure(record.erasure_id, reason="erased_in_error", reference="Ada Example")
    with pytest.raises(StoreError, match="no erasure 'nothing'"):
        store.lift_erasure("nothing", reason="erased_in_error", reference="L-1")
    assert store.erased_ids() == {
        ids["police"]: record.erasure_id,
        ids["care"]: record.erasure_id,
        ids["suspect"]: kept.erasure_id,
    }

    lifted = store.lift_erasure(record.erasure_id, reason="erased_in_error", reference="DPO-2026/12")
    assert (lifted.lift_reason, lifted.lift_reference) == ("erased_in_error", "DPO-2026/12")
    assert lifted.lifted_at is not None and lifted.lifted_at >= record.erased_at
    assert dataclasses.replace(lifted, lifted_at=None, lift_reason=None, lift_reference=None) == record
    assert store.erasures() == sorted([lifted, kept], key=lambda r: (r.erased_at, r.erasure_id))
    assert store.erased_ids() == {ids["suspect"]: kept.erasure_id}  # only the lifted erasure's ids are freed
    with pytest.raises(StoreError, match=f"erasure {record.erasure_id} was lifted at"):
        store.lift_erasure(record.erasure_id, reason="court_order", reference="CO-2")
    # nothing comes back by itself; a reload stores the records again
    assert store.get_entity(ids["care"]) is None
    _world_without_suspect(store)
    assert store.get_entity(ids["police"]) is not None and store.get_entity(ids["care"]) is not None


def test_a_copied_lifted_erasure_keeps_its_lift(store: GraphStore) -> None:
    ids = _world(store)
    record = store.erase_entity(ids["suspect"], reason="court_order", reference="CO-9")
    lifted = dataclasses.replace(
        record,
        erasure_id="e" * 32,
        lifted_at="2026-02-01T00:00:00+00:00",
        lift_reason="court_order",
        lift_reference="CO-10",
    )
    assert store.keep_erasure_records([lifted]) == 1
    assert store.erasures() == sorted([record, lifted], key=lambda r: (r.erased_at, r.erasure_id))
    # a record held already is skipped, lift and all
    assert store.keep_erasure_records([dataclasses.replace(record, lifted_at=lifted.lifted_at)]) == 0
    assert [r.lifted_at for r in store.erasures() if r.erasure_id == record.erasure_id] == [None]


def _world_without_suspect(store: GraphStore) -> None:
    police = new_entity("Person", {"ref": "police:PN1", "full_name": "Ada Example"}, provenance=P_NOMINAL)
    care = new_entity("Person", {"ref": "care:CS-1", "full_name": "Ada Exampel"}, provenance=P_CHILD)
    store.upsert([police, care])
