"""The validity benchmark on a synthetic world: the analysis scored against what the generator planted."""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Mapping
from typing import Any

import h3

from analytics.analysis import analyse
from analytics.projections import analysis_date, concern_network, label_of, person_network
from analytics.roles import EXPLOITATION_SUSPECT, concern_seeds, person_roles
from analytics.rules import default_rules
from benchmarks.validity_measures import actions_for, adjusted_rand_index, top_by
from benchmarks.validity_networks import World
from benchmarks.validity_scoring import SHARES, Result, curve_lines, fmt, position, rank_lines
from benchmarks.validity_tables import (
    Group,
    Ranking,
    disrupt_groups,
    disrupt_plan,
    disrupt_ranking,
    hotspot_figures,
    top_options,
)
from graph.result_rows import stored_tables


def _planted(world: World) -> tuple[dict[str, str], set[str], list[tuple[str, set[str]]]]:
    """Entity -> planted group, the planted victims' entities, and each organiser's group and entities."""
    member_of: dict[str, str] = {}
    organisers: list[tuple[str, set[str]]] = []
    victims: set[str] = set()
    for group in world.truth["groups"]:
        for member in group["members"]:
            entities = world.entity_of.get(member["person"], set())
            for entity in entities:
                member_of.setdefault(entity, group["id"])  # a member of two groups counts in the first
            if member.get("role") == "organiser":
                organisers.append((str(group["id"]), entities))
        for victim in group.get("victims") or []:
            victims |= world.entity_of.get(victim if isinstance(victim, str) else victim.get("person"), set())
    for victim in world.truth.get("victims") or []:
        victims |= world.entity_of.get(victim, set())
    return member_of, victims, organisers


def precision_recall(
    found: Iterable[Collection[str]], planted: Mapping[str, str]
) -> tuple[float | None, float | None, int, int]:
    """Each found group is matched to the planted group it overlaps most; precision counts every
    person the found groups list, recall every planted member. Returns precision, recall, listed, hits."""
    by_group: dict[str, set[str]] = {}
    for entity, gid in planted.items():
        by_group.setdefault(gid, set()).add(entity)
    listed = hits = 0
    recalled: dict[str, set[str]] = {gid: set() for gid in by_group}
    for members in found:
        people = set(members)
        if not people:
            continue
        match = max(sorted(by_group), key=lambda gid: len(people & by_group[gid]))
        listed += len(people)
        hits += len(people & by_group[match])
        recalled[match] |= people & by_group[match]
    total = sum(len(v) for v in by_group.values())
    precision = hits / listed if listed else None
    recall = sum(len(v) for v in recalled.values()) / total if total else None
    return precision, recall, listed, hits


def _group_lines(result: Result, groups: list[Group], world: World) -> None:
    planted, victims, _ = _planted(world)
    listed = set().union(*(g.members for g in groups)) if groups else set()
    neither = listed - set(planted) - victims
    result.groups.append(("groups found / planted", f"{len(groups)} / {len(world.truth['groups'])}"))
    result.groups.append(
        (
            "people listed as members (distinct)",
            f"{len(listed)}: {len(listed & set(planted))} planted members, {len(listed & victims - set(planted))} "
            f"victims, {len(neither)} neither ({len(neither) / max(1, len(listed)):.0%})",
        )
    )
    found = {e: g.group_id for g in groups for e in g.members}
    ari = adjusted_rand_index(planted, {e: found.get(e, f"alone:{e}") for e in planted})
    result.groups.append(("adjusted Rand index over planted members (the old measure)", fmt(ari)))
    p, r, n, hits = precision_recall([g.members for g in groups], planted)
    result.groups.append(
        ("every listed member: precision, recall vs planted members", f"{fmt(p)}, {fmt(r)} ({hits} of {n})")
    )
    result.headline |= {"ari_planted": ari, "members_precision": p, "members_recall": r}
    if any(g.core is not None for g in groups):
        cp, cr, cn, chits = precision_recall([g.core or () for g in groups], planted)
        result.groups.append(
            ("core members: precision, recall vs planted members", f"{fmt(cp)}, {fmt(cr)} ({chits} of {cn})")
        )
        result.headline |= {"core_precision": cp, "core_recall": cr}
    else:
        result.missing.append("group core members (point 4) not in the analysis yet: core precision and recall")


def _organiser_lines(result: Result, ranking: Ranking | None, bet: Mapping[str, float], world: World) -> None:
    """Each planted organiser's place in Disrupt's ranking and in the betweenness order (an
    organiser resolved to two entities counts once, at the better place)."""
    _, _, organisers = _planted(world)
    order = ranking.order if ranking else ()
    by_b = {n: i + 1 for i, n in enumerate(top_by(bet, len(bet)))}
    ours: list[int | None] = []
    theirs: list[int | None] = []
    for gid, entities in sorted(organisers, key=lambda o: o[0]):
        mine = min((p for p in (position(order, e) for e in entities) if p), default=None)
        base = min((by_b[e] for e in entities if e in by_b), default=None)
        ours.append(mine)
        theirs.append(base)
        result.central.append([f"an organiser of planted group {gid}", str(mine or "not ranked"), str(base or "-")])
    people = len(bet)
    for label, cut in (
        (f"top {len(ours)} (as many as there are organisers)", len(ours)),
        (f"top 5% ({round(0.05 * people)} of {people} people)", round(0.05 * people)),
    ):
        a = sum(1 for m in ours if m is not None and m <= cut)
        b = sum(1 for m in theirs if m is not None and m <= cut)
        result.ranking.append((f"planted organisers in the {label}: Disrupt; betweenness", f"{a} of {len(ours)}; {b}"))
        result.headline.setdefault("organisers", []).append((label.split(" (")[0], a, b, len(ours)))


