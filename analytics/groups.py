"""Groups: communities of the concern network, and a profile of each that an analyst can act on."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import networkx as nx

from analytics.igraph_backend import leiden_communities
from analytics.projections import (
    EVENT_KINDS,
    concern_network,
    event_date,
    label_of,
    neighbours_of_kind,
    parties,
)
from analytics.roles import EXPLOITATION_SUSPECT

MIN_GROUP_SIZE = 3


def find_groups(
    P: nx.Graph,
    *,
    seeds: Iterable[Any] | None = None,
    hops: int = 2,
    resolution: float = 1.0,
    min_size: int = MIN_GROUP_SIZE,
    seed: int | None = None,
) -> list[frozenset[Any]]:
    """Leiden communities (igraph, modularity) of the people within ``hops`` of the seeds.

    A community is a group when it has at least ``min_size`` people and, when seeds are given, at
    least one seed in it. Largest first; with the same ``seed`` the result is the same.

    >>> two = nx.union(nx.complete_graph(4), nx.complete_graph(range(4, 8)))
    >>> _ = two.add_edge(3, 4)
    >>> [sorted(g) for g in find_groups(two, seed=1)]
    [[0, 1, 2, 3], [4, 5, 6, 7]]
    """
    seed_list = list(seeds) if seeds is not None else []
    C = concern_network(P, seed_list, hops=hops) if seeds is not None else P
    C = C.subgraph(n for n in C if C.degree(n) > 0)
    wanted = set(seed_list)
    groups = []
    for community in leiden_communities(C, resolution=resolution, seed=seed):
        if len(community) >= min_size and (seeds is None or community & wanted):
            groups.append(frozenset(community))
    return groups


def group_ids(groups: Sequence[Iterable[Any]]) -> list[str]:
    """Display ids for groups in order: ``G001``, ``G002`` ..."""
    return [f"G{i + 1:03d}" for i in range(len(groups))]


def member_role(roles: frozenset[str], *, is_lead: bool) -> str:
    """A member's part in a group, as an analyst would name it."""
    if "child" in roles:
        return "child"
    if is_lead:
        return "organiser"
    if "driver" in roles or "licence_holder" in roles:
        return "facilitator"
    return "associate"


def profile_group(
    G: nx.MultiDiGraph,
    P: nx.Graph,
    members: Iterable[Any],
    *,
    group_id: str,
    roles: Mapping[Any, frozenset[str]],
    ranked: Sequence[tuple[Any, float, Mapping[str, float]]],
    organisers: int = 2,
) -> dict[str, Any]:
    """Everything an analyst asks of a group: who, in what role, with what, where, when, on whose word.

    ``ranked`` is the group's key-player ranking; its top ``organisers`` adults who are suspects
    (or, failing that, its top adults) are named as organisers.
    """
    people = set(members)
    adults = [n for n, _, _ in ranked if "child" not in roles.get(n, frozenset())]
    suspects = [n for n in adults if EXPLOITATION_SUSPECT in roles.get(n, frozenset())]
    leads = (suspects or adults)[:organisers]
    sub = P.subgraph(people)
    objects: dict[str, set[Any]] = {"Vehicle": set(), "Phone": set(), "Licence": set(), "Business": set()}
    events: set[Any] = set()
    for person in people:
        for thing in neighbours_of_kind(G, person, objects):
            objects[G.nodes[thing]["kind"]].add(thing)
        events.update(neighbours_of_kind(G, person, EVENT_KINDS))
    for licence in list(objects["Licence"]):
        objects["Vehicle"].update(neighbours_of_kind(G, licence, ["Vehicle"]))
    linked_children: set[Any] = {p for p in people if "child" in roles.get(p, frozenset())}
    for event in events:
        for other, _ in parties(G, event):
            if "child" in roles.get(other, frozenset()):
                linked_children.add(other)
        objects["Business"].update(neighbours_of_kind(G, event, ["Business"]))
    dates = sorted(d for d in (event_date(G, e) for e in events) if d)
    sources: Counter[str] = Counter()
    gradings: Counter[str] = Counter()
    for node in people | events:
        for source, _, grading in G.nodes[node].get("provenance", ()):
            sources[source] += 1
            if grading:
                gradings[grading] += 1
    member_rows = [
        {
            "entity_id": n,
            "label": label_of(G, n),
            "role": member_role(roles.get(n, frozenset()), is_lead=n in leads),
            "roles": sorted(roles.get(n, frozenset())),
        }
        for n in [*(n for n, _, _ in ranked), *sorted(people - {n for n, _, _ in ranked}, key=str)]
    ]
    lead = leads[0] if leads else (ranked[0][0] if ranked else next(iter(people)))
    return {
        "group_id": group_id,
        "entity_id": lead,
        "label": f"{group_id}: {len(people)} people around {label_of(G, lead)}",
        "size": len(people),
        "density": round(nx.density(sub), 4) if len(people) > 1 else 0.0,
        "members": member_rows,
        "organisers": [{"entity_id": n, "label": label_of(G, n)} for n in leads],
        "children": [{"entity_id": n, "label": label_of(G, n)} for n in sorted(linked_children, key=str)],
        "vehicles": _labelled(G, objects["Vehicle"]),
        "phones": _labelled(G, objects["Phone"]),
        "licences": _labelled(G, objects["Licence"]),
        "premises": _labelled(G, objects["Business"]),
        "events": len(events),
        "first_activity": dates[0] if dates else None,
        "last_activity": dates[-1] if dates else None,
        "sources": dict(sorted(sources.items())),
        "gradings": dict(sorted(gradings.items())),
    }


def _labelled(G: nx.MultiDiGraph, nodes: Iterable[Any]) -> list[dict[str, Any]]:
    return [{"entity_id": n, "label": label_of(G, n)} for n in sorted(nodes, key=str)]
