"""The contextual-safeguarding view of one child, on a small world a reader can check by eye."""

from __future__ import annotations

import datetime as dt

import h3
import networkx as nx
import pytest

from analytics.safeguarding import child_safeguarding, missing_episodes

AS_OF = dt.date(2026, 6, 1)
HOTEL = (54.60, 0.70)
PARK = (54.65, 0.75)


def _world() -> nx.MultiDiGraph:
    """Amy (13) went missing twice, both times found at the Hotel; the first time with Dan.

    - e1: Amy missing (police and care each keep a link to it), found at the Hotel with Dan;
      return interview on 5 Jan: pull factors gifts and money, push factor conflict at home.
    - e2: Amy missing, found at the Hotel; pull factor money (no interview date recorded).
    - e3: Ben (14) missing, found at the Hotel: Ben shares a place with Amy.
    - e4: Cal (15) missing, found at the Park with Dan: Cal shares an adult with Amy.
    - Dan is an associate of Eve, a suspect in an incident. Gus, an adult, is Amy's associate.
    - Ida (12) is Amy's associate but known to no agency: not a peer.
    """
    G = nx.MultiDiGraph()
    people = {
        "amy": ("Amy", "2013-02-01"),
        "ben": ("Ben", "2012-03-01"),
        "cal": ("Cal", "2011-04-01"),
        "ida": ("Ida", "2014-01-01"),
        "dan": ("Dan", "1990-01-01"),
        "eve": ("Eve", "1985-01-01"),
        "gus": ("Gus", "1980-01-01"),
    }
    for node, (name, born) in people.items():
        G.add_node(node, kind="Person", label=name, date_of_birth=born)
    G.add_node("hotel", kind="Location", label="Hotel", latitude=HOTEL[0], longitude=HOTEL[1])
    G.add_node("park", kind="Location", label="Park", latitude=PARK[0], longitude=PARK[1])
    G.add_node(
        "e1",
        kind="MissingEpisode",
        label="MP1",
        reference="MP1",
        reported_at="2026-01-02T21:00:00",
        return_interview_on="2026-01-05",
        pull_factors=["gifts", "money"],
        push_factors=["conflict at home"],
    )
    G.add_node("e2", kind="MissingEpisode", label="MP2", reference="MP2", reported_at="2026-03-04T22:00:00")
    G.nodes["e2"]["pull_factors"] = ["Money"]
    G.add_node("e3", kind="MissingEpisode", label="MP3", reference="MP3", reported_at="2026-02-01T20:00:00")
    G.add_node("e4", kind="MissingEpisode", label="MP4", reference="MP4", reported_at="2026-02-10T20:00:00")
    G.add_node("i1", kind="Incident", label="CR1", occurred_at="2026-01-20T10:00:00", category="assault")
    edges = [
        ("amy", "e1", "police-link", "PARTY_TO", "missing"),
        ("amy", "e1", "care-link", "PARTY_TO", "missing"),  # the same episode, recorded by a second agency
        ("dan", "e1", "l3", "PARTY_TO", "found_with"),
        ("e1", "hotel", "l4", "OCCURRED_AT", "found"),
        ("e1", "hotel", "l4b", "OCCURRED_AT", "found"),  # and its found-place, twice
        ("amy", "e2", "l5", "PARTY_TO", "missing"),
        ("e2", "hotel", "l6", "OCCURRED_AT", "found"),
        ("ben", "e3", "l7", "PARTY_TO", "missing"),
        ("e3", "hotel", "l8", "OCCURRED_AT", "found"),
        ("cal", "e4", "l9", "PARTY_TO", "missing"),
        ("dan", "e4", "l10", "PARTY_TO", "found_with"),
        ("e4", "park", "l11", "OCCURRED_AT", "found"),
        ("dan", "eve", "l12", "ASSOCIATE_OF", None),
        ("eve", "i1", "l13", "PARTY_TO", "suspect"),
        ("gus", "amy", "l14", "ASSOCIATE_OF", None),
        ("ida", "amy", "l15", "ASSOCIATE_OF", None),
    ]
    for u, v, key, kind, role in edges:
        G.add_edge(u, v, key=key, kind=kind, **({"role": role} if role else {}))
    return G


