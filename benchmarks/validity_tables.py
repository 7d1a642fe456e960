"""What the benchmark reads from Disrupt's result tables: its ranking, groups, plan and hotspots.

Each reader says which table its answer came from, and returns None when the analysis does not
produce it yet, so the report can say which figures are missing rather than guess them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from benchmarks.validity_measures import Curve

Tables = Mapping[str, Sequence[Mapping[str, Any]]]

_RANK_FIELDS = ("network_rank", "rank_network", "rank_overall", "overall_rank", "rank")
_CORE_FLAGS = ("core", "is_core", "in_core")
_MORAN_FIELDS = ("moran_class", "lisa_class", "moran", "lisa", "local_moran")


@dataclass(frozen=True)
class Ranking:
    source: str
    order: tuple[str, ...]  # entity ids, best first
    network_wide: bool


@dataclass(frozen=True)
class Group:
    group_id: str
    lead: str | None
    members: frozenset[str]  # everyone the group lists
    core: frozenset[str] | None  # its core members, when the analysis names them


@dataclass(frozen=True)
class Plan:
    source: str
    steps: tuple[tuple[str, ...], ...]  # the nodes each action removes, in order
    objective: str | None
    ties: tuple[tuple[tuple[str, str], ...], ...] = ()  # per step, the ties between people it cuts
    reported: tuple[Curve, ...] = ()  # the curves as the analysis reports them (plan and its baselines)


def _rank_of(row: Mapping[str, Any]) -> tuple[float, float, str]:
    for name in _RANK_FIELDS:
        value = row.get(name)
        if isinstance(value, int | float):
            return (float(value), 0.0, str(row.get("entity_id")))
    return (0.0, -float(row.get("score") or 0.0), str(row.get("entity_id")))


def disrupt_ranking(tables: Tables) -> Ranking | None:
    """The analysis's network-wide ranking of people; failing that, its per-group key players
    ordered by score (each group's leader scores 1.0, so this is the ranking the issue faults)."""
    for name, rows in tables.items():
        if name in ("key_players", "groups") or not rows or ("rank" not in name and "network" not in name):
            continue
        if all("entity_id" in r for r in rows) and any(f in rows[0] for f in (*_RANK_FIELDS, "score")):
            order = tuple(str(r["entity_id"]) for r in sorted(rows, key=_rank_of))
            return Ranking(name, tuple(dict.fromkeys(order)), True)
    rows = tables.get("key_players") or []
    if rows and any(f in rows[0] for f in _RANK_FIELDS if f != "rank"):
        field = next(f for f in _RANK_FIELDS if f != "rank" and f in rows[0])
        ranked = sorted((r for r in rows if isinstance(r.get(field), int | float)), key=lambda r: float(r[field]))
        return Ranking(f"key_players.{field}", tuple(dict.fromkeys(str(r["entity_id"]) for r in ranked)), True)
    if not rows:
        return None
    ranked = sorted(
        rows, key=lambda r: (-float(r.get("score") or 0.0), int(r.get("rank_in_group") or 0), str(r["entity_id"]))
    )
    return Ranking(
        "key_players (per group, by score)", tuple(dict.fromkeys(str(r["entity_id"]) for r in ranked)), False
    )


def _ids(value: Any) -> set[str]:
    if isinstance(value, Mapping):
        return {str(value["entity_id"])} if "entity_id" in value else set()
    if isinstance(value, list | tuple | set | frozenset):
        return {i for v in value for i in _ids(v)}
    return {str(value)} if value else set()


def disrupt_groups(tables: Tables) -> list[Group]:
    """The groups, each with everyone it lists and, where the analysis names them, its core members."""
    out = []
    for row in tables.get("groups") or []:
        members = [m for m in row.get("members") or [] if isinstance(m, Mapping)]
        listed = {str(m["entity_id"]) for m in members}
        core: set[str] | None = None
        for name in ("core", "core_members"):
            if name in row:
                core = _ids(row[name])
        if core is None and members and any(f in members[0] for f in (*_CORE_FLAGS, "part", "membership")):
            core = {
                str(m["entity_id"])
                for m in members
                if any(m.get(f) is True for f in _CORE_FLAGS)
                or str(m.get("part") or m.get("membership") or "").lower() == "core"
            }
        lead = row.get("entity_id")
        out.append(
            Group(
                str(row.get("group_id")),
                str(lead) if lead else None,
                frozenset(listed),
                None if core is None else frozenset(core),
            )
        )
    return out


def disrupt_plan(tables: Tables) -> Plan | None:
    """The analysis's ordered plan on the whole network, with the curves it reports, or None."""
    for name, rows in tables.items():
        if "plan" not in name or not rows or "curve" in name or "baseline" in name:
            continue
        steps = [r for r in rows if r.get("removes") is not None]
        if not steps:
            continue
        order_key = next((k for k in ("step", "action", "order", "rank") if k in steps[0]), None)
        if order_key:
            steps.sort(key=lambda r: (str(r.get("plan_id") or r.get("group_id") or ""), float(r[order_key])))
        objective = next((str(r["objective"]) for r in steps if r.get("objective")), None)
        ties = tuple(tuple((str(u), str(v)) for u, v in r.get("ties_cut") or ()) for r in steps)
        return Plan(
            name,
            tuple(tuple(sorted(_ids(r["removes"]))) for r in steps),
            objective,
            ties,
            _reported_curves(tables),
        )
    return None


def _reported_curves(tables: Tables) -> tuple[Curve, ...]:
    """The ``disruption_curves`` rows (strategy, step, share of the largest component, children
    reachable) as curves, so the benchmark's own figures can be set beside them."""
    by: dict[str, dict[int, Mapping[str, Any]]] = {}
    for name, rows in tables.items():
        if "curve" in name:
            for r in rows:
                if r.get("strategy") is not None and r.get("step") is not None:
                    by.setdefault(str(r["strategy"]), {})[int(r["step"])] = r
    curves = []
    for strategy, points in by.items():
        ks = sorted(points)
        largest = tuple(float(points[k].get("largest_component_share") or 0.0) for k in ks)
        reach = tuple(float(points[k].get("children_reachable") or 0.0) for k in ks)
        label = str(points[ks[0]].get("label") or strategy)
        curves.append(Curve(f"as reported: {label}", largest, reach if any(reach) else None))
    return tuple(curves)


def top_options(tables: Tables) -> Plan | None:
    """The per-group options taken best score first, the order the issue measured before plans."""
    rows = [r for r in tables.get("disruption_options") or [] if r.get("removes")]
    if not rows:
        return None
    rows.sort(key=lambda r: (-float(r.get("score") or 0.0), str(r.get("group_id")), str(r.get("entity_id"))))
    steps: list[tuple[str, ...]] = []
    seen: set[str] = set()
    for r in rows:
        step = tuple(sorted(_ids(r["removes"]) - seen))
        if step:
            steps.append(step)
            seen.update(step)
    return Plan("disruption_options (per group, best score first)", tuple(steps), None)


@dataclass(frozen=True)
class HotspotFigures:
    gi_flagged: int  # cells Gi* marks significant (all cells, before the analysis's own rules)
    gi_zero_event: int
    hotspot_cells: int  # cells the analysis presents as hotspots
    hotspot_zero_event: int
    areas: int | None  # contiguous hotspot areas, when the analysis reports them
    area_events: tuple[int, ...] | None
    moran: dict[str, int] | None  # listed cells by local Moran's I class
    busiest_outside: tuple[int, str] | None  # the busiest cell not presented as a hotspot: events, class
    source: str


def hotspot_figures(tables: Tables) -> HotspotFigures:
    """Cells flagged, flagged cells with no event of their own, hotspot areas and Moran classes.

    ``significant`` is Gi* itself where the analysis separates it from ``hotspot``; before it did,
    ``hotspot`` was Gi*, and both figures read the same."""
    rows = tables.get("hotspots") or []
    gi = [r for r in rows if r.get("significant", r.get("hotspot"))]
    hot = [r for r in rows if r.get("hotspot")]
    area_table = next((n for n in tables if "hotspot" in n and "area" in n), None)
    areas = None
    if area_table:
        whole = [a for a in tables[area_table] if a.get("period") in (None, "all")]
        areas = {str(a["entity_id"]): int(a.get("events") or a.get("count") or 0) for a in whole}
    field = next((f for f in _MORAN_FIELDS if rows and any(f in r for r in rows)), None)
    moran = dict(Counter(str(r.get(field)) for r in rows if r.get(field))) if field else None
    outside = [r for r in rows if not r.get("hotspot") and (r.get("count") or 0) > 0]
    busiest = max(outside, key=lambda r: (r.get("count") or 0, str(r["entity_id"])), default=None)
    source = "hotspots" + (f", {area_table}" if area_table else "")
    return HotspotFigures(
        len(gi),
        sum(1 for r in gi if not (r.get("count") or 0)),
        len(hot),
        sum(1 for r in hot if not (r.get("count") or 0)),
        len(areas) if areas is not None else None,
        tuple(sorted(areas.values(), reverse=True)) if areas is not None else None,
        moran,
        (int(busiest.get("count") or 0), str(busiest.get(field or "") or "no class")) if busiest else None,
        source,
    )
