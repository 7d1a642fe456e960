"""Rankings at two levels, on networks whose central people are published.

The network-wide ranking (``network_ranking``) measures every person on the whole person network,
so its scores are comparable across groups; the ranking inside each group (``key_players``) keeps
its own scores but reports each person's true degree. Each published network is imported as an
analyst imports an edge list (``Other`` nodes joined by ``RELATED_TO`` links, into a real store)
and analysed by :func:`analyse`, as ``disrupt analyse`` runs it.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd
import pytest

from analytics.analysis import RESULT_NAMES, analyse
from analytics.key_players import MEASURE_MEANINGS, NETWORK_MEASURES, rank_network
from graph import open_store
from graph.result_rows import NetworkRankRow
from ingest.graph_import import import_edge_list


def _imported(H: nx.Graph, tmp_path: Path, *, weighted: bool = False) -> nx.MultiDiGraph:
    """``H`` written as an edge list, imported with ``import_edge_list`` and read back as analysis reads it."""
    edges = tmp_path / "edges.csv"
    with open(edges, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["source", "target", "weight"] if weighted else ["source", "target"])
        for u, v, d in H.edges(data=True):
            writer.writerow([u, v, d["weight"]] if weighted else [u, v])
    store = open_store(f"sqlite:///{tmp_path / 'graph.db'}")
    try:
        import_edge_list(store, edges, tmp_path / "work")
        return store.to_networkx(provenance=True)
    finally:
        store.close()


def _names(G: nx.MultiDiGraph, rows: list[NetworkRankRow]) -> list[str]:
    return [str(G.nodes[r.entity_id]["name"]) for r in rows]


def _spearman(rows: list[dict[str, Any]], a: str, b: str) -> float:
    frame = pd.DataFrame(rows)
    return float(frame[a].corr(frame[b], method="spearman"))


def test_the_medici_are_first_in_the_florentine_marriage_network(tmp_path: Path) -> None:
    G = _imported(nx.florentine_families_graph(), tmp_path)
    rows = analyse(G, seed=1).tables["network_ranking"]
    assert len(rows) == nx.florentine_families_graph().number_of_nodes()  # every family has a marriage tie
    assert _names(G, rows)[0] == "Medici"
    assert [r.rank for r in rows] == list(range(1, 16))
    top = rows[0]
    assert top.score == 1.0 and top.degree == 6  # the most ties, the most brokerage and reach
    assert top.betweenness == pytest.approx(nx.betweenness_centrality(nx.florentine_families_graph())["Medici"])
    assert _spearman(rows, "score", "betweenness") >= 0.8


@pytest.mark.parametrize("weighted", [False, True], ids=["ties", "weighted-ties"])
def test_the_instructor_and_the_president_lead_the_karate_club(tmp_path: Path, weighted: bool) -> None:
    G = _imported(nx.karate_club_graph(), tmp_path, weighted=weighted)
    tables = analyse(G, seed=1).tables
    rows = tables["network_ranking"]
    assert len(rows) == 34
    assert set(_names(G, rows)[:2]) == {"0", "33"}  # Mr Hi and the club's president ("Officer")
    assert _spearman(rows, "score", "betweenness") >= 0.8
    # Each leads a faction: they are in different groups, so the groups' own rankings cannot compare them.
    group_of = {r.entity_id: r.group_id for r in rows}
    assert group_of[rows[0].entity_id] != group_of[rows[1].entity_id]


def test_the_ranking_is_saved_with_true_degrees_groups_and_reasons(tmp_path: Path) -> None:
    H = nx.karate_club_graph()
    G = _imported(H, tmp_path)
    tables = analyse(G, seed=1).tables
    assert "network_ranking" in RESULT_NAMES and set(RESULT_NAMES) <= set(tables)
    node_of = {str(G.nodes[n]["name"]): n for n in G}
    by_name = {str(G.nodes[r.entity_id]["name"]): r for r in tables["network_ranking"]}
    members = {m.entity_id: g.group_id for g in tables["groups"] for m in g.members}
    for name, row in by_name.items():
        assert row.degree == H.degree(int(name))
        assert row.group_id == members.get(node_of[name])
        assert row.reasons[0].startswith(f"rank {row.rank} of 34 people in the whole network")
        assert 0.0 <= row.degree_percentile <= 1.0
    # Inside each group the ranking keeps its own scores but says the true degree, and the in-group one apart.
    for row in tables["key_players"]:
        name = str(G.nodes[row.entity_id]["name"])
        assert row.degree == H.degree(int(name))
        assert row.degree_in_group <= row.degree
        assert row.network_rank == by_name[name].rank
    assert any(r.degree_in_group < r.degree for r in tables["key_players"])
    assert set(MEASURE_MEANINGS) == set(NETWORK_MEASURES)


def test_scores_are_comparable_across_groups() -> None:
    """A big and a small crew joined by one tie: the small crew's hub is not scored like the big one's."""
    P = nx.Graph()
    P.add_edges_from(("big", f"b{i}") for i in range(8))
    P.add_edges_from(("small", f"s{i}") for i in range(2))
    P.add_edge("b0", "s0")
    nx.set_edge_attributes(P, 1.0, "weight")
    scores = {n: score for n, score, _ in rank_network(P)}
    assert scores["big"] == max(scores.values())
    assert scores["small"] < 0.6 * scores["big"]


def test_children_are_measured_but_never_ranked() -> None:
    """A child's ties still carry paths (the adults around them rank for it), but no child is listed."""
    P = nx.path_graph(["a", "child", "b", "c"])
    nx.set_edge_attributes(P, 1.0, "weight")
    ranked = rank_network(P, exclude=["child"])
    assert [n for n, _, _ in ranked][:1] == ["b"] and "child" not in {n for n, _, _ in ranked}
    assert ranked[0][2]["betweenness"] == pytest.approx(nx.betweenness_centrality(P)["b"])
