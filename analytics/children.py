"""Indicators for children: transparent counts a safeguarding professional can check, not a score.

Missing episodes (count, recency, trend), exposure (suspects within one and two steps: "people not
party to any crime who know many who are"), places of concern, and the peer group (children linked
through shared episodes, places or associates: contextual safeguarding).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping
from typing import Any

import h3
import networkx as nx

from analytics.places import coordinates
from analytics.projections import label_of, parties
from analytics.roles import EXPLOITATION_SUSPECT, age_on
from analytics.rules import Rules, default_rules, parse_day
from graph.result_rows import ChildIndicatorRow

_SUSPECT_ROLES = frozenset({"suspect", EXPLOITATION_SUSPECT})
TREND_DAYS = 182


def _episodes(G: nx.MultiDiGraph, child: Any) -> list[Any]:
    """The child's missing episodes, each once (two agencies' links to one episode are one episode)."""
    return list(
        dict.fromkeys(
            e
            for _, e, d in G.out_edges(child, data=True)
            if d.get("kind") == "PARTY_TO" and G.nodes[e].get("kind") == "MissingEpisode" and d.get("role") == "missing"
        )
    )


def _found_places(G: nx.MultiDiGraph, episode: Any) -> list[Any]:
    return list(
        dict.fromkeys(
            p
            for _, p, d in G.out_edges(episode, data=True)
            if d.get("kind") == "OCCURRED_AT" and d.get("role") == "found"
        )
    )


def _within(P: nx.Graph, node: Any, hops: int) -> set[Any]:
    if node not in P:
        return set()
    return set(nx.single_source_shortest_path_length(P, node, cutoff=hops)) - {node}


def _trend(recent: int, before: int) -> str:
    if recent > before:
        return "rising"
    if recent < before:
        return "falling"
    return "steady" if recent else "none"


def child_indicators(
    G: nx.MultiDiGraph,
    P: nx.Graph,
    *,
    roles: Mapping[Any, frozenset[str]],
    hot_cells: Collection[str] = (),
    group_of: Mapping[Any, str] | None = None,
    as_of: dt.date | None = None,
    rules: Rules | None = None,
    resolution: int = 9,
) -> list[ChildIndicatorRow]:
    """One row of indicators per child known through a missing episode, a referral or as a victim.

    Trend compares episodes in the last 182 days before ``as_of`` with the 182 days before those.
    """
    rules = rules or default_rules()
    group_of = group_of or {}
    suspects = {p for p, held in roles.items() if held & _SUSPECT_ROLES}
    children = [
        p
        for p, held in roles.items()
        if "child" in held and held & {"missing", "known_to_care", "victim", "exploitation_victim"}
    ]
    places_of: dict[Any, set[Any]] = defaultdict(set)
    associates_of: dict[Any, set[Any]] = defaultdict(set)
    for child in children:
        for episode in _episodes(G, child):
            places_of[child].update(_found_places(G, episode))
            associates_of[child].update(p for p, role in parties(G, episode) if role == "found_with")
    children_at: dict[Any, set[Any]] = defaultdict(set)
    children_with: dict[Any, set[Any]] = defaultdict(set)
    for child in children:
        for place in places_of[child]:
            children_at[place].add(child)
        for person in associates_of[child]:
            children_with[person].add(child)
    rows: list[ChildIndicatorRow] = []
    for child in sorted(children, key=str):
        data = G.nodes[child]
        episodes = _episodes(G, child)
        days = sorted(
            d for d in (parse_day(G.nodes[e].get("reported_at") or G.nodes[e].get("first_seen")) for e in episodes) if d
        )
        recent = sum(1 for d in days if as_of and 0 <= (as_of - d).days < TREND_DAYS)
        before = sum(1 for d in days if as_of and TREND_DAYS <= (as_of - d).days < 2 * TREND_DAYS)
        factors = sorted(
            {
                str(f)
                for e in episodes
                for f in (G.nodes[e].get("pull_factors") or [])
                if str(f).strip().lower() in rules.pull_factors
            }
        )
        interviews = sum(1 for e in episodes if G.nodes[e].get("return_interview_on"))
        one, two = _within(P, child, 1), _within(P, child, 2)
        concern_places = [
            p
            for p in places_of[child]
            if (where := coordinates(G, p)) and h3.latlng_to_cell(where[0], where[1], resolution) in hot_cells
        ]
        peers = {c for p in places_of[child] for c in children_at[p]} | {
            c for a in associates_of[child] for c in children_with[a]
        }
        peers |= {n for n in two if n in roles and "child" in roles[n] and n in set(children)}
        peers.discard(child)
        referral = _referral(G, child)
        rows.append(
            ChildIndicatorRow(
                entity_id=child,
                label=label_of(G, child),
                age=age_on(data.get("date_of_birth"), as_of),
                missing_episodes=len(episodes),
                last_missing=days[-1].isoformat() if days else None,
                days_since_missing=(as_of - days[-1]).days if days and as_of else None,
                episodes_last_6_months=recent,
                episodes_previous_6_months=before,
                trend=_trend(recent, before),
                return_interviews=interviews,
                exploitation_factors=factors,
                suspects_within_1=len(one & suspects),
                suspects_within_2=len(two & suspects),
                exposed_not_offending=not (roles.get(child, frozenset()) & _SUSPECT_ROLES) and len(two & suspects) >= 2,
                found_locations=len(places_of[child]),
                places_of_concern=len(concern_places),
                peer_children=len(peers),
                peer_ids=sorted(str(p) for p in peers),
                risk_level=referral.get("risk_level"),
                looked_after=referral.get("looked_after"),
                group_id=group_of.get(child),
            )
        )
    rows.sort(key=lambda r: (-r.suspects_within_2, -r.missing_episodes, r.label))
    return rows


def _referral(G: nx.MultiDiGraph, child: Any) -> dict[str, Any]:
    latest: dict[str, Any] = {}
    for node in G.successors(child):
        data = G.nodes[node]
        if data.get("kind") == "Referral" and str(data.get("referred_on") or "") >= str(
            latest.get("referred_on") or ""
        ):
            latest = dict(data)
    return latest