def _view() -> dict[str, object]:
    hot = {h3.latlng_to_cell(HOTEL[0], HOTEL[1], 9)}
    return child_safeguarding(_world(), "amy", hot_cells=hot, as_of=AS_OF)


def test_episodes_are_counted_once_however_many_agencies_link_them() -> None:
    G = _world()
    assert missing_episodes(G, "amy") == ["e1", "e2"]  # oldest first, e1 once despite two links
    view = _view()
    counts = view["counts"]
    assert isinstance(counts, dict)
    assert counts["episodes"] == 2
    assert counts["return_interviews"] == 1
    episodes = view["episodes"]
    assert isinstance(episodes, list)
    first = episodes[0]
    assert first["reference"] == "MP1" and first["found_at"] == ["Hotel"] and first["found_with"] == ["Dan"]
    assert first["return_interview_on"] == "2026-01-05"


def test_factors_count_distinct_episodes_and_mark_exploitation() -> None:
    view = _view()
    assert view["pull_factors"] == [
        {"factor": "money", "episodes": 2, "exploitation": True},
        {"factor": "gifts", "episodes": 1, "exploitation": True},
    ]
    assert view["push_factors"] == [{"factor": "conflict at home", "episodes": 1}]


def test_places_count_distinct_episodes_and_other_children() -> None:
    places = _view()["places"]
    assert isinstance(places, list)
    assert [(p["label"], p["episodes"], p["other_children"], p["in_hotspot"]) for p in places] == [
        ("Hotel", 2, 1, True)  # two episodes (not three links); Ben was found there too
    ]
    assert places[0]["first_found"] == "2026-01-02T21:00:00" and places[0]["last_found"] == "2026-03-04T22:00:00"


def test_suspects_one_and_two_steps_away_say_what_links_them() -> None:
    suspects = _view()["suspects"]
    assert isinstance(suspects, list)
    assert [(s["label"], s["steps"], s["through"]) for s in suspects] == [
        ("Dan", 1, "found with"),  # found with Amy in e1
        ("Eve", 2, "Dan"),  # a suspect in an incident, associate of Dan
    ]
    assert "gus" not in {s["entity_id"] for s in suspects}  # an associate is not a suspect


def test_peers_are_known_children_sharing_a_place_or_an_adult() -> None:
    view = _view()
    peers = {p["label"]: p for p in view["peers"]}  # type: ignore[attr-defined]
    assert set(peers) == {"Ben", "Cal"}  # Ida is a child but known to no agency
    assert peers["Ben"]["shared_places"] == ["Hotel"] and peers["Ben"]["steps"] is None
    assert peers["Cal"]["shared_adults"] == ["Dan"] and peers["Cal"]["steps"] == 2
    assert view["counts"]["peers"] == 2  # type: ignore[index]


def test_the_network_ties_each_peer_to_the_drawing() -> None:
    network = _view()["network"]
    assert isinstance(network, list)
    assert network[0] == "amy"
    assert {"e1", "e2", "hotel", "dan", "ben", "e3", "cal", "e4"} <= set(network)
    assert len(network) == len(set(network))
    small = child_safeguarding(_world(), "amy", as_of=AS_OF, max_network=3)
    assert len(small["network"]) == 3


def test_a_child_with_no_episodes_has_an_empty_view_and_an_unknown_one_is_an_error() -> None:
    view = child_safeguarding(_world(), "ida", as_of=AS_OF)
    assert view["counts"]["episodes"] == 0 and view["places"] == [] and view["episodes"] == []
    with pytest.raises(KeyError):
        child_safeguarding(_world(), "nobody")
