"""Breadth-first traversals over any store that can list the links touching a set of entities.

A store supplies ``neighbours(ids) -> [(link_id, source, target), ...]`` already filtered by the
caller's kinds; these functions do the walking, capping and path enumeration, so every store
answers neighbourhood and path questions the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from graph.records import Path

Neighbours = Callable[[Collection[str]], Iterable[tuple[str, str, str]]]


@dataclass(frozen=True, slots=True)
class Reach:
    """What a neighbourhood walk found: entity ids in the order reached, link ids, and a cap flag."""

    entity_ids: tuple[str, ...]
    link_ids: tuple[str, ...]
    truncated: bool


def walk_neighbourhood(start: str, neighbours: Neighbours, *, hops: int, max_nodes: int) -> Reach:
    """Return the entities within ``hops`` of ``start``, nearest first, at most ``max_nodes`` of them.

    Ties within a hop are broken by id so the same graph always gives the same answer. Only links
    between kept entities are returned.
    """
    if hops < 0 or max_nodes < 1:
        raise ValueError("hops must be >= 0 and max_nodes >= 1")
    order = [start]
    kept = {start}
    frontier = [start]
    truncated = False
    for _ in range(hops):
        if not frontier:
            break
        candidates: set[str] = set()
        for _link_id, src, dst in neighbours(frontier):
            for end in (src, dst):
                if end not in kept:
                    candidates.add(end)
        new = sorted(candidates)
        room = max_nodes - len(order)
        if len(new) > room:
            new = new[:room]
            truncated = True
        order.extend(new)
        kept.update(new)
        frontier = new
        if truncated:
            break
    link_ids = sorted({lid for lid, src, dst in neighbours(order) if src in kept and dst in kept})
    return Reach(tuple(order), tuple(link_ids), truncated)


def find_shortest_paths(
    source: str,
    target: str,
    neighbours: Neighbours,
    *,
    max_hops: int,
    max_paths: int,
) -> list[Path]:
    """Return up to ``max_paths`` shortest paths (links followed either way), none longer than ``max_hops``.

    Bidirectional breadth-first search: each step expands the smaller frontier by one level and
    stops at the first level where the two searches meet; only the meetings of least total length
    are kept, so every path returned has the minimum length.
    """
    if max_hops < 0 or max_paths < 1:
        raise ValueError("max_hops must be >= 0 and max_paths >= 1")
    if source == target:
        return [Path((source,), ())]
    parents: list[dict[str, list[tuple[str, str]]]] = [{source: []}, {target: []}]
    depth_of: list[dict[str, int]] = [{source: 0}, {target: 0}]
    frontiers: list[list[str]] = [[source], [target]]
    levels = [0, 0]
    meeting: set[str] = set()
    while levels[0] + levels[1] < max_hops and frontiers[0] and frontiers[1]:
        side = 0 if len(frontiers[0]) <= len(frontiers[1]) else 1
        current = set(frontiers[side])
        reached: dict[str, set[tuple[str, str]]] = {}
        for link_id, src, dst in neighbours(frontiers[side]):
            for here, there in ((src, dst), (dst, src)):
                if here in current and there not in parents[side]:
                    reached.setdefault(there, set()).add((here, link_id))
        levels[side] += 1
        for node, via in reached.items():
            parents[side][node] = sorted(via)
            depth_of[side][node] = levels[side]
        frontiers[side] = sorted(reached)
        meeting = set(reached) & set(parents[1 - side])
        if meeting:
            break
    if not meeting:
        return []
    best = min(depth_of[0][n] + depth_of[1][n] for n in meeting)
    paths: list[Path] = []
    for node in sorted(n for n in meeting if depth_of[0][n] + depth_of[1][n] == best):
        for left_nodes, left_links in _unwind(node, parents[0], max_paths):
            for right_nodes, right_links in _unwind(node, parents[1], max_paths):
                nodes = left_nodes + tuple(reversed(right_nodes))[1:]
                links = left_links + tuple(reversed(right_links))
                paths.append(Path(nodes, links))
                if len(paths) >= max_paths:
                    return paths
    return paths


def _unwind(
    node: str, parents: dict[str, list[tuple[str, str]]], limit: int
) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """All routes from the search's root to ``node``: (entities root..node, links in order)."""
    if not parents[node]:
        return [((node,), ())]
    routes: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    for parent, link_id in parents[node]:
        for nodes, links in _unwind(parent, parents, limit):
            routes.append(((*nodes, node), (*links, link_id)))
            if len(routes) >= limit:
                return routes
    return routes
