"""Store contract: one fact, one line. After resolution, the links each record brought of the same
kind between the same two entities are read as one link with all their sources, in every read.
Parametrised over stores (embedded SQLite and Neo4j over Bolt) by the ``store`` fixture."""

from __future__ import annotations

import pytest

from graph import Provenance, new_entity, new_link
from graph.records import Link
from graph.store import GraphStore

P_POLICE = Provenance("police_missing", "MP1", "2026-01-05T10:00:00+00:00")
P_CARE = Provenance("care_return_interviews", "RI1", "2026-01-06T10:00:00+00:00")
P_NOMINAL = Provenance("police_nominals", "PN1", "2026-01-05T09:00:00+00:00")
P_CHILD = Provenance("care_children", "CS-1", "2026-01-06T09:00:00+00:00")


def _world(store: GraphStore) -> dict[str, str]:
    """One child known to police and care, each record linked to the same episode, home and friend
    (the friend's association recorded once each way round), and a suspect found with the child."""
    police = new_entity("Person", {"ref": "police:PN1", "full_name": "Ada Example"}, provenance=P_NOMINAL)
    care = new_entity("Person", {"ref": "care:CS-1", "full_name": "Ada Exampel"}, provenance=P_CHILD)
    friend = new_entity("Person", {"ref": "police:PN2", "full_name": "Bo Friend"}, provenance=P_NOMINAL)
    episode = new_entity("MissingEpisode", {"reference": "MP1"}, provenance=P_POLICE)
    home = new_entity("Location", {"address": "1 Example Row", "postcode": "ZZ1 1AA"}, provenance=P_NOMINAL)
    found = new_entity("Location", {"address": "9 Far Lane", "postcode": "ZZ9 9ZZ"}, provenance=P_POLICE)
    links = [
        new_link("PARTY_TO", police.id, episode.id, {"role": "missing"}, provenance=P_POLICE, first_seen="2025-03-01"),
        new_link("PARTY_TO", care.id, episode.id, {"role": "missing"}, provenance=P_CARE, last_seen="2025-03-09"),
        # the same pair in another role is another fact
        new_link("PARTY_TO", care.id, episode.id, {"role": "other"}, provenance=P_CARE),
        new_link("LIVES_AT", police.id, home.id, {"from_date": "2020-01-01"}, provenance=P_NOMINAL),
        new_link("LIVES_AT", care.id, home.id, {"to_date": "2025-12-31"}, provenance=P_CHILD),
        new_link("ASSOCIATE_OF", police.id, friend.id, provenance=P_NOMINAL),
        new_link("ASSOCIATE_OF", friend.id, care.id, provenance=P_CHILD),
        new_link("OCCURRED_AT", episode.id, found.id, {"role": "found"}, provenance=P_POLICE),
    ]
    store.upsert([police, care, friend, episode, home, found], links)
    ids = {
        "police": police.id,
        "care": care.id,
        "friend": friend.id,
        "episode": episode.id,
        "home": home.id,
        "found": found.id,
    }
    ids.update({f"link{i}": ln.id for i, ln in enumerate(links)})
    return ids


def _merge(store: GraphStore, ids: dict[str, str]) -> None:
    store.set_canonical({ids["care"]: ids["police"], ids["police"]: ids["police"]}, run_id="r1")


def _shape(links: list[Link] | tuple[Link, ...]) -> list[tuple[str, frozenset[str], str]]:
    return sorted((ln.kind, frozenset((ln.source, ln.target)), str(ln.properties.get("role", ""))) for ln in links)