def _planted_found(rows: list[Mapping[str, Any]], world: World) -> tuple[int, int]:
    """Planted hotspots with a cell's centre within one cell edge of their circle, and cells near none."""
    edge = h3.average_hexagon_edge_length(9, "m")
    found: set[str] = set()
    outside = 0
    for row in rows:
        near = [
            spot["name"]
            for spot in world.truth["hotspots"]
            if h3.great_circle_distance((row["latitude"], row["longitude"]), (spot["latitude"], spot["longitude"]), "m")
            <= spot["radius_m"] + edge
        ]
        found.update(near)
        outside += not near
    return len(found), outside


def _hotspot_lines(result: Result, tables: Mapping[str, Any], world: World) -> None:
    f = hotspot_figures(tables)
    rows = tables.get("hotspots") or []
    planted = len(world.truth["hotspots"])
    gi_found, gi_outside = _planted_found([r for r in rows if r.get("significant", r.get("hotspot"))], world)
    hot_found, hot_outside = _planted_found([r for r in rows if r.get("hotspot")], world)
    result.hotspots = [
        ("read from", f.source),
        ("cells Gi* marks (5% false discovery rate)", str(f.gi_flagged)),
        ("of them with no event of their own", str(f.gi_zero_event)),
        ("cells presented as hotspots", str(f.hotspot_cells)),
        ("of them with no event of their own", str(f.hotspot_zero_event)),
        ("planted hotspots found: by the hotspot cells; by Gi* cells", f"{hot_found} of {planted}; {gi_found}"),
        ("hotspot cells outside every planted hotspot; Gi* cells", f"{hot_outside}; {gi_outside}"),
    ]
    result.headline |= {
        "gi_flagged": f.gi_flagged,
        "gi_zero_event": f.gi_zero_event,
        "hotspot_cells": f.hotspot_cells,
        "hotspot_zero_event": f.hotspot_zero_event,
        "planted_found": (hot_found, planted),
    }
    if f.areas is None:
        result.missing.append("hotspot areas (point 5) not in the analysis yet")
    else:
        events = ", ".join(map(str, f.area_events or ()))
        result.hotspots.append(("hotspot areas (contiguous hotspot cells): events in each", f"{f.areas}: {events}"))
        result.headline["areas"] = f.areas
    if f.moran is None:
        result.missing.append("local Moran's I classes (point 5) not in the analysis yet")
    else:
        text = ", ".join(f"{k} {v}" for k, v in sorted(f.moran.items(), key=lambda kv: (-kv[1], kv[0])))
        result.hotspots.append(("listed cells by local Moran's I class", text))
        result.headline["moran"] = f.moran
    if f.busiest_outside is not None:
        count, klass = f.busiest_outside
        result.hotspots.append(
            ("the busiest cell not presented as a hotspot: events, Moran class", f"{count}, {klass}")
        )


def score_world(world: World, *, seed: int, orders: int) -> Result:
    """Analyse one world and score it against its planted truth and the baselines."""
    G = world.G
    started = time.perf_counter()
    analysis = analyse(G, seed=seed)
    seconds = time.perf_counter() - started
    rules = default_rules()
    as_of = analysis_date(G)
    P = person_network(G, rules=rules, as_of=as_of)
    roles = person_roles(G, rules=rules, as_of=as_of)
    result = Result(
        f"world-{world.seed}-{world.people}",
        f"Synthetic world, seed {world.seed}, {world.people:,} people",
        "synthetic",
        P.number_of_nodes(),
        P.number_of_edges(),
        seconds,
    )
    result.about = [
        f"{G.number_of_nodes():,} entities and {G.number_of_edges():,} links after ingest and resolution; "
        f"the person network has {P.number_of_nodes():,} people and {P.number_of_edges():,} ties",
    ]
    label = {n: label_of(G, n) for n in P}
    ranking = disrupt_ranking(stored_tables(analysis.tables))
    bet = rank_lines(result, ranking, P, label)
    _organiser_lines(result, ranking, bet, world)
    _group_lines(result, disrupt_groups(stored_tables(analysis.tables)), world)
    C = concern_network(P, concern_seeds(roles), hops=rules.concern_hops)
    children = {n for n in C if "child" in roles.get(n, frozenset())}
    suspects = {n for n in C if EXPLOITATION_SUSPECT in roles.get(n, frozenset())}
    actionable = set(C) - children
    people = C.number_of_nodes()
    result.about.append(
        f"disruption measured on the concern network (the person network within {rules.concern_hops} steps of "
        f"exploitation suspects and victims): {people:,} people, {C.number_of_edges():,} ties, {len(children)} "
        f"children, {len(suspects)} exploitation suspects; the baselines remove one of the {len(actionable):,} "
        f"adults per action (never a child)"
    )
    k = max(10, min(actions_for(0.05, people), 40))  # the plan's own reach: 5% of the people, at most 40
    result.checkpoints = [(f"k={i}", i) for i in range(1, 6)]
    result.checkpoints += [(f"{s:.0%} ({actions_for(s, people)})", actions_for(s, people)) for s in SHARES]
    plan = disrupt_plan(stored_tables(analysis.tables))
    if plan is None:
        result.missing.append("disruption plan (point 2) not in the analysis yet: the per-group options stand in")
        plan = top_options(stored_tables(analysis.tables))
    curve_lines(result, C, plan, actionable, k=k, seed=seed, orders=orders, children=children, suspects=suspects)
    _hotspot_lines(result, stored_tables(analysis.tables), world)
    return result
