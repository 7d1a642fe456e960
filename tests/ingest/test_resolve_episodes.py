"""One episode: a care return interview that names no police reference joins the police episode of
the same resolved child reported missing on the same day. Run over both stores."""

from __future__ import annotations

from graph import Entity, Provenance, new_entity, new_link
from graph.store import GraphStore
from ingest.resolve import resolve_episodes

NOMINAL = Provenance("police_nominals", "PN1", "2026-01-01T00:00:00+00:00")
CHILD = Provenance("care_children", "CS-1", "2026-01-02T00:00:00+00:00")
OTHER = Provenance("care_children", "CS-2", "2026-01-02T00:00:00+00:00")


def _report(ref: str, reported_at: str) -> tuple[Entity, Provenance]:
    prov = Provenance("police_missing", ref, "2026-01-01T00:00:00+00:00")
    episode = new_entity(
        "MissingEpisode", {"reference": ref, "reported_at": reported_at}, provenance=prov, first_seen=reported_at
    )
    return episode, prov


def _interview(ref: str, missing_date: str, held: str, pull: list[str]) -> tuple[Entity, Provenance]:
    prov = Provenance("care_return_interviews", ref, "2026-01-02T00:00:00+00:00")
    episode = new_entity(
        "MissingEpisode",
        {"reference": ref, "return_interview_on": held, "pull_factors": pull},
        provenance=prov,
        first_seen=missing_date,
    )
    return episode, prov


def _world(store: GraphStore) -> dict[str, str]:
    """Ada (a police and a care record, resolved into one) went missing on 1 March and 9 March; the
    care interviews name no police reference: one is about 1 March, one about 2 March. Bo, another
    child, has an interview about 1 March too."""
    police = new_entity("Person", {"ref": "police:PN1", "full_name": "Ada Example"}, provenance=NOMINAL)
    care = new_entity("Person", {"ref": "care:CS-1", "full_name": "Ada Exampel"}, provenance=CHILD)
    other = new_entity("Person", {"ref": "care:CS-2", "full_name": "Bo Other"}, provenance=OTHER)
    mp1, p1 = _report("MP100001", "2025-03-01T23:40:00")
    mp2, p2 = _report("MP100002", "2025-03-09T21:00:00")
    ri1, q1 = _interview("RI000001", "2025-03-01", "2025-03-04", ["gifts"])
    ri2, q2 = _interview("RI000002", "2025-03-02", "2025-03-05", [])
    ri3, q3 = _interview("RI000003", "2025-03-01", "2025-03-03", [])
    missing = {"role": "missing"}
    links = [
        new_link("PARTY_TO", police.id, mp1.id, missing, provenance=p1),
        new_link("PARTY_TO", police.id, mp2.id, missing, provenance=p2),
        new_link("PARTY_TO", care.id, ri1.id, missing, provenance=q1),
        new_link("PARTY_TO", care.id, ri2.id, missing, provenance=q2),
        new_link("PARTY_TO", other.id, ri3.id, missing, provenance=q3),
    ]
    store.upsert([police, care, other, mp1, mp2, ri1, ri2, ri3], links)
    store.set_canonical({care.id: police.id}, run_id="people")
    names = ("police", "care", "other", "mp1", "mp2", "ri1", "ri2", "ri3")
    return dict(zip(names, (e.id for e in (police, care, other, mp1, mp2, ri1, ri2, ri3)), strict=True))


def test_an_interview_without_a_police_reference_joins_the_same_childs_episode_of_that_day(store: GraphStore) -> None:
    ids = _world(store)
    report = resolve_episodes(store, run_id="episodes")
    assert (report.records, report.clusters, report.records_moved, report.pairs_linked) == (5, 4, 1, 1)
    canonical = store.canonical_ids([ids["ri1"], ids["ri2"], ids["ri3"]])
    assert canonical == {ids["ri1"]: ids["mp1"], ids["ri2"]: ids["ri2"], ids["ri3"]: ids["ri3"]}
    assert store.counts().entities["MissingEpisode"] == 4
    # the episode keeps what the interview alone recorded, and both sources
    episode = store.get_entity(ids["ri1"])
    assert episode is not None and episode.id == ids["mp1"]
    assert episode.properties["reference"] == "MP100001" and episode.properties["return_interview_on"] == "2025-03-04"
    assert {p.record_id for p in episode.provenance} == {"MP100001", "RI000001"}
    G = store.to_networkx()
    assert G.nodes[ids["mp1"]]["return_interview_on"] == "2025-03-04" and ids["ri1"] not in G
    assert G.nodes[ids["mp1"]]["pull_factors"] == ["gifts"]
    part = store.to_networkx(entity_ids=[ids["police"], ids["mp1"]])
    assert part.nodes[ids["mp1"]]["return_interview_on"] == "2025-03-04"
    # one line from the child to the episode, not one per agency
    assert len(G.get_edge_data(ids["police"], ids["mp1"])) == 1


def test_resolving_episodes_again_changes_nothing(store: GraphStore) -> None:
    ids = _world(store)
    first = resolve_episodes(store, run_id="one")
    again = resolve_episodes(store, run_id="two")
    assert again.records_moved == 0 and (again.clusters, again.pairs_linked) == (first.clusters, 1)
    assert store.canonical_ids([ids["ri1"]]) == {ids["ri1"]: ids["mp1"]}


def test_an_interview_matching_two_police_episodes_is_left_alone(store: GraphStore) -> None:
    ids = _world(store)
    mp3, p3 = _report("MP100003", "2025-03-01T08:00:00")
    store.upsert([mp3], [new_link("PARTY_TO", ids["police"], mp3.id, {"role": "missing"}, provenance=p3)])
    report = resolve_episodes(store, run_id="episodes")
    assert report.ambiguous == 1 and report.records_moved == 0
    assert store.canonical_ids([ids["ri1"]]) == {ids["ri1"]: ids["ri1"]}


def test_an_analysts_different_judgement_keeps_them_apart(store: GraphStore) -> None:
    ids = _world(store)
    store.add_judgement(ids["ri1"], ids["mp1"], "different", reference="CASE-7")
    report = resolve_episodes(store, run_id="episodes")
    assert report.records_moved == 0 and report.judgements_applied == 1


def test_a_police_episode_whose_interview_is_recorded_takes_no_other(store: GraphStore) -> None:
    ids = _world(store)
    # an interview named MP100001's reference, so that episode has its return interview already
    named = new_entity(
        "MissingEpisode",
        {"reference": "MP100001", "return_interview_on": "2025-03-03"},
        provenance=Provenance("care_return_interviews", "RI000009", "2026-01-02T00:00:00+00:00"),
    )
    store.upsert([named])
    report = resolve_episodes(store, run_id="episodes")
    assert report.records_moved == 0 and report.pairs_linked == 0
    assert store.canonical_ids([ids["ri1"]]) == {ids["ri1"]: ids["ri1"]}
