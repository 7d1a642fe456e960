"""Projections of the POLE graph onto the graphs analysts reason about.

The store hands analytics a ``MultiDiGraph`` whose nodes carry ``kind`` and properties and whose
edges carry ``kind`` (see ``GraphStore.to_networkx``). These functions turn it into:

- the *person network*: people joined by weighted, explained ties (association, family,
  co-offending, found together, named together in intelligence, a shared phone, vehicle or address);
- the *person-object* and *person-place* views: bipartite graphs of people and what they use or
  where they are.

What each node is to the person network (a person, an event, thing or place that ties people, or
context left out) comes from its kind in the schema, and for an imported ``Other`` node from its
source labels and ``imported_labels`` in ``analytics/rules.yaml`` (:func:`node_roles`): in an
imported POLE graph two people party to one crime are tied through it, two whose phones called
each other through the call, and areas, postcodes and officers tie nobody. An imported graph with
no recognisable kind (an edge list) is a person network: its ``Other`` nodes are people and its
``RELATED_TO`` links ties, weighted by any ``weight`` property. :func:`actors` is the one answer to
"who is a person" that the other analytics use.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from itertools import combinations
from typing import Any

import networkx as nx

from analytics.rules import LabelRole, NodeRole, Rules, default_rules, parse_day

ACTOR_KINDS = frozenset({"Person", "Other"})  # kinds that may be people; for an Other, see node_roles
EVENT_KINDS = frozenset({"Incident", "MissingEpisode", "Sighting", "Referral", "Intelligence"})
OBJECT_KINDS = frozenset({"Vehicle", "Phone", "Licence"})
PLACE_KINDS = frozenset({"Location", "Business"})
_SHARED_BY_OBJECT = {"Phone": "shared_phone", "Vehicle": "shared_vehicle", "Location": "shared_address"}
# What each kind of the schema is to the person network (``Other`` is read from its labels).
_KIND_ROLES: dict[str, NodeRole] = {
    "Person": "person",
    **dict.fromkeys(EVENT_KINDS, "event"),
    **dict.fromkeys(OBJECT_KINDS, "thing"),
    **dict.fromkeys(PLACE_KINDS, "place"),
}
_UNNAMED = LabelRole("thing", "shared_entity")  # an unnamed label in a graph that holds known people
_PERSON = LabelRole("person")
_EVENT_DATE = ("occurred_at", "reported_at", "recorded_at", "seen_at", "referred_on")
MAX_SHARING = 25  # an object or event shared by more people than this says little about any pair
_MAX_EVIDENCE = 20


def node_roles(G: nx.MultiDiGraph, *, rules: Rules | None = None) -> dict[Any, LabelRole]:
    """What every node is to the person network: a person, an event, thing or place that ties
    people (with the reason of its ties), or context.

    A node of a schema kind takes its kind's role (``Person`` a person, incidents and episodes
    events, vehicles, phones and licences things, locations and businesses places, the rest
    context). An ``Other`` node takes the role ``rules.imported_labels`` gives its source labels;
    one whose labels are not named there is a person when the graph holds no known person (an
    imported edge list or published network) and otherwise a thing that ties the people linked to it.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("p", kind="Person"); G.add_node("c", kind="Other", labels=["Crime"])
    >>> G.add_node("a", kind="Other", labels=["Area"]); G.add_node("x", kind="Other", labels=["Gang"])
    >>> {n: r.role for n, r in node_roles(G).items()}
    {'p': 'person', 'c': 'event', 'a': 'context', 'x': 'thing'}
    """
    rules = rules or default_rules()
    named: dict[Any, LabelRole | None] = {}
    for node, data in G.nodes(data=True):
        kind = data.get("kind")
        named[node] = rules.label_role(data.get("labels")) if kind == "Other" else _kind_role(str(kind))
    unnamed = _UNNAMED if any(r is not None and r.role == "person" for r in named.values()) else _PERSON
    return {node: role or unnamed for node, role in named.items()}  # in the graph's order


@cache
def _kind_role(kind: str) -> LabelRole:
    return LabelRole(_KIND_ROLES.get(kind, "context"), _SHARED_BY_OBJECT.get(kind))


def actors(G: nx.MultiDiGraph, *, rules: Rules | None = None) -> list[Any]:
    """The nodes that are people (``Person``, or an imported ``Other`` node that is one: see
    :func:`node_roles`). The analytics ask this, and only this, who is a person."""
    return [n for n, role in node_roles(G, rules=rules).items() if role.role == "person"]


def label_of(G: nx.MultiDiGraph, node: Any) -> str:
    """The display label of a node (its id when it has none)."""
    return str(G.nodes[node].get("label") or node)


def analysis_date(G: nx.MultiDiGraph) -> dt.date | None:
    """The latest date the graph records (its "today"), so that results do not depend on the clock:
    when a record was last seen, or when an event happened (an imported graph's crimes carry their
    date and no last seen: its analysis had no date at all)."""
    latest: dt.date | None = None
    for _, data in G.nodes(data=True):
        for value in (data.get("last_seen"), *(data.get(key) for key in _EVENT_DATE)):
            day = parse_day(value)
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
        # the schema lets only a Person be party to or the subject of an event
        if G.nodes[person].get("kind") == "Person" and data.get("kind") in ("PARTY_TO", "SUBJECT_OF"):
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
    roles = node_roles(G, rules=rules)
    order = [n for n, r in roles.items() if r.role == "person"]  # the graph's order: Leiden's result depends on it
    people = set(order)
    ties = _Ties()
    for u, v, key, data in G.edges(keys=True, data=True):
        kind = data.get("kind")
        if kind in ("ASSOCIATE_OF", "FAMILY_OF", "RELATED_TO") and u in people and v in people:
            # An imported link weighs as the source type it keeps, where the rules weigh that type.
            # A RELATED_TO link is known by that type; a mapped one (the POLE map's KNOWS_SN is an
            # association) keeps its kind as the reason, as groups read reasons by kind (a family
            # tie places someone near a group without making them one of it).
            weighed = _weighed_type(data, rules)
            reason = weighed if kind == "RELATED_TO" and weighed else str(kind)
            scale = _number(data.get("weight"), 1.0) if kind == "RELATED_TO" else 1.0
            when = data.get("last_seen") or data.get("first_seen")
            weight = rules.weight(weighed or reason) * scale * rules.recency(when, as_of)
            ties.add(u, v, reason, weight, key)
    for node, kind in G.nodes(data="kind"):
        if kind in EVENT_KINDS:
            involved = parties(G, node)
            if 1 < len(involved) <= MAX_SHARING:
                factor = _grading(G, node, rules) * rules.recency(event_date(G, node), as_of)
                for (a, role_a), (b, role_b) in combinations(involved, 2):
                    reason = _pair_reason(kind, role_a, role_b, rules)
                    ties.add(a, b, reason, rules.weight(reason) * factor, node)
        elif kind in _SHARED_BY_OBJECT:
            users = {p for p, _ in G.in_edges(node) if p in people}
            if 1 < len(users) <= MAX_SHARING:
                reason = _SHARED_BY_OBJECT[kind]
                for a, b in combinations(sorted(users, key=str), 2):
                    ties.add(a, b, reason, rules.weight(reason), node)
        elif kind == "Other" and roles[node].role in ("event", "thing", "place"):
            _tie_through_imported(G, node, roles, people, ties, rules, as_of)
    return ties.graph(G, order)


def _weighed_type(data: dict[str, Any], rules: Rules) -> str | None:
    """The source relationship type an imported link keeps that the rules weigh (the heaviest, when
    it keeps several), or None. A mapped link keeps its types in ``extra_types`` (the POLE map makes
    KNOWS_SN an association), a ``RELATED_TO`` link its one ``type``: either way the analyst's weight
    for that type applies, not the link kind's."""
    kept = data.get("extra_types") or [data.get("type")]
    weighed = [str(t) for t in kept if isinstance(t, str) and t and rules.weight(t)] if isinstance(kept, list) else []
    return max(weighed, key=rules.weight, default=None)  # the first of equals, in the order kept


def _tie_through_imported(
    G: nx.MultiDiGraph,
    node: Any,
    roles: dict[Any, LabelRole],
    people: set[Any],
    ties: _Ties,
    rules: Rules,
    as_of: dt.date | None,
) -> None:
    """Tie the people an imported event, thing or place brings together: those linked to it, and
    for an event those who hold a thing linked to it (the phones of a call, a vehicle used in a crime)."""
    role = roles[node]
    near = set(G.successors(node)) | set(G.predecessors(node))
    involved = {n for n in near if n in people}
    if role.role == "event":
        for thing in near:
            if roles[thing].role == "thing":
                involved.update(n for n in set(G.successors(thing)) | set(G.predecessors(thing)) if n in people)
    if not 1 < len(involved) <= MAX_SHARING or role.tie is None:
        return
    weight = rules.weight(role.tie) * (rules.recency(event_date(G, node), as_of) if role.role == "event" else 1.0)
    for a, b in combinations(sorted(involved, key=str), 2):
        ties.add(a, b, role.tie, weight, node)


def _number(value: object, default: float) -> float:
    try:
        return float(value) if isinstance(value, int | float | str) and value != "" else default
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
