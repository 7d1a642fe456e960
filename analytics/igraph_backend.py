"""python-igraph behind NetworkX-shaped functions, for the algorithms NetworkX is too slow for at
county scale (Leiden, betweenness, PageRank: see REFERENCE-FIGURES.md). Callers pass and get
NetworkX graphs and plain dicts; igraph never leaks out of this module.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import igraph as ig
import networkx as nx


def to_igraph(G: nx.Graph, *, weight: str | None = "weight") -> tuple[ig.Graph, list[Any]]:
    """An undirected igraph copy of ``G`` and the node list (igraph vertex i is ``nodes[i]``)."""
    nodes = list(G.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    H = ig.Graph(n=len(nodes), edges=[(index[u], index[v]) for u, v in G.edges()], directed=False)
    if weight is not None:
        H.es["weight"] = [float(d.get(weight, 1.0) or 1.0) for _, _, d in G.edges(data=True)]
    return H, nodes


@contextmanager
def seeded(seed: int | None) -> Iterator[None]:
    """Run igraph's randomised algorithms with a seeded generator, then restore its default."""
    ig.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        ig.set_random_number_generator(random)


def leiden_communities(
    G: nx.Graph, *, weight: str = "weight", resolution: float = 1.0, seed: int | None = None
) -> list[set[Any]]:
    """Leiden communities maximising modularity (igraph), largest first."""
    if G.number_of_nodes() == 0:
        return []
    H, nodes = to_igraph(G, weight=weight)
    with seeded(seed):
        partition = H.community_leiden(
            objective_function="modularity", weights="weight", resolution=resolution, n_iterations=-1
        )
    groups = [{nodes[i] for i in members} for members in partition]
    return sorted(groups, key=lambda g: (-len(g), min(str(n) for n in g)))


def betweenness(
    G: nx.Graph, *, weight: str | None = "weight", sources: Sequence[Any] | None = None
) -> dict[Any, float]:
    """Betweenness normalised to [0, 1] as NetworkX does; weights are tie strengths, so the
    distance of a tie is 1/weight. With ``sources`` only paths from those nodes count (sampling),
    rescaled to estimate the full value."""
    n = G.number_of_nodes()
    if n < 3:
        return dict.fromkeys(G, 0.0)
    H, nodes = to_igraph(G, weight=weight)
    distances = [1.0 / w for w in H.es["weight"]] if weight is not None else None
    index = {v: i for i, v in enumerate(nodes)}
    chosen = [index[s] for s in sources] if sources is not None else None
    values = H.betweenness(vertices=None, directed=False, weights=distances, sources=chosen)
    scale = n / len(chosen) if chosen else 1.0  # sampled sources estimate the full sum
    norm = 2.0 / ((n - 1) * (n - 2))  # igraph counts each undirected pair once; normalise as NetworkX does
    return {nodes[i]: float(v) * scale * norm for i, v in enumerate(values)}


def pagerank(G: nx.Graph, *, weight: str | None = "weight", damping: float = 0.85) -> dict[Any, float]:
    """PageRank (igraph's PRPACK), summing to 1."""
    if G.number_of_nodes() == 0:
        return {}
    H, nodes = to_igraph(G, weight=weight)
    values = H.pagerank(directed=False, damping=damping, weights="weight" if weight is not None else None)
    return {nodes[i]: float(v) for i, v in enumerate(values)}
