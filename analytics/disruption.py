"""Disruption tactics (the catalogue in ``analytics/tactics.yaml``) and each group's options: every
action on a member, or on a thing that ties members, simulated alone on the whole network (see
``analytics/plan.py``, which also orders actions into a plan) and ranked across tactic types, with reasons.

Networks rewire after disruption (Duijn, Kashirin and Sloot 2014, "The relative ineffectiveness of
criminal network disruption", Scientific Reports 4:4238): removing a key player often hands the role
to another member, and the effects here are the immediate structural ones. Every option says so.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import networkx as nx
import yaml

from analytics.projections import ACTOR_KINDS, label_of
from analytics.roles import EXPLOITATION_SUSPECT, safeguarded
from analytics.rules import InvalidRules
from graph.result_rows import DisruptionOptionRow, TacticChoice

GENERIC_TACTICS = "Other"  # the catalogue's generic tactics, for a node no kind-specific tactic fits
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


def target_key(G: nx.MultiDiGraph, node: Any) -> str:
    """The catalogue key of a node: its kind, and for a licence its type (``Licence:driver``)."""
    data = G.nodes[node]
    kind = str(data.get("kind"))
    return f"Licence:{data.get('licence_type')}" if kind == "Licence" else kind


def tactic_applies(tactic: Tactic, roles: frozenset[str], linked_child: bool) -> bool:
    """Whether a tactic is open against a target with these roles (and linked to a child or not)."""
    if tactic.applies_when == "linked_child":
        return linked_child
    if tactic.applies_when == "suspect":
        return "suspect" in roles or EXPLOITATION_SUSPECT in roles
    if tactic.applies_when == "exploitation":
        return EXPLOITATION_SUSPECT in roles or linked_child
    return True


def rank_disruption_options(
    G: nx.MultiDiGraph,
    members: Iterable[Any],
    *,
    group_id: str,
    effects: Sequence[Mapping[str, Any]],
    roles: Mapping[Any, frozenset[str]],
    tactics: Mapping[str, Sequence[Tactic]] | None = None,
) -> list[DisruptionOptionRow]:
    """A group's options, ranked across tactic types, each effect measured on the whole network.

    ``effects`` are the single actions simulated once on the whole network (concern network, or
    the whole person network with no roles): each has the action's ``target``, ``target_kind``,
    ``touches`` (the people whose ties it cuts or who it removes) and the effect fields of
    :func:`simulate_disruption`. An option is an action on a member (an adult: children are never
    targets) or on a thing whose removal touches a member. Every member is a candidate: with the
    whole-network simulation done once, there is no need for a cap.
    """
    catalogue = tactics if tactics is not None else default_tactics()
    people = set(members)
    options: list[DisruptionOptionRow] = []
    for effect in effects:
        target = effect["target"]
        if target in people:
            if safeguarded(roles.get(target, frozenset())):
                continue
        elif not people & set(effect["touches"]):
            continue
        held = roles.get(target, frozenset())
        # the network's children linked to a suspect stand for "linked to a child", as the plan's own walk does
        linked_child = bool(effect.get("children_reached_before"))
        own = [t for t in catalogue.get(effect["target_kind"], ()) if tactic_applies(t, held, linked_child)]
        chosen = set(effect["tactic_names"])
        # a person no person tactic applies to was given the generic ones (analytics.actions)
        fallback = [t for t in catalogue.get(GENERIC_TACTICS, ()) if t.name in chosen and t not in own]
        open_tactics = [*own, *fallback]
        measured = {k: v for k, v in effect.items() if k not in ("target", "target_kind", "touches")}
        options.append(
            DisruptionOptionRow(
                group_id=group_id,
                entity_id=target,
                label=label_of(G, target) if target in G else str(target),
                target_kind=effect["target_kind"],
                tactics=[
                    TacticChoice(t.name, t.description, t.needs)
                    for t in open_tactics
                    if t.name in chosen or t.removes == {"none"}
                ],
                tactic_names=list(effect["tactic_names"]),
                removes=list(effect["removes"]),
                ties_cut=effect["ties_cut"],
                network_people=effect["network_people"],
                largest_before=effect["largest_before"],
                largest_after=effect["largest_after"],
                shrinkage=effect["shrinkage"],
                fragmentation=effect["fragmentation"],
                children_cut_off=effect["children_cut_off"],
                children_reached_before=effect["children_reached_before"],
                paths_broken=effect["paths_broken"],
                paths_before=effect["paths_before"],
                score=_option_score(measured),
                reasons=_reasons(measured),
                note=REWIRING_NOTE,
                rank=0,  # set below, once all are scored
            )
        )
    options.sort(key=lambda o: (-o.score, o.target_kind, str(o.entity_id)))
    options = [dataclasses.replace(option, rank=rank) for rank, option in enumerate(options, start=1)]
    return options


def _reasons(effect: Mapping[str, Any]) -> list[str]:
    where = f"in the whole network of concern ({effect['network_people']} people)"
    reasons = []
    if effect["children_cut_off"]:
        reasons.append(
            f"cuts {effect['children_cut_off']} of {effect['children_reached_before']} children off from every "
            f"suspect {where}"
        )
    if effect["paths_broken"]:
        reasons.append(f"breaks {effect['paths_broken']} of {effect['paths_before']} child-suspect connections")
    if effect["largest_after"] < effect["largest_before"]:
        reasons.append(
            f"the largest connected part of the network of concern falls from {effect['largest_before']} to "
            f"{effect['largest_after']} of its {effect['network_people']} people"
        )
    if effect["ties_cut"]:
        reasons.append(f"cuts {effect['ties_cut']} ties between people that rest on it alone")
    if len(effect["removes"]) > 1:
        reasons.append(f"takes out {len(effect['removes'])} people: the licence holder or those it covers")
    return reasons or [f"little structural effect on its own: the network stays connected around it ({where})"]
