"""Traversals on small graphs whose answers can be checked by eye."""

from __future__ import annotations

from collections.abc import Collection

import networkx as nx

from graph.traversal import find_shortest_paths, walk_neighbourhood


def neighbours_of(G: nx.Graph):  # type: ignore[no-untyped-def]
    """A store-like neighbours function over a NetworkX graph; link ids are 'u|v'."""

    def neighbours(ids: Collection[str]) -> list[tuple[str, str, str]]:
        wanted = set(ids)
        return [(f"{u}|{v}", u, v) for u, v in G.edges() if u in wanted or v in wanted]

    return neighbours


def named(G: nx.Graph) -> nx.Graph:
    return nx.relabel_nodes(G, {n: f"n{n}" for n in G.nodes})


def test_star_neighbourhood_is_the_hub_and_every_spoke() -> None:
    star = named(nx.star_graph(6))  # n0 is the hub
    reach = walk_neighbourhood("n0", neighbours_of(star), hops=1, max_nodes=100)
    assert set(reach.entity_ids) == {f"n{i}" for i in range(7)}
    assert len(reach.link_ids) == 6 and not reach.truncated
    from_spoke = walk_neighbourhood("n3", neighbours_of(star), hops=1, max_nodes=100)
    assert set(from_spoke.entity_ids) == {"n3", "n0"}


def test_path_graph_reaches_one_more_node_per_hop() -> None:
    path = named(nx.path_graph(6))
    for hops in range(6):
        reach = walk_neighbourhood("n0", neighbours_of(path), hops=hops, max_nodes=100)
        assert reach.entity_ids == tuple(f"n{i}" for i in range(min(hops, 5) + 1))


def test_the_cap_keeps_nearest_first() -> None:
    path = named(nx.path_graph(10))
    reach = walk_neighbourhood("n5", neighbours_of(path), hops=5, max_nodes=4)
    assert reach.truncated
    assert reach.entity_ids[0] == "n5" and set(reach.entity_ids[1:3]) == {"n4", "n6"}
    assert len(reach.entity_ids) == 4


def test_barbell_shortest_path_crosses_the_bar() -> None:
    G = named(nx.barbell_graph(4, 2))  # cliques n0-n3 and n6-n9, bar n4-n5
    [path] = find_shortest_paths("n0", "n9", neighbours_of(G), max_hops=10, max_paths=10)
    assert path.entities[0] == "n0" and path.entities[-1] == "n9"
    assert path.hops == nx.shortest_path_length(G, "n0", "n9") == 5
    assert {"n3", "n4", "n5", "n6"} <= set(path.entities)


def test_two_cliques_joined_by_one_broker_route_every_path_through_the_broker() -> None:
    G = nx.Graph()
    G.add_edges_from((f"a{i}", f"a{j}") for i in range(4) for j in range(i + 1, 4))
    G.add_edges_from((f"b{i}", f"b{j}") for i in range(4) for j in range(i + 1, 4))
    G.add_edges_from([("a0", "broker"), ("broker", "b0")])
    found = find_shortest_paths("a1", "b2", neighbours_of(G), max_hops=6, max_paths=50)
    assert found and all("broker" in p.entities for p in found)
    assert {p.hops for p in found} == {4}
    expected = {tuple(p) for p in nx.all_shortest_paths(G, "a1", "b2")}
    assert {p.entities for p in found} == expected


def test_paths_match_networkx_on_a_random_graph() -> None:
    G = named(nx.gnm_random_graph(60, 120, seed=7))
    neighbours = neighbours_of(G)
    for target in ("n10", "n33", "n59"):
        found = find_shortest_paths("n0", target, neighbours, max_hops=12, max_paths=1000)
        if nx.has_path(G, "n0", target):
            assert {p.entities for p in found} == {tuple(p) for p in nx.all_shortest_paths(G, "n0", target)}
        else:
            assert found == []
