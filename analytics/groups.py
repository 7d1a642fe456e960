"""Groups: communities of the concern network, and a profile of each that an analyst can act on."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

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
from graph.result_rows import GroupMember, GroupRow, Labelled

MIN_GROUP_SIZE = 3
CORE_TIES = 2  # a core member has member ties to at least this many others at the group's centre
# Ties that place someone near a group without making them one of it: family, neighbours (a shared
# address) and being party to the same incident other than as co-offenders (a victim, a witness).
CONTEXT_TIES = frozenset({"FAMILY_OF", "shared_address", "co_party"})
TIE_WORDS = {
    "ASSOCIATE_OF": "recorded association",
    "FAMILY_OF": "family",
    "RELATED_TO": "link",
    "co_offending": "co-offending",
    "co_party": "same incident",
    "co_subject": "same intelligence report",
    "found_with": "found with a missing person",
    "shared_address": "same address",
    "shared_phone": "same phone",
    "shared_vehicle": "same vehicle",
}


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


@dataclass(frozen=True, slots=True)
class Membership:
    """Whether a person is one of a group's core members or on its periphery, and why, in words."""

    status: Literal["core", "periphery"]
    reason: str


def find_core(P: nx.Graph, members: Iterable[Any], *, children: Iterable[Any] = ()) -> dict[Any, Membership]:
    """Split a group into its core members and its periphery.

    A *member tie* is a tie with any evidence beyond ``CONTEXT_TIES`` (family, a shared address, an
    incident shared as victim or witness); a tie with no recorded reasons, as in an imported edge
    list, is a member tie. The group's centre is the 2-core of its member ties: everyone with member
    ties to at least two others who are themselves so tied. Its core members are the adults at the
    centre; children are safeguarded and never counted as members, so they are always periphery.
    A group whose member ties form no ring (a chain or a star) has its hubs, the people with two or
    more member ties, as its core.

    >>> star = nx.star_graph(3)
    >>> ring = nx.cycle_graph(4)
    >>> _ = ring.add_edge(0, "friend")
    >>> sorted(n for n, m in find_core(ring, ring).items() if m.status == "core")
    [0, 1, 2, 3]
    >>> find_core(ring, ring)["friend"].reason
    "periphery: 1 tie into the group's centre (link); core members have 2 or more"
    >>> [n for n, m in find_core(star, star).items() if m.status == "core"]
    [0]
    """
    people = set(members)
    young = set(children) & people
    sub = P.subgraph(people)
    ties = nx.Graph()
    ties.add_nodes_from(people)
    ties.add_edges_from((u, v) for u, v, why in sub.edges(data="reasons") if _is_member_tie(why))
    centre = {n for n, k in nx.core_number(ties).items() if k >= CORE_TIES}
    hubs = not centre - young
    if hubs:  # no ring of member ties: the hubs of the chain or star hold it together
        centre = {n for n in people if ties.degree(n) >= CORE_TIES}
    found: dict[Any, Membership] = {}
    for person in sorted(people, key=str):
        inside = [other for other in ties[person] if other in centre]
        kinds = _tie_words(sub, person, inside)
        share = _share_inside(P, sub, person)
        if person in young:
            found[person] = Membership("periphery", "periphery: a child, safeguarded and never counted as a member")
        elif person in centre and hubs:
            found[person] = Membership("core", f"core: a hub tied to {ties.degree(person)} members: {kinds}{share}")
        elif person in centre:
            found[person] = Membership(
                "core", f"core: tied to {len(inside)} others at the group's centre: {kinds}{share}"
            )
        else:
            found[person] = Membership("periphery", "periphery: " + _why_periphery(sub, ties, person, inside) + share)
    return found


def _is_member_tie(reasons: Mapping[str, int] | None) -> bool:
    return not reasons or any(reason not in CONTEXT_TIES for reason in reasons)


def _tie_words(sub: nx.Graph, person: Any, others: Iterable[Any]) -> str:
    """The kinds of tie between ``person`` and ``others``, most common first, counted in ties."""
    kinds: Counter[str] = Counter()
    for other in others:
        kinds.update((sub[person][other].get("reasons") or {"RELATED_TO": 1}).keys())
    return ", ".join(_word(k) if n == 1 else f"{_word(k)} ({n})" for k, n in kinds.most_common())


def _word(reason: str) -> str:
    return TIE_WORDS.get(reason, reason.replace("_", " "))


def _share_inside(P: nx.Graph, sub: nx.Graph, person: Any) -> str:
    """A note when most of a person's tie strength lies outside the group (a boundary person)."""
    total = P.degree(person, weight="weight")
    share = sub.degree(person, weight="weight") / total if total else 1.0
    return f"; only {share:.0%} of their tie strength is inside the group" if share < 0.5 else ""


