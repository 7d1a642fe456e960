"""The benchmark's own measures and baselines, computed here and not taken from the analytics.

Everything Disrupt is compared with is computed in this module from the graph alone: betweenness
and degree (igraph, unweighted, as the standard baselines are), the adjusted Rand index, and
disruption curves for removal orders (betweenness or degree recomputed after each removal, and the
mean of random orders). A plan from the analysis is replayed here on the same network, so every
curve in a figure is measured the same way.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import igraph as ig
import networkx as nx
from scipy.stats import spearmanr

PEOPLE_KINDS = frozenset({"Person", "Other"})


def _igraph(H: nx.Graph) -> tuple[ig.Graph, list[Any]]:
    nodes = sorted(H, key=str)
    index = {n: i for i, n in enumerate(nodes)}
    g = ig.Graph(n=len(nodes), edges=[(index[u], index[v]) for u, v in H.edges() if u != v], directed=False)
    return g, nodes


def betweenness(H: nx.Graph) -> dict[Any, float]:
    """Exact shortest-path betweenness of every node, unweighted (igraph; normalised as NetworkX does)."""
    n = H.number_of_nodes()
    if n < 3:
        return dict.fromkeys(H, 0.0)
    g, nodes = _igraph(H)
    scale = 2.0 / ((n - 1) * (n - 2))
    return {node: value * scale for node, value in zip(nodes, g.betweenness(directed=False), strict=True)}


def degree(H: nx.Graph) -> dict[Any, float]:
    """The number of distinct neighbours of every node."""
    return {n: float(d) for n, d in H.degree()}


def rank_correlation(order: Sequence[Any], baseline: Mapping[Any, float]) -> float | None:
    """Spearman's rho between a ranking (best first) and a baseline score, over every node the
    baseline scores. Nodes the ranking leaves out share the rank after its last (ties averaged)."""
    nodes = list(baseline)
    if len(nodes) < 3:
        return None
    position = {n: i for i, n in enumerate(order)}
    unranked = len(order)
    ours = [-(position.get(n, unranked)) for n in nodes]
    theirs = [baseline[n] for n in nodes]
    if len(set(ours)) < 2 or len(set(theirs)) < 2:
        return None
    rho = spearmanr(ours, theirs).statistic
    return None if rho is None or math.isnan(float(rho)) else float(rho)


def top_by(score: Mapping[Any, float], k: int) -> list[Any]:
    """The ``k`` best nodes by a score, ties broken by name so the list is the same every run."""
    return sorted(score, key=lambda n: (-score[n], str(n)))[:k]


def adjusted_rand_index(truth: Mapping[Any, Any], found: Mapping[Any, Any]) -> float | None:
    """Hubert and Arabie's adjusted Rand index of two labellings of the items of ``truth``."""
    items = list(truth)
    if len(items) < 2:
        return None
    pairs = Counter((truth[i], found[i]) for i in items)
    a, b = Counter(truth[i] for i in items), Counter(found[i] for i in items)
    index = sum(math.comb(v, 2) for v in pairs.values())
    sum_a, sum_b = sum(math.comb(v, 2) for v in a.values()), sum(math.comb(v, 2) for v in b.values())
    expected = sum_a * sum_b / math.comb(len(items), 2)
    top = (sum_a + sum_b) / 2 - expected
    return (index - expected) / top if top else None


def labelling(groups: Iterable[Collection[Any]], items: Iterable[Any]) -> dict[Any, str]:
    """Each item's group (the first that lists it); an item in no group is a group of its own."""
    of: dict[Any, str] = {}
    for i, members in enumerate(groups):
        for m in members:
            of.setdefault(m, f"g{i}")
    return {n: of.get(n, f"alone:{n}") for n in items}


# -- disruption curves ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Curve:
    """The effect after 0, 1, 2 ... actions: share of the people left in the largest component
    (of all the people at the start) and, where roles exist, children still reachable."""

    name: str
    largest: tuple[float, ...]
    reachable: tuple[float, ...] | None
    removed: tuple[tuple[Any, ...], ...] = ()


