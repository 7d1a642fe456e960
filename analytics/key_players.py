"""Key players: who holds a network together, who brokers between groups, whose removal breaks it.

Two rankings: :func:`rank_network` ranks every person on the whole person network, so scores are
comparable across groups (the analyst's "Key players" page), and :func:`rank_key_players` ranks a
group's people on the group's own ties. Centralities run on python-igraph; betweenness is exact up
to ``EXACT_LIMIT`` nodes and sampled beyond (see ``analytics.igraph_backend``); the results have the
same shape either way. :data:`MEASURE_MEANINGS` says what each measure means in words.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterable, Sequence
from typing import Any

import networkx as nx

from analytics import igraph_backend

EXACT_LIMIT = 5_000  # exact betweenness up to this many nodes (seconds on igraph); sampled sources beyond
SAMPLE_SOURCES = 500
KPP_CANDIDATE_LIMIT = 100
GROUP_MEASURES = ("strength", "betweenness", "pagerank")
NETWORK_MEASURES = ("degree", "strength", "betweenness", "pagerank")
MEASURE_MEANINGS: dict[str, str] = {
    "degree": "how many people they are tied to directly",
    "strength": "how strong their ties are in all (ties weigh more the more often and recently they are recorded)",
    "betweenness": "how often they lie on the shortest way between two other people: a broker others go through",
    "pagerank": "how well they are tied to people who are themselves well tied: reach through the network",
}


def fragmentation(G: nx.Graph, removed: Iterable[Any] = ()) -> float:
    """Borgatti's fragmentation F: the share of pairs of remaining nodes that cannot reach each other.

    >>> fragmentation(nx.path_graph(3), removed=[1])
    1.0
    """
    gone = set(removed)
    H = G.subgraph(n for n in G if n not in gone)
    n: int = H.number_of_nodes()
    if n < 2:
        return 1.0 if gone else 0.0
    connected_pairs: int = sum(len(c) * (len(c) - 1) for c in nx.connected_components(H))
    return 1.0 - connected_pairs / (n * (n - 1))


def find_key_player_set(
    G: nx.Graph, k: int, *, seed: int | None = None, max_rounds: int = 20
) -> tuple[list[Any], float]:
    """Borgatti's KPP-Neg: the ``k`` people whose removal fragments the network most.

    Greedy start, then swaps (a removed node for a kept one) while fragmentation improves.
    Returns the set (in order of greedy choice) and the fragmentation it leaves. Each trial costs a
    components pass, so on graphs over ``KPP_CANDIDATE_LIMIT`` nodes only that many of the
    highest-degree nodes are candidates (the set is then a heuristic, as Borgatti's own is).

    >>> find_key_player_set(nx.barbell_graph(4, 1), 1)
    ([4], 0.5714285714285714)
    """
    nodes = sorted(G, key=str)
    if len(nodes) > KPP_CANDIDATE_LIMIT:
        nodes = sorted(sorted(G, key=str), key=lambda n: -G.degree(n))[:KPP_CANDIDATE_LIMIT]
    k = min(k, len(nodes))
    if k <= 0:
        return [], fragmentation(G)
    rng = random.Random(seed)
    chosen: list[Any] = []
    for _ in range(k):
        best = max(
            (n for n in nodes if n not in chosen), key=lambda n: (fragmentation(G, [*chosen, n]), -nodes.index(n))
        )
        chosen.append(best)
    score = fragmentation(G, chosen)
    for _ in range(max_rounds):
        improved = False
        outside = [n for n in nodes if n not in chosen]
        rng.shuffle(outside)
        for i in range(len(chosen)):
            for candidate in outside:
                trial = [*chosen[:i], candidate, *chosen[i + 1 :]]
                trial_score = fragmentation(G, trial)
                if trial_score > score + 1e-12:
                    chosen, score, improved = trial, trial_score, True
                    outside = [n for n in nodes if n not in chosen]
                    break
        if not improved:
            break
    return chosen, score


def brokerage(G: nx.Graph, groups: Sequence[Iterable[Any]]) -> dict[Any, int]:
    """For each node, how many groups other than its own its ties reach (0 for no group)."""
    group_of: dict[Any, int] = {}
    for i, members in enumerate(groups):
        for n in members:
            group_of.setdefault(n, i)
    result: dict[Any, int] = {}
    for n in G:
        reached = {group_of[m] for m in G[n] if m in group_of}
        reached.discard(group_of.get(n, -1))
        result[n] = len(reached)
    return result


def centralities(G: nx.Graph, *, seed: int | None = None) -> dict[str, dict[Any, float]]:
    """Degree, weighted degree (strength), betweenness and PageRank of every node.

    Betweenness is exact up to ``EXACT_LIMIT`` nodes and estimated from ``SAMPLE_SOURCES``
    seeded random sources beyond (igraph); PageRank runs on igraph.
    """
    n = G.number_of_nodes()
    degree = {v: float(d) for v, d in G.degree()}
    strength = {v: float(d) for v, d in G.degree(weight="weight")}
    sources = None
    if n > EXACT_LIMIT:
        sources = random.Random(seed).sample(sorted(G, key=str), SAMPLE_SOURCES)
    return {
        "degree": degree,
        "strength": strength,
        "betweenness": igraph_backend.betweenness(G, sources=sources),
        "pagerank": igraph_backend.pagerank(G),
    }


def rank_key_players(
    G: nx.Graph, *, seed: int | None = None, keys: Sequence[str] = GROUP_MEASURES
) -> list[tuple[Any, float, dict[str, float]]]:
    """People ranked by a composite of centralities (strength, betweenness and PageRank), best first.

    The composite is the mean of each measure in ``keys``'s share of its maximum, so no single
    measure's scale dominates. Returns (node, composite, measures) triples; ``measures`` holds every
    centrality (see :func:`centralities`) measured on ``G``.

    >>> [n for n, _, _ in rank_key_players(nx.star_graph(4))][:1]
    [0]
    """
    measures = centralities(G, seed=seed)
    top = {k: max(measures[k].values(), default=0.0) or 1.0 for k in keys}
    ranked = []
    for node in G:
        values = {k: measures[k][node] for k in measures}
        composite = sum(values[k] / top[k] for k in keys) / len(keys)
        ranked.append((node, composite, values))
    ranked.sort(key=lambda item: (-item[1], str(item[0])))
    return ranked


def rank_network(
    P: nx.Graph, *, seed: int | None = None, exclude: Iterable[Any] = ()
) -> list[tuple[Any, float, dict[str, float]]]:
    """Every person with a tie ranked on the whole person network, best first.

    Degree, strength, betweenness and PageRank are measured on all of ``P`` (so a broker between
    two groups counts as one, and scores are comparable across groups), and the composite is the
    mean of each measure's share of the network's maximum. People with no tie are not ranked, nor
    are those in ``exclude`` (children, safeguarded and never targeted), though paths through them
    count. Returns (node, composite, measures) triples, ``measures`` holding each centrality and,
    under ``<measure>_percentile``, the share of ranked people it is greater than.

    >>> [n for n, _, _ in rank_network(nx.path_graph(5))][:3]
    [2, 1, 3]
    """
    left_out = set(exclude)
    ranked = [
        item
        for item in rank_key_players(P, seed=seed, keys=NETWORK_MEASURES)
        if item[2]["degree"] > 0 and item[0] not in left_out
    ]
    for key in NETWORK_MEASURES:
        values = sorted(m[key] for _, _, m in ranked)
        for _, _, m in ranked:
            below = bisect.bisect_left(values, m[key])
            m[f"{key}_percentile"] = below / len(values)
    return ranked
