"""Projections of the POLE graph onto the graphs analysts reason about.

The store hands analytics a ``MultiDiGraph`` whose nodes carry ``kind`` and properties and whose
edges carry ``kind`` (see ``GraphStore.to_networkx``). These functions turn it into:

- the *person network*: people joined by weighted, explained ties (association, family,
  co-offending, found together, named together in intelligence, a shared phone, vehicle or address);
- the *person-object* and *person-place* views: bipartite graphs of people and what they use or
  where they are.

Imported graphs work too: their ``Other`` nodes count as people ("actors") and their ``RELATED_TO``
links as ties, weighted by any ``weight`` property.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations
from typing import Any

import networkx as nx

from analytics.rules import Rules, default_rules, parse_day

ACTOR_KINDS = frozenset({"Person", "Other"})
EVENT_KINDS = frozenset({"Incident", "MissingEpisode", "Sighting", "Referral", "Intelligence"})
OBJECT_KINDS = frozenset({"Vehicle", "Phone", "Licence"})
PLACE_KINDS = frozenset({"Location", "Business"})
_SHARED_BY_OBJECT = {"Phone": "shared_phone", "Vehicle": "shared_vehicle", "Location": "shared_address"}
_EVENT_DATE = ("occurred_at", "reported_at", "recorded_at", "seen_at", "referred_on")
MAX_SHARING = 25  # an object or event shared by more people than this says little about any pair
_MAX_EVIDENCE = 20


def actors(G: nx.MultiDiGraph) -> list[Any]:
    """The nodes that are people (``Person``, or ``Other`` from an imported graph)."""
    return [n for n, kind in G.nodes(data="kind") if kind in ACTOR_KINDS]


def label_of(G: nx.MultiDiGraph, node: Any) -> str:
    """The display label of a node (its id when it has none)."""
    return str(G.nodes[node].get("label") or node)


def analysis_date(G: nx.MultiDiGraph) -> dt.date | None:
    """The latest date the graph records (its "today"), so that results do not depend on the clock."""
    latest: dt.date | None = None
    for _, seen in G.nodes(data="last_seen"):
        day = parse_day(seen)
        if day is not None and (latest is None or day > latest):
            latest = day
    return latest


def event_date(G: nx.MultiDiGraph, node: Any) -> str | None:
    """When an event happened: its own date property, else when it was first seen."""
    data = G.nodes[node]
    for key in _EVENT_DATE:
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
    first = data.get("first_seen")
    return first if isinstance(first, str) else None


def parties(G: nx.MultiDiGraph, event: Any) -> list[tuple[Any, str]]:
    """The people linked to an event, with their role (``subject`` for intelligence), each
    (person, role) once however many records link them."""
    found: dict[tuple[Any, str], None] = {}
    for person, _, data in G.in_edges(event, data=True):
        if G.nodes[person].get("kind") in ACTOR_KINDS and data.get("kind") in ("PARTY_TO", "SUBJECT_OF"):
            found.setdefault((person, str(data.get("role") or "other").lower()), None)
    return list(found)


def _grading(G: nx.MultiDiGraph, event: Any, rules: Rules) -> float:
    data = G.nodes[event]
    if data.get("kind") != "Intelligence":
        return 1.0
    return rules.grading_factor(data.get("source_evaluation"), data.get("intelligence_assessment"))


def _pair_reason(kind: str, role_a: str, role_b: str, rules: Rules) -> str:
    if kind == "Intelligence":
        return "co_subject"
    if role_a in rules.suspect_roles and role_b in rules.suspect_roles:
        return "co_offending"
    if {role_a, role_b} == {"missing", "found_with"}:
        return "found_with"
    return "co_party"


class _Ties:
    """Accumulates weighted, explained ties between pairs of people."""

    def __init__(self) -> None:
        self.weight: dict[tuple[Any, Any], float] = defaultdict(float)
        self.reasons: dict[tuple[Any, Any], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.evidence: dict[tuple[Any, Any], list[Any]] = defaultdict(list)

    def add(self, a: Any, b: Any, reason: str, weight: float, evidence: Any) -> None:
        if a == b or weight <= 0:
            return
        pair = (a, b) if str(a) <= str(b) else (b, a)
        self.weight[pair] += weight
        self.reasons[pair][reason] += 1
        if len(self.evidence[pair]) < _MAX_EVIDENCE:
            self.evidence[pair].append(evidence)

    def graph(self, G: nx.MultiDiGraph, people: Iterable[Any]) -> nx.Graph:
        P = nx.Graph()
        for person in people:
            P.add_node(person, kind=G.nodes[person].get("kind"), label=G.nodes[person].get("label", str(person)))
        for (a, b), weight in self.weight.items():
            P.add_edge(
                a, b, weight=round(weight, 6), reasons=dict(self.reasons[(a, b)]), evidence=list(self.evidence[(a, b)])
            )
        return P


def person_network(G: nx.MultiDiGraph, *, rules: Rules | None = None, as_of: dt.date | None = None) -> nx.Graph:
    """The weighted person network of a POLE graph.

    Each edge has ``weight`` (the sum of its ties, each scaled by recency and, for intelligence, by
    its 3x5x2 grading), ``reasons`` (tie kind -> count) and ``evidence`` (the link or event ids
    behind it, at most 20). Objects and events shared by more than ``MAX_SHARING`` people make no
    ties: a hostel address or a mass incident says little about any one pair.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", kind="Person"); G.add_node("b", kind="Person"); G.add_node("p", kind="Phone")
    >>> _ = G.add_edge("a", "p", key="l1", kind="USES_PHONE"); _ = G.add_edge("b", "p", key="l2", kind="USES_PHONE")
    >>> person_network(G)["a"]["b"]["reasons"]
    {'shared_phone': 1}
    """
    rules = rules or default_rules()
    as_of = as_of or analysis_date(G)
    people = actors(G)
    ties = _Ties()
    for u, v, key, data in G.edges(keys=True, data=True):
        kind = data.get("kind")
        if kind in ("ASSOCIATE_OF", "FAMILY_OF", "RELATED_TO") and G.nodes[u].get("kind") in ACTOR_KINDS:
            if G.nodes[v].get("kind") not in ACTOR_KINDS:
                continue
            scale = _number(data.get("weight"), 1.0) if kind == "RELATED_TO" else 1.0
            when = data.get("last_seen") or data.get("first_seen")
            ties.add(u, v, kind, rules.weight(kind) * scale * rules.recency(when, as_of), key)
    for node, kind in G.nodes(data="kind"):
        if kind in EVENT_KINDS:
            involved = parties(G, node)
            if 1 < len(involved) <= MAX_SHARING:
                factor = _grading(G, node, rules) * rules.recency(event_date(G, node), as_of)
                for (a, role_a), (b, role_b) in combinations(involved, 2):
                    reason = _pair_reason(kind, role_a, role_b, rules)
                    ties.add(a, b, reason, rules.weight(reason) * factor, node)
        elif kind in _SHARED_BY_OBJECT:
            users = {p for p, _ in G.in_edges(node) if G.nodes[p].get("kind") in ACTOR_KINDS}
            if 1 < len(users) <= MAX_SHARING:
                reason = _SHARED_BY_OBJECT[kind]
                for a, b in combinations(sorted(users, key=str), 2):
                    ties.add(a, b, reason, rules.weight(reason), node)
    return ties.graph(G, people)


def _number(value: object, default: float) -> float:
    try:
        return float(value) if value is not None and value != "" else default  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default


def person_object_graph(G: nx.MultiDiGraph) -> nx.Graph:
    """Bipartite view: people and the vehicles, phones and licences they use or hold (``bipartite`` 0/1)."""
    return _bipartite(G, OBJECT_KINDS, ("USES_VEHICLE", "USES_PHONE", "HOLDS_LICENCE"))


def person_place_graph(G: nx.MultiDiGraph) -> nx.Graph:
    """Bipartite view: people and the places they live, work or are recorded at through events."""
    B = _bipartite(G, PLACE_KINDS, ("LIVES_AT", "WORKS_FOR"))
    for event, place, data in G.edges(data=True):
        if data.get("kind") == "OCCURRED_AT" and G.nodes[place].get("kind") in PLACE_KINDS:
            for person, role in parties(G, event):
                _add_bipartite_edge(G, B, person, place, f"{G.nodes[event].get('kind')}:{role}")
    return B


def _bipartite(G: nx.MultiDiGraph, kinds: frozenset[str], link_kinds: tuple[str, ...]) -> nx.Graph:
    B = nx.Graph()
    for person in actors(G):
        B.add_node(person, kind=G.nodes[person].get("kind"), label=G.nodes[person].get("label"), bipartite=0)
    for u, v, data in G.edges(data=True):
        if data.get("kind") in link_kinds and u in B and G.nodes[v].get("kind") in kinds:
            _add_bipartite_edge(G, B, u, v, str(data.get("kind")))
    return B


def _add_bipartite_edge(G: nx.MultiDiGraph, B: nx.Graph, person: Any, thing: Any, via: str) -> None:
    if thing not in B:
        B.add_node(thing, kind=G.nodes[thing].get("kind"), label=G.nodes[thing].get("label"), bipartite=1)
    if B.has_edge(person, thing):
        B[person][thing]["via"].add(via)
    else:
        B.add_edge(person, thing, via={via})


def concern_network(P: nx.Graph, seeds: Iterable[Any], *, hops: int = 2) -> nx.Graph:
    """The part of the person network within ``hops`` of the seeds (suspects and victims).

    With no seeds (a graph with no roles recorded, such as an imported edge list) the whole
    network is of concern.
    """
    seeds = [s for s in seeds if s in P]
    if not seeds:
        return P.copy()
    reached = set(seeds)
    frontier = set(seeds)
    for _ in range(hops):
        frontier = {n for f in frontier for n in P[f]} - reached
        reached |= frontier
    return P.subgraph(reached).copy()


def neighbours_of_kind(G: nx.MultiDiGraph, node: Any, kinds: Iterable[str]) -> list[Any]:
    """Neighbours (either direction) of ``node`` whose kind is in ``kinds``."""
    wanted = set(kinds)
    seen: dict[Any, None] = {}
    for other in list(G.successors(node)) + list(G.predecessors(node)):
        if G.nodes[other].get("kind") in wanted:
            seen.setdefault(other, None)
    return list(seen)