def _why_periphery(sub: nx.Graph, ties: nx.Graph, person: Any, inside: list[Any]) -> str:
    if ties.degree(person) == 0:
        context: Counter[str] = Counter()
        for other in sub[person]:
            context.update((sub[person][other].get("reasons") or {}).keys())
        return "tied to the group only by " + ", ".join(_word(k) for k, _ in context.most_common())
    if not inside:
        return f"its member ties ({_tie_words(sub, person, ties[person])}) reach only others on the periphery"
    return (
        f"{len(inside)} tie into the group's centre ({_tie_words(sub, person, inside)}); "
        f"core members have {CORE_TIES} or more"
    )


def group_ids(groups: Sequence[Iterable[Any]]) -> list[str]:
    """Display ids for groups in order: ``G001``, ``G002`` ..."""
    return [f"G{i + 1:03d}" for i in range(len(groups))]


def member_role(roles: frozenset[str], *, is_lead: bool, core: bool = True) -> str:
    """A member's part in a group, as an analyst would name it (``contact`` for an adult on its periphery)."""
    if "child" in roles:
        return "child"
    if is_lead:
        return "organiser"
    if "driver" in roles or "licence_holder" in roles:
        return "facilitator"
    return "associate" if core else "contact"


def profile_group(
    G: nx.MultiDiGraph,
    P: nx.Graph,
    members: Iterable[Any],
    *,
    group_id: str,
    roles: Mapping[Any, frozenset[str]],
    ranked: Sequence[tuple[Any, float, Mapping[str, float]]],
    organisers: int = 2,
) -> GroupRow:
    """Everything an analyst asks of a group: who, in what role, with what, where, when, on whose word.

    ``ranked`` is the group's key-player ranking; its top ``organisers`` adults who are suspects
    (or, failing that, its top adults), core members before the periphery, are named as organisers.
    ``members`` lists everyone in the group, core members first (:func:`find_core`), each with its
    ``membership`` and the reason; ``core`` and ``periphery`` split them.
    """
    people = set(members)
    membership = find_core(P, people, children=(p for p in people if "child" in roles.get(p, frozenset())))
    adults = [n for n, _, _ in ranked if "child" not in roles.get(n, frozenset())]
    suspects = [n for n in adults if EXPLOITATION_SUSPECT in roles.get(n, frozenset())]
    # an organiser is one of the group's core members when any of them is ranked
    leads = sorted(suspects or adults, key=lambda n: membership[n].status != "core")[:organisers]
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
    in_rank_order = [*(n for n, _, _ in ranked), *sorted(people - {n for n, _, _ in ranked}, key=str)]
    member_rows = [
        GroupMember(
            entity_id=n,
            label=label_of(G, n),
            role=member_role(roles.get(n, frozenset()), is_lead=n in leads, core=membership[n].status == "core"),
            roles=sorted(roles.get(n, frozenset())),
            membership=membership[n].status,
            membership_reason=membership[n].reason,
        )
        for n in sorted(in_rank_order, key=lambda n: membership[n].status != "core")  # stable: core first
    ]
    core = [n for n in in_rank_order if membership[n].status == "core"]
    lead = leads[0] if leads else (ranked[0][0] if ranked else next(iter(people)))
    return GroupRow(
        group_id=group_id,
        entity_id=lead,
        label=_group_label(group_id, len(core), len(people), label_of(G, lead)),
        size=len(people),
        core_size=len(core),
        core=_labelled(G, core, order=False),
        periphery=_labelled(G, (n for n in in_rank_order if membership[n].status != "core"), order=False),
        density=round(nx.density(sub), 4) if len(people) > 1 else 0.0,
        members=member_rows,
        organisers=_labelled(G, leads, order=False),
        children=_labelled(G, linked_children),
        vehicles=_labelled(G, objects["Vehicle"]),
        phones=_labelled(G, objects["Phone"]),
        licences=_labelled(G, objects["Licence"]),
        premises=_labelled(G, objects["Business"]),
        events=len(events),
        first_activity=dates[0] if dates else None,
        last_activity=dates[-1] if dates else None,
        sources=dict(sorted(sources.items())),
        gradings=dict(sorted(gradings.items())),
        key_player_set=[],  # the analysis adds the group's key-player set
        fragmentation_after_key_player_set=0.0,
    )


def _group_label(group_id: str, core: int, listed: int, lead: str) -> str:
    """``G001: 14 core members and 19 others around ...``: the core is the group a reader sees."""
    if not core:
        return f"{group_id}: {listed} people around {lead} (no core)"
    others = listed - core
    return f"{group_id}: {core} core member{'s' * (core != 1)} and {others} other{'s' * (others != 1)} around {lead}"


def _labelled(G: nx.MultiDiGraph, nodes: Iterable[Any], *, order: bool = True) -> list[Labelled]:
    return [Labelled(n, label_of(G, n)) for n in (sorted(nodes, key=str) if order else nodes)]
