"""What an officer can act on in a network of people, and what each action takes out of it.

An action on a person takes the person out. An action on a thing (a phone, a vehicle, premises, a
licence) takes out the ties it makes between people, read from the person network's tie evidence:
:func:`analytics.projections.person_network` records the link, event or object behind each tie, so
seizing a phone cuts the ties that the phone alone made, and a tie two people also have through a
family link or a shared incident stays. Children are never targets: they are safeguarded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from analytics.disruption import GENERIC_TACTICS, Tactic, default_tactics, tactic_applies, target_key
from analytics.roles import safeguarded

GENERIC_KIND = GENERIC_TACTICS  # the catalogue key of tactics for a node whose kind says nothing (an imported node)
_THING_KINDS = ("Phone", "Vehicle")
_SPECIFIC = {"suspect": 0, "linked_child": 1}


@dataclass(frozen=True, slots=True)
class Action:
    """One candidate action: its target, the tactics open against it, and what it takes out.

    ``people`` are the people it removes (the target, or a licence's holder); ``evidence`` the ids
    (objects, places, events) whose ties between people it cuts.
    """

    target: Any
    target_kind: str
    tactics: tuple[Tactic, ...]
    people: frozenset[Any]
    evidence: frozenset[Any]


def candidate_actions(
    G: nx.MultiDiGraph,
    N: nx.Graph,
    *,
    roles: Mapping[Any, frozenset[str]],
    places: Mapping[Any, set[Any]],
    tactics: Mapping[str, Sequence[Tactic]] | None = None,
) -> list[Action]:
    """Every action that takes something out of the person network ``N`` (a projection's output:
    its nodes are the people), in a fixed order: people, then things by id.

    People: every adult not safeguarded (``analytics.roles.safeguarded``: no child, no one known only
    as a victim, witness or missing person) with a tactic that removes them; a node of a kind with no
    tactics of its own (an anonymous imported node) gets the generic ``Other`` tactics, never
    person-specific legal orders, and so does a person no person tactic fits (an order that presumes
    sexual harm is not offered against someone the records tie to no child and no exploitation).
    Things: the phones and vehicles that tie people in ``N``,
    licences (their holders and the vehicles they cover) and premises (the ties made at their places).
    """
    catalogue = tactics if tactics is not None else default_tactics()
    near_child = _near_child(N, roles)
    actions: list[Action] = []
    for person in sorted(N, key=str):
        held = roles.get(person, frozenset())
        if safeguarded(held):
            continue
        key = target_key(G, person) if person in G else GENERIC_KIND
        key = key if key in catalogue and key != "None" else GENERIC_KIND
        chosen = _removing(catalogue.get(key, ()), held, person in near_child)
        if not chosen and key != GENERIC_KIND:  # no order of its kind fits (no suspicion, no child): generic ones
            chosen = _removing(catalogue.get(GENERIC_KIND, ()), held, person in near_child)
        if chosen:
            actions.append(Action(person, key, chosen, frozenset({person}), frozenset()))
    evidence = {e for _, _, ev in N.edges(data="evidence") for e in (ev or ())}
    children = {n for n in N if "child" in roles.get(n, frozenset())}
    actions += _thing_actions(G, N, evidence, children, places, catalogue)
    return actions


def _near_child(N: nx.Graph, roles: Mapping[Any, frozenset[str]]) -> set[Any]:
    near: set[Any] = set()
    for component in nx.connected_components(N):
        if any("child" in roles.get(n, frozenset()) for n in component):
            near |= component
    return near


def _removing(tactics: Sequence[Tactic], held: frozenset[str], near_child: bool) -> tuple[Tactic, ...]:
    """The tactics that apply and take something out (monitoring tactics remove nothing), those
    that need the target to be a suspect, then linked to a child, first: the most specific leads."""
    chosen = [t for t in tactics if t.removes - {"none"} and tactic_applies(t, held, near_child)]
    return tuple(sorted(chosen, key=lambda t: _SPECIFIC.get(t.applies_when or "", len(_SPECIFIC))))


def _thing_kind(G: nx.MultiDiGraph, node: Any) -> str | None:
    data = G.nodes[node]
    kind = data.get("kind")
    if kind in _THING_KINDS:
        return str(kind)
    if kind == GENERIC_KIND:  # an imported phone or vehicle keeps its source label
        labels = data.get("labels") or ()
        for label in [labels] if isinstance(labels, str) else labels:
            for thing in _THING_KINDS:
                if str(label).lower() == thing.lower():
                    return thing
    return None


def _thing_actions(
    G: nx.MultiDiGraph,
    N: nx.Graph,
    evidence: set[Any],
    children: set[Any],
    places: Mapping[Any, set[Any]],
    catalogue: Mapping[str, Sequence[Tactic]],
) -> list[Action]:
    events_at: dict[Any, set[Any]] = defaultdict(set)  # place -> the tie-making events there
    for event in evidence:
        if event in G:
            for _, place, link in G.out_edges(event, data=True):
                if link.get("kind") == "OCCURRED_AT":
                    events_at[place].add(event)

    def premises_evidence(business: Any) -> set[Any]:
        held = set(places.get(business, ())) | {business}
        return ({business} | held | {e for p in held for e in events_at.get(p, ())}) & evidence

    actions: list[Action] = []
    for node in sorted(G, key=str):
        kind = G.nodes[node].get("kind")
        thing = _thing_kind(G, node)
        if thing and node in evidence:
            chosen = _removing(catalogue.get(thing, ()), frozenset(), False)
            if chosen:
                actions.append(Action(node, thing, chosen, frozenset(), frozenset({node})))
        elif kind == "Business":
            chosen = _removing(catalogue.get("Business", ()), frozenset(), False)
            cut = premises_evidence(node)
            if chosen and cut:
                actions.append(Action(node, "Business", chosen, frozenset(), frozenset(cut)))
        elif kind == "Licence":
            key = target_key(G, node)
            chosen = _removing(catalogue.get(key, ()), frozenset(), False)
            removes = frozenset().union(*(t.removes for t in chosen)) if chosen else frozenset()
            people, cut = _licence_removal(G, node, removes, premises_evidence)
            people = {p for p in people if p in N and p not in children}
            cut &= evidence
            if chosen and (people or cut):
                actions.append(Action(node, key, chosen, frozenset(people), frozenset(cut)))
    return actions


def _licence_removal(
    G: nx.MultiDiGraph, licence: Any, removes: frozenset[str], premises_evidence: Any
) -> tuple[set[Any], set[Any]]:
    """The people a licence action removes (its holder) and the evidence whose ties it cuts (the
    vehicles it covers, a business holder's premises)."""
    people: set[Any] = set()
    cut: set[Any] = {licence}
    holders = [h for h, _, d in G.in_edges(licence, data=True) if d.get("kind") == "HOLDS_LICENCE"]
    if "holder" in removes:
        for holder in holders:
            if G.nodes[holder].get("kind") == "Business":
                cut |= premises_evidence(holder)
            else:
                people.add(holder)
    if "vehicles" in removes:
        cut.update(v for _, v, d in G.out_edges(licence, data=True) if d.get("kind") == "LICENSED_VEHICLE")
        for holder in holders:  # a driver's licence also covers the vehicles the driver is licensed to drive
            for _, plate, d in G.out_edges(holder, data=True):
                if d.get("kind") == "HOLDS_LICENCE" and G.nodes[plate].get("licence_type") == "vehicle":
                    cut.update(v for _, v, d2 in G.out_edges(plate, data=True) if d2.get("kind") == "LICENSED_VEHICLE")
    return people, cut