def effect(
    D: nx.Graph,
    gone: Collection[Any],
    *,
    people: int,
    children: Collection[Any],
    suspects: Collection[Any],
    ties: Collection[tuple[Any, Any]] = (),
) -> tuple[float, int]:
    """The largest component's share of the starting people, and the children still in a
    component with a suspect, once ``gone`` is acted on: the nodes in it are removed, so are the
    ``ties`` named as cut, and so is every tie whose evidence (the objects, links or events behind
    it) lies wholly in ``gone``, as when a phone that alone tied two people is seized."""
    removed = set(gone)
    left = nx.Graph(D.subgraph(n for n in D if n not in removed))
    left.remove_edges_from(ties)
    cut = removed - set(D)
    if cut:
        left.remove_edges_from([(u, v) for u, v, ev in left.edges(data="evidence") if ev and set(ev) <= cut])
    largest, reached = 0, 0
    kids, bad = set(children) - removed, set(suspects) - removed
    for component in nx.connected_components(left):
        largest = max(largest, sum(1 for n in component if D.nodes[n].get("kind", "Other") in PEOPLE_KINDS))
        if kids and bad and not component.isdisjoint(bad):
            reached += len(component & kids)
    return (largest / people if people else 0.0), reached


def _people(D: nx.Graph) -> int:
    return sum(1 for n in D if D.nodes[n].get("kind", "Other") in PEOPLE_KINDS)


def replay(
    D: nx.Graph,
    name: str,
    steps: Sequence[Collection[Any]],
    *,
    children: Collection[Any] = (),
    suspects: Collection[Any] = (),
    ties: Sequence[Collection[tuple[Any, Any]]] = (),
) -> Curve:
    """The curve of acting on ``steps`` in order, each the set of ids one action takes out (people,
    or the objects and events whose ties it cuts), with ``ties[i]`` the ties step ``i`` names as cut."""
    people = _people(D)
    gone: set[Any] = set()
    cut: set[tuple[Any, Any]] = set()
    largest, reachable = [], []
    for i, step in enumerate([(), *steps]):
        gone |= set(step)
        if 0 < i <= len(ties):
            cut |= {(u, v) for u, v in ties[i - 1]}
        share, reached = effect(D, gone, people=people, children=children, suspects=suspects, ties=cut)
        largest.append(round(share, 4))
        reachable.append(float(reached))
    return Curve(name, tuple(largest), tuple(reachable) if children else None, tuple(tuple(s) for s in steps))


def recomputed_order(
    D: nx.Graph, score: Callable[[nx.Graph], Mapping[Any, float]], candidates: Collection[Any], k: int
) -> list[tuple[Any]]:
    """Remove the best candidate by ``score``, recompute the score on what is left, and repeat."""
    left = set(D)
    chosen: list[tuple[Any]] = []
    pool = set(candidates)
    for _ in range(min(k, len(pool))):
        values = score(D.subgraph(left))
        best = min((n for n in pool), key=lambda n: (-values.get(n, 0.0), str(n)))
        chosen.append((best,))
        pool.discard(best)
        left.discard(best)
    return chosen


def random_curve(
    D: nx.Graph,
    candidates: Collection[Any],
    k: int,
    *,
    orders: int,
    seed: int,
    children: Collection[Any] = (),
    suspects: Collection[Any] = (),
) -> Curve:
    """The mean curve over ``orders`` random orders of the candidates (seeded)."""
    rng = random.Random(seed)
    pool = sorted(candidates, key=str)
    curves = []
    for _ in range(orders):
        order = rng.sample(pool, min(k, len(pool)))
        curves.append(replay(D, "random", [(n,) for n in order], children=children, suspects=suspects))
    length = len(curves[0].largest)
    largest = tuple(round(sum(c.largest[i] for c in curves) / orders, 4) for i in range(length))
    reachable = None
    if children:
        reachable = tuple(round(sum((c.reachable or ())[i] for c in curves) / orders, 2) for i in range(length))
    return Curve(f"random (mean of {orders} orders)", largest, reachable)


def baseline_curves(
    D: nx.Graph,
    candidates: Collection[Any],
    k: int,
    *,
    orders: int,
    seed: int,
    children: Collection[Any] = (),
    suspects: Collection[Any] = (),
) -> list[Curve]:
    """Recomputed betweenness, recomputed degree and the mean of random orders, each for ``k`` actions."""
    out = []
    for name, score in (("betweenness, recomputed", betweenness), ("degree, recomputed", degree)):
        steps = recomputed_order(D, score, candidates, k)
        out.append(replay(D, name, steps, children=children, suspects=suspects))
    out.append(random_curve(D, candidates, k, orders=orders, seed=seed, children=children, suspects=suspects))
    return out


def actions_for(share: float, nodes: int) -> int:
    """Actions that make ``share`` of ``nodes`` (at least one): 1%, 3% and 5% of a network."""
    return max(1, round(share * nodes))
