"""The contextual-safeguarding view of one child: episodes, factors, suspects, peers and places.

Everything here is a list of recorded facts a safeguarding professional can check, never a score.
Counts count distinct things (episodes, places, children), never links: after resolution two
agencies' records of one episode may leave two parallel links between the child and the episode,
and the child was still missing once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from typing import Any

import h3
import networkx as nx

from analytics.places import coordinates
from analytics.projections import label_of, parties, person_network
from analytics.roles import EXPLOITATION_SUSPECT, EXPLOITATION_VICTIM, person_roles
from analytics.rules import Rules, default_rules

SUSPECT_ROLES = frozenset({"suspect", EXPLOITATION_SUSPECT})
# What a child's view reads around the child (see context_link_kinds). The person network ties
# people through these links and through events (PARTY_TO, SUBJECT_OF); roles come from events,
# licences and licensing decisions. Found-places are read apart, through missing episodes only:
# a busy place's other incidents and their parties say nothing about the child.
_TIE_LINKS = frozenset(
    {"ASSOCIATE_OF", "FAMILY_OF", "RELATED_TO", "PARTY_TO", "SUBJECT_OF", "HOLDS_LICENCE", "DECISION_ON"}
)
_SHARED_OBJECT_KINDS = frozenset({"Phone", "Vehicle", "Location"})
FOUND_LINKS = frozenset({"PARTY_TO", "OCCURRED_AT"})
FOUND_KINDS = frozenset({"Person", "MissingEpisode", "Location", "Business"})
CONTEXT_HOPS = 5  # a suspect two steps away in the person network is four links out; their events, five
FOUND_HOPS = 4  # child, episode, place, another child's episode, that child
# A peer is a child known to agencies, as in analytics.children: missing, known to care or a victim.
_KNOWN_CHILD_ROLES = frozenset({"missing", "known_to_care", "victim", EXPLOITATION_VICTIM})
MAX_NETWORK = 80


def child_safeguarding(
    G: nx.MultiDiGraph,
    child: Any,
    *,
    P: nx.Graph | None = None,
    roles: Mapping[Any, frozenset[str]] | None = None,
    hot_cells: Collection[str] = (),
    as_of: dt.date | None = None,
    rules: Rules | None = None,
    resolution: int = 9,
    max_network: int = MAX_NETWORK,
) -> dict[str, Any]:
    """What surrounds one child: episodes, return-interview factors, suspects, peers and places of concern.

    ``P`` (the person network) and ``roles`` are made from ``G`` when not given. ``hot_cells`` are
    the H3 cells (at ``resolution``) the hotspot analysis flagged; a found-place in one is marked.

    Returns a dict of plain data:

    - ``episodes``: one row per distinct missing episode, oldest first, with where the child was
      found and who with, the return-interview date and its push and pull factors;
    - ``push_factors`` / ``pull_factors``: each factor with the number of distinct episodes naming it
      (pull factors that point to exploitation are marked);
    - ``suspects``: suspects one and two steps away in the person network, with who or what links them;
    - ``peers``: other known children sharing an episode, a found-place or an adult found with
      them, or within two steps in the person network;
    - ``places``: each place the child was found, with its count of distinct episodes;
    - ``counts``: distinct counts of each of those; ``network``: ids for a small drawing, child first.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("c", kind="Person", label="Child", date_of_birth="2012-01-01")
    >>> G.add_node("e", kind="MissingEpisode", reported_at="2026-01-02T20:00:00", pull_factors=["gifts"])
    >>> G.add_node("h", kind="Location", label="Hotel", latitude=54.6, longitude=0.7)
    >>> _ = G.add_edge("c", "e", key="police", kind="PARTY_TO", role="missing")
    >>> _ = G.add_edge("c", "e", key="care", kind="PARTY_TO", role="missing")  # a second agency's record
    >>> _ = G.add_edge("e", "h", key="f", kind="OCCURRED_AT", role="found")
    >>> view = child_safeguarding(G, "c", as_of=dt.date(2026, 6, 1))
    >>> view["counts"]["episodes"], view["places"][0]["label"], view["places"][0]["episodes"]
    (1, 'Hotel', 1)
    >>> view["pull_factors"]
    [{'factor': 'gifts', 'episodes': 1, 'exploitation': True}]
    """
    if child not in G:
        raise KeyError(f"{child!r} is not in the graph")
    rules = rules or default_rules()
    roles = roles if roles is not None else person_roles(G, rules=rules, as_of=as_of)
    P = P if P is not None else person_network(G, rules=rules, as_of=as_of)
    episodes = missing_episodes(G, child)
    rows = [_episode_row(G, child, e) for e in episodes]
    places = _places(G, child, episodes, roles, hot_cells, resolution)
    suspects = _suspects(G, P, child, roles)
    peers = _peers(G, P, child, episodes, roles)
    view = {
        "entity_id": child,
        "label": label_of(G, child),
        "episodes": rows,
        "push_factors": _factor_counts(rows, "push_factors", rules=None),
        "pull_factors": _factor_counts(rows, "pull_factors", rules=rules),
        "suspects": suspects,
        "peers": peers,
        "places": places,
    }
    view["counts"] = {
        "episodes": len(rows),
        "return_interviews": sum(1 for r in rows if r["return_interview_on"]),
        "found_places": len(places),
        "places_of_concern": sum(1 for p in places if p["in_hotspot"]),
        "suspects_within_1": sum(1 for s in suspects if s["steps"] == 1),
        "suspects_within_2": len(suspects),
        "peers": len(peers),
        "adults_found_with": len({a for r in rows for a in r["found_with_ids"]}),
    }
    view["network"] = _network_ids(G, P, child, rows, suspects, peers, max_network)
    return view


def context_link_kinds(links: Mapping[str, Any]) -> frozenset[str]:
    """The link kinds to read around a child for the person network and roles, from the schema's links.

    Besides the ties and events named here, any link from a person to a phone, vehicle or location
    counts: the person network ties people who share one.

    >>> from types import SimpleNamespace as Kind
    >>> sorted(context_link_kinds({"USES_PHONE": Kind(sources={"Person"}, targets={"Phone"}),
    ...                            "OPERATES_AT": Kind(sources={"Business"}, targets={"Location"}),
    ...                            "PARTY_TO": Kind(sources={"Person"}, targets={"Incident"})}))
    ['PARTY_TO', 'USES_PHONE']
    """
    shared = {
        name for name, spec in links.items() if "Person" in spec.sources and set(spec.targets) & _SHARED_OBJECT_KINDS
    }
    return frozenset((_TIE_LINKS & set(links)) | shared)


def missing_episodes(G: nx.MultiDiGraph, child: Any) -> list[Any]:
    """The distinct missing episodes the child was reported missing in, oldest first.

    Parallel links (two agencies' records of one episode) give the episode once.
    """
    found = {
        e
        for _, e, d in G.out_edges(child, data=True)
        if d.get("kind") == "PARTY_TO" and d.get("role") == "missing" and G.nodes[e].get("kind") == "MissingEpisode"
    }
    return sorted(found, key=lambda e: (_episode_day(G, e) or "9999", str(e)))


def _is_episode(G: nx.MultiDiGraph, node: Any) -> bool:
    return bool(G.nodes[node].get("kind") == "MissingEpisode")


def _episode_day(G: nx.MultiDiGraph, episode: Any) -> str | None:
    data = G.nodes[episode]
    value = data.get("reported_at") or data.get("first_seen")
    return str(value) if value else None


def _found_places(G: nx.MultiDiGraph, episode: Any) -> list[Any]:
    return _distinct(
        p for _, p, d in G.out_edges(episode, data=True) if d.get("kind") == "OCCURRED_AT" and d.get("role") == "found"
    )


def _found_with(G: nx.MultiDiGraph, episode: Any) -> list[Any]:
    return _distinct(p for p, role in parties(G, episode) if role == "found_with")


def _distinct(items: Iterable[Any]) -> list[Any]:
    return sorted(set(items), key=str)


def _strings(value: object) -> list[str]:
    if not isinstance(value, list | tuple):
        return []
    return list(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))


def _episode_row(G: nx.MultiDiGraph, child: Any, episode: Any) -> dict[str, Any]:
    data = G.nodes[episode]
    places, adults = _found_places(G, episode), _found_with(G, episode)
    others = _distinct(p for p, role in parties(G, episode) if role == "missing" and p != child)
    return {
        "entity_id": episode,
        "reference": str(data.get("reference") or label_of(G, episode)),
        "reported_at": _episode_day(G, episode),
        "returned_at": data.get("returned_at"),
        "return_interview_on": data.get("return_interview_on"),
        "risk_level": data.get("risk_level"),
        "push_factors": _strings(data.get("push_factors")),
        "pull_factors": _strings(data.get("pull_factors")),
        "found_at": [label_of(G, p) for p in places],
        "found_at_ids": places,
        "found_with": [label_of(G, p) for p in adults],
        "found_with_ids": adults,
        "also_missing_ids": others,
    }


def _factor_counts(rows: list[dict[str, Any]], key: str, *, rules: Rules | None) -> list[dict[str, Any]]:
    """Each factor with the number of distinct episodes that name it, most named first."""
    episodes: dict[str, set[Any]] = defaultdict(set)
    for row in rows:
        for factor in row[key]:
            episodes[factor.lower()].add(row["entity_id"])
    counted = []
    for factor, named in sorted(episodes.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        entry: dict[str, Any] = {"factor": factor, "episodes": len(named)}
        if rules is not None:
            entry["exploitation"] = factor in rules.pull_factors
        counted.append(entry)
    return counted


def _places(
    G: nx.MultiDiGraph,
    child: Any,
    episodes: list[Any],
    roles: Mapping[Any, frozenset[str]],
    hot_cells: Collection[str],
    resolution: int,
) -> list[dict[str, Any]]:
    """Each place the child was found, with distinct episodes there and other known children found there."""
    episodes_at: dict[Any, set[Any]] = defaultdict(set)
    for episode in episodes:
        for place in _found_places(G, episode):
            episodes_at[place].add(episode)
    hot = set(hot_cells)
    rows = []
    for place, here in episodes_at.items():
        where = coordinates(G, place)
        cell = h3.latlng_to_cell(where[0], where[1], resolution) if where else None
        days = sorted(d for d in (_episode_day(G, e) for e in here) if d)
        others = _children_found_at(G, place, roles) - {child}
        rows.append(
            {
                "entity_id": place,
                "kind": G.nodes[place].get("kind"),
                "label": label_of(G, place),
                "episodes": len(here),
                "first_found": days[0] if days else None,
                "last_found": days[-1] if days else None,
                "other_children": len(others),
                "in_hotspot": cell in hot,
                "latitude": where[0] if where else None,
                "longitude": where[1] if where else None,
            }
        )
    rows.sort(key=lambda r: (-r["episodes"], -r["other_children"], r["label"]))
    return rows


def _known_child(roles: Mapping[Any, frozenset[str]], person: Any) -> bool:
    held = roles.get(person, frozenset())
    return "child" in held and bool(held & _KNOWN_CHILD_ROLES)


def _children_found_at(G: nx.MultiDiGraph, place: Any, roles: Mapping[Any, frozenset[str]]) -> set[Any]:
    """Known children reported missing in an episode that ended with them found at ``place``."""
    found: set[Any] = set()
    for episode, _, d in G.in_edges(place, data=True):
        if _is_episode(G, episode) and d.get("kind") == "OCCURRED_AT" and d.get("role") == "found":
            found.update(p for p, role in parties(G, episode) if role == "missing" and _known_child(roles, p))
    return found


def _within(P: nx.Graph, node: Any, hops: int) -> dict[Any, int]:
    if node not in P:
        return {}
    reached = dict(nx.single_source_shortest_path_length(P, node, cutoff=hops))
    reached.pop(node, None)
    return reached


def _tie_words(P: nx.Graph, a: Any, b: Any) -> str:
    reasons = P[a][b].get("reasons") or {}
    return ", ".join(str(r).replace("_", " ").lower() for r in sorted(reasons))


def _suspects(G: nx.MultiDiGraph, P: nx.Graph, child: Any, roles: Mapping[Any, frozenset[str]]) -> list[dict[str, Any]]:
    """Suspects one and two steps from the child in the person network, with what links them."""
    steps = _within(P, child, 2)
    rows = []
    for person, n in steps.items():
        held = roles.get(person, frozenset())
        if not held & SUSPECT_ROLES:
            continue
        if n == 1:
            through = _tie_words(P, child, person)
        else:
            between = sorted((m for m in P[person] if steps.get(m) == 1), key=lambda m: label_of(G, m))
            through = "; ".join(label_of(G, m) for m in between)
        rows.append(
            {
                "entity_id": person,
                "label": label_of(G, person),
                "steps": n,
                "roles": sorted(held),
                "through": through,
            }
        )
    rows.sort(key=lambda r: (r["steps"], r["label"], str(r["entity_id"])))
    return rows


def _peers(
    G: nx.MultiDiGraph, P: nx.Graph, child: Any, episodes: list[Any], roles: Mapping[Any, frozenset[str]]
) -> list[dict[str, Any]]:
    """Other known children sharing an episode, a found-place or a found-with adult, or within two steps."""
    shared_episodes: dict[Any, set[Any]] = defaultdict(set)
    shared_places: dict[Any, set[Any]] = defaultdict(set)
    shared_adults: dict[Any, set[Any]] = defaultdict(set)
    for episode in episodes:
        for person, _role in parties(G, episode):
            if person != child and _known_child(roles, person):
                shared_episodes[person].add(episode)
        for place in _found_places(G, episode):
            for other in _children_found_at(G, place, roles):
                shared_places[other].add(place)
        for adult in _found_with(G, episode):
            for _, other_episode, d in G.out_edges(adult, data=True):
                if d.get("kind") == "PARTY_TO" and d.get("role") == "found_with":
                    for other, role in parties(G, other_episode):
                        if role == "missing" and _known_child(roles, other):
                            shared_adults[other].add(adult)
    near = {p: n for p, n in _within(P, child, 2).items() if _known_child(roles, p)}
    everyone = (set(shared_episodes) | set(shared_places) | set(shared_adults) | set(near)) - {child}
    rows = []
    for peer in everyone:
        rows.append(
            {
                "entity_id": peer,
                "label": label_of(G, peer),
                "shared_episodes": len(shared_episodes[peer]),
                "shared_places": [label_of(G, p) for p in _distinct(shared_places[peer])],
                "shared_adults": [label_of(G, a) for a in _distinct(shared_adults[peer])],
                "steps": near.get(peer),
            }
        )
    rows.sort(key=lambda r: (-r["shared_episodes"], -len(r["shared_places"]) - len(r["shared_adults"]), r["label"]))
    return rows


def _network_ids(
    G: nx.MultiDiGraph,
    P: nx.Graph,
    child: Any,
    episodes: list[dict[str, Any]],
    suspects: list[dict[str, Any]],
    peers: list[dict[str, Any]],
    limit: int,
) -> list[Any]:
    """The ids of a small drawing, most important first: the child, episodes, places, adults, suspects, peers.

    A suspect or peer comes with what ties it to the drawing (the event, phone or address behind the
    tie), so it is not drawn floating alone.
    """
    ids: dict[Any, None] = {child: None}
    for row in episodes:
        ids.setdefault(row["entity_id"], None)
    for row in episodes:
        for node in [*row["found_at_ids"], *row["found_with_ids"]]:
            ids.setdefault(node, None)
    people = [s["entity_id"] for s in suspects if s["steps"] == 1] + [p["entity_id"] for p in peers]
    for person in people:
        if len(ids) >= limit:
            break
        ids.setdefault(person, None)
        for node in _ties_to(G, P, person, ids):
            ids.setdefault(node, None)
    return list(ids)[:limit]


def _ties_to(G: nx.MultiDiGraph, P: nx.Graph, person: Any, drawn: Mapping[Any, None]) -> list[Any]:
    """Nodes that connect ``person`` to something already drawn: a shared episode or object, or its own
    episode that ended at a drawn place."""
    found = []
    if person in P:
        for other in P[person]:
            if other in drawn:
                found += [n for n in P[person][other].get("evidence", []) if n in G and n not in drawn]
    for _, episode, d in G.out_edges(person, data=True):
        if d.get("kind") != "PARTY_TO" or not _is_episode(G, episode):
            continue
        if any(p in drawn for p in _found_places(G, episode)) or any(a in drawn for a in _found_with(G, episode)):
            found.append(episode)
    return _distinct(found)[:3]
