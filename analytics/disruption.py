"""Disruption options: simulate each action against a group's network and rank them, with reasons.

Networks rewire after disruption (Duijn, Kashirin and Sloot 2014, "The relative ineffectiveness of
criminal network disruption", Scientific Reports 4:4238): removing a key player often hands the role
to another member, and the effects here are the immediate structural ones. Every option says so.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import networkx as nx
import yaml

from analytics.projections import ACTOR_KINDS, label_of, parties
from analytics.roles import EXPLOITATION_SUSPECT
from analytics.rules import InvalidRules

REWIRING_NOTE = (
    "Networks rewire after disruption (Duijn, Kashirin and Sloot 2014): another member may take over "
    "this role. Re-run the analysis after acting."
)
_REMOVALS = frozenset({"target", "holder", "vehicles", "none"})


@dataclass(frozen=True, slots=True)
class Tactic:
    """One tactic of the catalogue (``analytics/tactics.yaml``)."""

    target_kind: str
    name: str
    removes: frozenset[str]
    description: str
    needs: str
    applies_when: str | None = None


def tactics_from_mapping(raw: Mapping[str, Any]) -> dict[str, list[Tactic]]:
    """Parse a tactics catalogue: target kind -> tactics.

    Raises:
        InvalidRules: an entry lacks a field or removes something the simulation cannot.
    """
    catalogue: dict[str, list[Tactic]] = {}
    for target_kind, entries in raw.items():
        for i, entry in enumerate(entries or []):
            where = f"tactics: {target_kind} entry {i + 1}"
            try:
                removes = frozenset(entry["removes"])
                tactic = Tactic(
                    str(target_kind),
                    str(entry["name"]),
                    removes,
                    str(entry["description"]),
                    str(entry["needs"]),
                    entry.get("applies_when"),
                )
            except (KeyError, TypeError) as exc:
                raise InvalidRules(f"{where}: needs name, removes, description and needs ({exc})") from exc
            if not removes <= _REMOVALS:
                raise InvalidRules(f"{where}: removes {sorted(removes - _REMOVALS)}; use {sorted(_REMOVALS)}")
            catalogue.setdefault(str(target_kind), []).append(tactic)
    return catalogue


@cache
def default_tactics() -> dict[str, list[Tactic]]:
    """The shipped catalogue (``analytics/tactics.yaml``, package data read once). Callers with
    their own catalogue parse it and pass it to :func:`tactics_from_mapping`."""
    text = resources.files("analytics").joinpath("tactics.yaml").read_text(encoding="utf-8")
    return tactics_from_mapping(yaml.safe_load(text))


def disruption_network(
    G: nx.MultiDiGraph, P: nx.Graph, people: Iterable[Any], *, places: Mapping[Any, set[Any]]
) -> nx.Graph:
    """The group's network as the simulation sees it: its people and their ties, the vehicles,
    phones, licences and businesses they use, and the missing episodes and incidents that bring
    children and suspects together (an episode found at a business's place joins that business)."""
    members = set(people)
    D = nx.Graph()
    for person in members:
        D.add_node(person, kind=G.nodes[person].get("kind"))
    D.add_edges_from(P.subgraph(members).edges())
    place_of = {place: business for business, held in places.items() for place in held}
    for person in members:
        for thing in G.successors(person):
            kind = G.nodes[thing].get("kind")
            if kind in ("Vehicle", "Phone", "Licence", "Business"):
                D.add_edge(person, thing)
            elif kind in ("MissingEpisode", "Incident"):
                D.add_edge(person, thing)
                for other, _ in parties(G, thing):
                    D.add_edge(other, thing)
                for _, place, link in G.out_edges(thing, data=True):
                    if link.get("kind") == "OCCURRED_AT" and place in place_of:
                        D.add_edge(thing, place_of[place])
            elif kind == "Intelligence":
                for subject, _, link in G.in_edges(thing, data=True):
                    if G.nodes[subject].get("kind") == "Business" and link.get("kind") == "SUBJECT_OF":
                        D.add_edge(person, subject)
    for node in list(D):
        kind = G.nodes[node].get("kind")
        D.nodes[node]["kind"] = kind
        if kind == "Licence":
            for _, vehicle, data in G.out_edges(node, data=True):
                if data.get("kind") == "LICENSED_VEHICLE":
                    D.add_edge(node, vehicle)
                    D.nodes[vehicle]["kind"] = "Vehicle"
            for holder, _, data in G.in_edges(node, data=True):
                if data.get("kind") == "HOLDS_LICENCE" and G.nodes[holder].get("kind") == "Business":
                    D.add_edge(holder, node)
                    D.nodes[holder]["kind"] = "Business"
    return D


def _reach(
    D: nx.Graph, children: Collection[Any], suspects: Collection[Any]
) -> tuple[set[Any], set[tuple[Any, Any]], int, float]:
    component_of: dict[Any, int] = {}
    people_in: list[int] = []
    for i, component in enumerate(nx.connected_components(D)):
        for n in component:
            component_of[n] = i
        people_in.append(sum(1 for n in component if D.nodes[n].get("kind") in ACTOR_KINDS))
    pairs = {(c, s) for c in children for s in suspects if c in D and s in D and component_of[c] == component_of[s]}
    reached = {c for c, _ in pairs}
    n = sum(people_in)
    connected = sum(k * (k - 1) for k in people_in)
    frag = 1.0 - connected / (n * (n - 1)) if n > 1 else 1.0
    return reached, pairs, max(people_in, default=0), frag


def simulate_disruption(
    D: nx.Graph, removed: Iterable[Any], *, children: Collection[Any], suspects: Collection[Any]
) -> dict[str, Any]:
    """The immediate effect of removing nodes from a disruption network.

    Returns the largest component (people) before and after and its shrinkage, fragmentation
    among the people left, children no longer connected to any suspect, and child-suspect
    connections broken.

    >>> D = nx.path_graph(["child", "driver", "organiser"])
    >>> for n in D: D.nodes[n]["kind"] = "Person"
    >>> simulate_disruption(D, ["driver"], children=["child"], suspects=["organiser"])["children_cut_off"]
    1
    """
    gone = set(removed)
    reached, pairs, largest, _ = _reach(D, children, suspects)
    after = D.subgraph(n for n in D if n not in gone)
    reached_after, pairs_after, largest_after, frag_after = _reach(after, children, suspects)
    return {
        "largest_before": largest,
        "largest_after": largest_after,
        "shrinkage": round(1.0 - largest_after / largest, 4) if largest else 0.0,
        "fragmentation": round(frag_after, 4),
        "children_cut_off": len(reached - reached_after),
        "children_reached_before": len(reached),
        "paths_broken": len(pairs - pairs_after),
        "paths_before": len(pairs),
    }


def _option_score(effect: Mapping[str, Any]) -> float:
    """Safeguarding first: children cut off weigh most, then broken paths, shrinkage, fragmentation."""
    cut = effect["children_cut_off"] / effect["children_reached_before"] if effect["children_reached_before"] else 0.0
    broken = effect["paths_broken"] / effect["paths_before"] if effect["paths_before"] else 0.0
    return round(0.4 * cut + 0.3 * broken + 0.2 * float(effect["shrinkage"]) + 0.1 * float(effect["fragmentation"]), 4)


def _target_key(G: nx.MultiDiGraph, node: Any) -> str:
    data = G.nodes[node]
    kind = str(data.get("kind"))
    return f"Licence:{data.get('licence_type')}" if kind == "Licence" else kind


def _removal(G: nx.MultiDiGraph, D: nx.Graph, target: Any, removes: frozenset[str]) -> set[Any]:
    gone: set[Any] = set()
    if "target" in removes:
        gone.add(target)
    if "holder" in removes:
        gone.update(h for h, _, d in G.in_edges(target, data=True) if d.get("kind") == "HOLDS_LICENCE")
    if "vehicles" in removes:
        gone.update(v for _, v, d in G.out_edges(target, data=True) if d.get("kind") == "LICENSED_VEHICLE")
        for holder, _, d in G.in_edges(target, data=True):  # a driver's licensed vehicles
            if d.get("kind") == "HOLDS_LICENCE":
                for _, plate, d2 in G.out_edges(holder, data=True):
                    if d2.get("kind") == "HOLDS_LICENCE" and G.nodes[plate].get("licence_type") == "vehicle":
                        gone.update(
                            v for _, v, d3 in G.out_edges(plate, data=True) if d3.get("kind") == "LICENSED_VEHICLE"
                        )
    return {n for n in gone if n in D}


def _applies(tactic: Tactic, roles: frozenset[str], linked_child: bool) -> bool:
    if tactic.applies_when == "linked_child":
        return linked_child
    if tactic.applies_when == "suspect":
        return "suspect" in roles or EXPLOITATION_SUSPECT in roles
    return True


def rank_disruption_options(
    G: nx.MultiDiGraph,
    P: nx.Graph,
    members: Iterable[Any],
    *,
    group_id: str,
    roles: Mapping[Any, frozenset[str]],
    key_players: Sequence[Any],
    places: Mapping[Any, set[Any]],
    tactics: Mapping[str, Sequence[Tactic]] | None = None,
    max_people: int = 8,
) -> list[dict[str, Any]]:
    """Every candidate action against a group, simulated and ranked across tactic types.

    Candidates: the group's top ``max_people`` key players (``key_players`` in rank order), every
    licence and business in its network, and vehicles and phones used by two or more members
    (monitoring tactics, which remove nothing). Each option lists the tactics that apply, what
    they need, the simulated effect and the reasons for its rank.
    """
    tactics = tactics if tactics is not None else default_tactics()
    people = set(members)
    D = disruption_network(G, P, people, places=places)
    children = [n for n in D if "child" in roles.get(n, frozenset())]
    suspects = [n for n in D if EXPLOITATION_SUSPECT in roles.get(n, frozenset())] or [
        n for n in people if "child" not in roles.get(n, frozenset())
    ]
    linked_to_child = {n for c in children for n in nx.node_connected_component(D, c)} if children else set()
    candidates = [p for p in key_players if p in D and "child" not in roles.get(p, frozenset())][:max_people]
    for node in sorted(D, key=str):
        kind = D.nodes[node].get("kind")
        if kind in ("Licence", "Business") or (
            kind in ("Vehicle", "Phone") and sum(1 for m in D[node] if m in people) >= 2
        ):
            candidates.append(node)
    options = []
    for target in candidates:
        key = _target_key(G, target)
        applicable = [
            t for t in tactics.get(key, ()) if _applies(t, roles.get(target, frozenset()), target in linked_to_child)
        ]
        if not applicable:
            continue
        removes = frozenset().union(*(t.removes for t in applicable))
        gone = _removal(G, D, target, removes)
        effect = simulate_disruption(D, gone, children=children, suspects=suspects)
        options.append(
            {
                "group_id": group_id,
                "entity_id": target,
                "label": label_of(G, target),
                "target_kind": key,
                "tactics": [{"name": t.name, "description": t.description, "needs": t.needs} for t in applicable],
                "removes": sorted(str(n) for n in gone),
                **effect,
                "score": _option_score(effect),
                "reasons": _reasons(effect, gone, target),
                "note": REWIRING_NOTE,
            }
        )
    options.sort(key=lambda o: (-o["score"], o["target_kind"], str(o["entity_id"])))
    for rank, option in enumerate(options, start=1):
        option["rank"] = rank
    return options


def _reasons(effect: Mapping[str, Any], gone: set[Any], target: Any) -> list[str]:
    if not gone:
        return ["monitoring: gathers evidence and removes nothing from the network"]
    reasons = []
    if effect["children_cut_off"]:
        reasons.append(
            f"cuts {effect['children_cut_off']} of {effect['children_reached_before']} children off from every suspect"
        )
    if effect["paths_broken"]:
        reasons.append(f"breaks {effect['paths_broken']} of {effect['paths_before']} child-suspect connections")
    if effect["shrinkage"] > 0:
        reasons.append(
            f"largest connected part falls from {effect['largest_before']} to {effect['largest_after']} people"
        )
    if len(gone) > 1:
        reasons.append(f"removes {len(gone)} nodes: the target with the people or vehicles it covers")
    return reasons or ["little structural effect: the group stays connected around it"]
