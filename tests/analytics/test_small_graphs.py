"""Each analytic on small graphs whose right answer a reader can check by eye."""

from __future__ import annotations

import networkx as nx
import pytest

from analytics import igraph_backend
from analytics.disruption import simulate_disruption, tactics_from_mapping
from analytics.groups import find_groups
from analytics.key_players import brokerage, find_key_player_set, fragmentation, rank_key_players
from analytics.rules import InvalidRules


def _weighted(G: nx.Graph) -> nx.Graph:
    nx.set_edge_attributes(G, 1.0, "weight")
    return G


def _two_cliques_and_a_broker() -> nx.Graph:
    """Cliques {a1..a4} and {b1..b4}; ``broker`` is tied to a1 and b1 only."""
    G = nx.complete_graph([f"a{i}" for i in range(1, 5)])
    G.add_edges_from(nx.complete_graph([f"b{i}" for i in range(1, 5)]).edges)
    G.add_edges_from([("broker", "a1"), ("broker", "b1")])
    return _weighted(G)


def test_the_centre_of_a_star_is_the_key_player() -> None:
    star = _weighted(nx.star_graph(5))
    ranked = rank_key_players(star)
    assert ranked[0][0] == 0
    assert ranked[0][2]["betweenness"] == pytest.approx(1.0)
    assert all(measures["betweenness"] == 0.0 for node, _, measures in ranked if node != 0)
    assert find_key_player_set(star, 1) == ([0], 1.0)


def test_on_a_path_the_middle_brokers_and_the_ends_do_not() -> None:
    path = _weighted(nx.path_graph(5))
    between = igraph_backend.betweenness(path)
    assert between == pytest.approx(nx.betweenness_centrality(path))
    assert between[2] == max(between.values())
    assert between[0] == between[4] == 0.0
    assert fragmentation(path, [2]) == pytest.approx(1 - 4 / 12)  # two pairs of two remain connected


def test_sampled_betweenness_with_every_source_equals_the_exact_value() -> None:
    G = _weighted(nx.barbell_graph(5, 2))
    assert igraph_backend.betweenness(G, sources=list(G)) == pytest.approx(nx.betweenness_centrality(G))


def test_removing_the_bar_of_a_barbell_splits_it_in_two() -> None:
    barbell = _weighted(nx.barbell_graph(4, 1))  # cliques 0-3 and 5-8 joined through node 4
    chosen, frag = find_key_player_set(barbell, 1)
    assert chosen == [4]
    assert frag == pytest.approx(1 - 2 * (4 * 3) / (8 * 7))
    measures = {node: values for node, _, values in rank_key_players(barbell)}
    assert max(measures, key=lambda n: measures[n]["betweenness"]) == 4
    assert {n for n in measures if measures[n]["degree"] == 4} == {3, 5}  # the bells' door-keepers


def test_two_cliques_are_two_groups_and_the_broker_is_the_key_player() -> None:
    G = _two_cliques_and_a_broker()
    groups = find_groups(G, seed=3)
    assert len(groups) == 2
    assert {frozenset(g) - {"broker"} for g in groups} == {
        frozenset({"a1", "a2", "a3", "a4"}),
        frozenset({"b1", "b2", "b3", "b4"}),
    }
    assert find_key_player_set(G, 1)[0] == ["broker"]
    reach = brokerage(G, groups)
    assert reach["broker"] == 1
    assert reach["a2"] == 0 and reach["b3"] == 0


def test_groups_are_the_same_with_the_same_seed() -> None:
    G = _weighted(nx.connected_caveman_graph(6, 5))
    assert find_groups(G, seed=7) == find_groups(G, seed=7)
    assert len(find_groups(G, seed=7)) == 6


def test_groups_need_a_seed_person_when_seeds_are_given() -> None:
    G = _two_cliques_and_a_broker()
    groups = find_groups(G, seeds=["a2"], hops=1, seed=1)  # b-clique is more than one hop from a2
    assert [sorted(g) for g in groups] == [["a1", "a2", "a3", "a4"]]


def test_cutting_the_driver_cuts_the_child_off() -> None:
    D = nx.Graph([("child", "episode"), ("episode", "driver"), ("driver", "organiser"), ("organiser", "associate")])
    for n in D:
        D.nodes[n]["kind"] = "MissingEpisode" if n == "episode" else "Person"
    effect = simulate_disruption(D, ["driver"], children=["child"], suspects=["organiser", "associate"])
    assert effect["children_cut_off"] == 1
    assert effect["paths_before"] == 2 and effect["paths_broken"] == 2
    assert effect["largest_before"] == 4 and effect["largest_after"] == 2
    assert effect["shrinkage"] == 0.5
    unaffected = simulate_disruption(D, ["associate"], children=["child"], suspects=["organiser", "associate"])
    assert unaffected["children_cut_off"] == 0 and unaffected["paths_broken"] == 1


def test_a_tactic_must_say_what_it_removes() -> None:
    with pytest.raises(InvalidRules, match="removes"):
        tactics_from_mapping({"Person": [{"name": "x", "removes": ["everything"], "description": "d", "needs": "n"}]})
    with pytest.raises(InvalidRules, match="needs name"):
        tactics_from_mapping({"Person": [{"name": "x"}]})