def test_the_neighbourhood_shows_each_fact_once_with_all_its_sources(store: GraphStore) -> None:
    ids = _world(store)
    _merge(store, ids)
    sub = store.neighbourhood(ids["police"], hops=1)
    shapes = _shape(sub.links)
    assert len(shapes) == len(set(shapes)) == 4  # missing, other, lives at, associate
    missing = next(ln for ln in sub.links if ln.kind == "PARTY_TO" and ln.properties["role"] == "missing")
    assert missing.id == min(ids["link0"], ids["link1"])  # the fact keeps its first link's id
    assert {p.record_id for p in missing.provenance} == {"MP1", "RI1"}
    assert (missing.first_seen, missing.last_seen) == ("2025-03-01", "2025-03-09")
    home = next(ln for ln in sub.links if ln.kind == "LIVES_AT")
    assert dict(home.properties) == {"from_date": "2020-01-01", "to_date": "2025-12-31"}
    assert {p.record_id for p in home.provenance} == {"PN1", "CS-1"}
    friend = next(ln for ln in sub.links if ln.kind == "ASSOCIATE_OF")
    assert {p.record_id for p in friend.provenance} == {"PN1", "CS-1"}  # symmetric: either way round is one


def test_get_links_answers_any_link_of_a_fact_by_that_fact_once(store: GraphStore) -> None:
    ids = _world(store)
    _merge(store, ids)
    fact_id = min(ids["link0"], ids["link1"])
    got = store.get_links([ids["link1"], ids["link0"], ids["link2"], "nothing"])
    assert [ln.id for ln in got] == [fact_id, ids["link2"]]
    assert {p.record_id for p in got[0].provenance} == {"MP1", "RI1"}
    assert store.get_link(ids["link2"]) is not None and store.get_link(ids["link2"]).properties["role"] == "other"  # type: ignore[union-attr]


def test_the_networkx_export_has_one_edge_per_fact(store: GraphStore) -> None:
    ids = _world(store)
    _merge(store, ids)
    for G in (store.to_networkx(provenance=True), store.to_networkx(entity_ids=list(ids.values()), provenance=True)):
        facts = [(u, v, d["kind"], d.get("role")) for u, v, d in G.edges(data=True)]
        assert len(facts) == len(set(facts)) == 5
        edges = G.get_edge_data(ids["police"], ids["episode"])
        assert sorted(d["role"] for d in edges.values()) == ["missing", "other"]
        missing = next(key for key, d in edges.items() if d["role"] == "missing")
        assert missing == min(ids["link0"], ids["link1"])
        assert sorted(r for _, r, _ in edges[missing]["provenance"]) == ["MP1", "RI1"]
        assert (edges[missing]["first_seen"], edges[missing]["last_seen"]) == ("2025-03-01", "2025-03-09")
        associates = [k for u, v, k, d in G.edges(keys=True, data=True) if d["kind"] == "ASSOCIATE_OF"]
        assert len(associates) == 1


def test_counts_count_facts(store: GraphStore) -> None:
    ids = _world(store)
    assert dict(store.counts().links) == {"PARTY_TO": 3, "LIVES_AT": 2, "ASSOCIATE_OF": 2, "OCCURRED_AT": 1}
    _merge(store, ids)
    assert dict(store.counts().links) == {"PARTY_TO": 2, "LIVES_AT": 1, "ASSOCIATE_OF": 1, "OCCURRED_AT": 1}


def test_no_two_paths_pass_the_same_entities_through_the_same_kinds(store: GraphStore) -> None:
    ids = _world(store)
    _merge(store, ids)
    paths = store.shortest_paths(ids["care"], ids["found"], max_hops=3)
    assert [p.entities for p in paths] == [(ids["police"], ids["episode"], ids["found"])]
    (path,) = paths
    # the step from child to episode is one of its facts; the store answers it with every source
    (step,) = store.get_links([path.links[0]])
    assert step.kind == "PARTY_TO" and step.id == path.links[0]


@pytest.mark.parametrize("hops", [1, 2])
def test_a_split_gives_each_record_its_own_links_again(store: GraphStore, hops: int) -> None:
    ids = _world(store)
    _merge(store, ids)
    store.set_canonical({ids["care"]: ids["care"]}, run_id="split")
    sub = store.neighbourhood(ids["episode"], hops=hops)
    missing = sorted(ln.id for ln in sub.links if ln.kind == "PARTY_TO" and ln.properties["role"] == "missing")
    assert missing == sorted((ids["link0"], ids["link1"]))
    assert dict(store.counts().links)["PARTY_TO"] == 3
