"""The whole analysis in one pure function: a POLE graph in, named result tables out.

``disrupt analyse`` reads the graph from the store, calls :func:`analyse`, and saves each table.
Every row has an ``entity_id`` and a display ``label`` (for area tables, the area's id and name).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict, cast

import networkx as nx

from analytics.children import child_indicators
from analytics.dashboard import management_information
from analytics.disruption import Tactic, rank_disruption_options
from analytics.flags import flag_licensing, home_authority
from analytics.groups import find_groups, group_ids, profile_group
from analytics.hotspots import (
    H3_RESOLUTION,
    event_table,
    find_hotspots,
    hotspot_area_rows,
    hotspot_cell_rows,
    place_table,
)
from analytics.key_players import brokerage, find_key_player_set, rank_key_players, rank_network
from analytics.places import business_places
from analytics.plan import plan_network_disruption
from analytics.projections import analysis_date, label_of, person_network
from analytics.roles import EXPLOITATION_SUSPECT, concern_seeds, person_roles, safeguarded
from analytics.rules import Rules, default_rules
from graph.result_rows import (
    ROW_TYPES,
    AreaCountRow,
    CellPeriodRow,
    DensityRow,
    DisruptionOptionRow,
    GroupRow,
    HotspotAreaRow,
    HotspotCellRow,
    KeyPlayerRow,
    Labelled,
    NetworkRankRow,
    ResultTables,
    SummaryRow,
    WardCountRow,
    WardMonthRow,
    plain_row,
    table_items,
)

log = logging.getLogger(__name__)

RESULT_NAMES = tuple(ROW_TYPES)  # every table an analysis saves, in order
KEY_PLAYER_SET_SIZE = 3


@dataclass
class Analysis:
    """Result tables by name (each of its row type, :mod:`graph.result_rows`), and how long each step took (seconds)."""

    tables: ResultTables
    timings: dict[str, float] = field(default_factory=dict)


def _candidates(members: list[Any], roles: Mapping[Any, frozenset[str]]) -> list[Any]:
    """Who may be a key player of a group: its exploitation suspects when there are three or more, else
    everyone not safeguarded (children, and people known only as victims, witnesses or missing, are
    never targeted)."""
    adults = [n for n in members if not safeguarded(roles.get(n, frozenset()))]
    suspects = [n for n in adults if EXPLOITATION_SUSPECT in roles.get(n, frozenset())]
    return suspects if len(suspects) >= 3 else adults


def analyse(
    G: nx.MultiDiGraph,
    *,
    seed: int = 1,
    rules: Rules | None = None,
    tactics: Mapping[str, list[Tactic]] | None = None,
    as_of: dt.date | None = None,
    clock: Callable[[], float] | None = None,
) -> Analysis:
    """Run every analytic over a POLE graph (as ``GraphStore.to_networkx(provenance=True)`` gives it).

    Works on any graph Disrupt holds: with no roles recorded (an imported edge list) every person
    is of concern, and with no located events the hotspot tables are empty.
    """
    rules = rules or default_rules()
    as_of = as_of or analysis_date(G)
    timings: dict[str, float] = {}
    tick = clock or (lambda: 0.0)
    start = tick()

    def lap(name: str) -> None:
        nonlocal start
        now = tick()
        timings[name] = round(now - start, 3)
        start = now

    P = person_network(G, rules=rules, as_of=as_of)
    roles = person_roles(G, rules=rules, as_of=as_of)
    seeds = concern_seeds(roles)
    lap("projection")
    groups = find_groups(P, seeds=seeds if seeds else None, hops=rules.concern_hops, seed=seed)
    ids = group_ids(groups)
    group_of = {n: gid for gid, members in zip(ids, groups, strict=True) for n in members}
    lap("groups")
    places = business_places(G)
    breadth = brokerage(P, groups)
    # The network-wide ranking: every adult with a tie, on the whole person network (comparable across groups).
    network = rank_network(P, seed=seed, exclude=[n for n in P if safeguarded(roles.get(n, frozenset()))])
    network_rank = {node: rank for rank, (node, _, _) in enumerate(network, start=1)}
    lap("network_ranking")
    # Disruption is simulated on the whole network (concern network, or all people with no roles), once.
    disruption = plan_network_disruption(
        G, P, roles=roles, seeds=seeds, hops=rules.concern_hops, places=places, tactics=tactics, seed=seed
    )
    lap("disruption_plan")
    group_rows: list[GroupRow] = []
    key_rows: list[KeyPlayerRow] = []
    option_rows: list[DisruptionOptionRow] = []
    for gid, members in zip(ids, groups, strict=True):
        candidates = _candidates(sorted(members, key=str), roles)
        ranked = rank_key_players(P.subgraph(candidates).copy(), seed=seed)
        kpp, frag = find_key_player_set(P.subgraph(members).copy(), KEY_PLAYER_SET_SIZE, seed=seed)
        profile = profile_group(G, P, members, group_id=gid, roles=roles, ranked=ranked)
        group_rows.append(
            dataclasses.replace(
                profile,
                key_player_set=[Labelled(n, label_of(G, n)) for n in kpp],
                fragmentation_after_key_player_set=round(frag, 4),
            )
        )
        for rank, (node, composite, measures) in enumerate(ranked, start=1):
            key_rows.append(
                KeyPlayerRow(
                    entity_id=node,
                    label=label_of(G, node),
                    group_id=gid,
                    rank_in_group=rank,
                    score=round(composite, 4),
                    network_rank=network_rank.get(node),
                    degree=P.degree(node),  # true degree, on the whole person network
                    degree_in_group=round(measures["degree"], 6),
                    strength_in_group=round(measures["strength"], 6),
                    betweenness_in_group=round(measures["betweenness"], 6),
                    pagerank_in_group=round(measures["pagerank"], 6),
                    brokerage=breadth.get(node, 0),
                    in_key_player_set=node in kpp,
                    roles=sorted(roles.get(node, frozenset())),
                    reasons=_key_reasons(measures, rank, P.degree(node), breadth.get(node, 0), node in kpp),
                )
            )
        option_rows += rank_disruption_options(
            G, members, group_id=gid, effects=disruption.effects, roles=roles, tactics=tactics
        )
    lap("key_players_and_disruption")
    events = event_table(G, rules=rules, roles=roles)
    spots = find_hotspots(events, place_table(G), seed=seed) if not events.empty else None
    hot_cells = set(spots["cells"].loc[spots["cells"]["hotspot"], "cell"]) if spots else set()
    lap("hotspots")
    flags = flag_licensing(G, roles=roles, group_of=group_of, hot_cells=hot_cells, places=places, rules=rules)
    children = child_indicators(G, P, roles=roles, hot_cells=hot_cells, group_of=group_of, as_of=as_of, rules=rules)
    lap("flags_and_children")
    tables: ResultTables = {
        "groups": group_rows,
        "key_players": key_rows,
        "network_ranking": _network_rows(G, network, group_of=group_of, breadth=breadth, roles=roles),
        "disruption_options": option_rows,
        "disruption_plan": disruption.plan_rows,
        "disruption_curves": disruption.curve_rows,
        **_hotspot_tables(spots),
        "flags": flags,
        "child_indicators": children,
        "management_information": management_information(G, children, flags),
        "summary": [
            SummaryRow(
                entity_id="summary",
                label="analysis summary",
                as_of=as_of.isoformat() if as_of else None,
                people=P.number_of_nodes(),
                people_ranked=len(network),
                ties=P.number_of_edges(),
                concern_seeds=len(seeds),
                groups=len(groups),
                hotspot_cells=len(hot_cells),
                hotspot_events=spots["events"] if spots else 0,
                pai=spots["pai"] if spots else None,
                pai_cutoff=spots["cutoff"] if spots else None,
                flags_high=sum(1 for f in flags if f.level == "high"),
                h3_resolution=H3_RESOLUTION,
                home_authority=home_authority(G),
            )
        ],
    }
    return Analysis(plain_tables(tables), timings)


def _key_reasons(measures: Mapping[str, float], rank: int, degree: int, broker: int, in_set: bool) -> list[str]:
    reasons = [f"rank {rank} in the group on ties, brokerage and reach inside the group"]
    reasons.append(
        f"tied directly to {degree} people in all, {int(measures['degree'])} of them in the group "
        f"(tie strength in the group {measures['strength']:.2f})"
    )
    if measures["betweenness"] > 0.1:
        reasons.append(f"on {measures['betweenness']:.0%} of shortest paths between others in the group")
    if broker:
        reasons.append(f"ties into {broker} other group{'s' * (broker > 1)}")
    if in_set:
        reasons.append("in the key-player set: removing it with the others fragments the group most")
    return reasons


def _network_rows(
    G: nx.MultiDiGraph,
    ranked: list[tuple[Any, float, dict[str, float]]],
    *,
    group_of: Mapping[Any, str],
    breadth: Mapping[Any, int],
    roles: Mapping[Any, frozenset[str]],
) -> list[NetworkRankRow]:
    """The network-wide ranking as rows: rank, score, each measure and its percentile, and reasons."""
    rows = []
    for rank, (node, composite, m) in enumerate(ranked, start=1):
        rows.append(
            NetworkRankRow(
                entity_id=node,
                label=label_of(G, node),
                rank=rank,
                score=round(composite, 4),
                group_id=group_of.get(node),
                degree=int(m["degree"]),
                strength=round(m["strength"], 4),
                betweenness=round(m["betweenness"], 6),
                pagerank=round(m["pagerank"], 6),
                degree_percentile=round(m["degree_percentile"], 4),
                strength_percentile=round(m["strength_percentile"], 4),
                betweenness_percentile=round(m["betweenness_percentile"], 4),
                pagerank_percentile=round(m["pagerank_percentile"], 4),
                brokerage=breadth.get(node, 0),
                roles=sorted(roles.get(node, frozenset())),
                reasons=_network_reasons(m, rank, len(ranked), group_of.get(node), breadth.get(node, 0)),
            )
        )
    return rows


def _network_reasons(m: Mapping[str, float], rank: int, of: int, group: str | None, broker: int) -> list[str]:
    def above(key: str) -> str:  # rounded down: the top of 407 people is above 99% of them, never 100%
        return f"{math.floor(100 * m[key + '_percentile'])}% of people"

    reasons = [f"rank {rank} of {of} people in the whole network on ties, brokerage and reach"]
    reasons.append(
        f"tied directly to {int(m['degree'])} people (more than {above('degree')}); tie strength {m['strength']:.2f}"
    )
    if m["betweenness"] > 0:
        reasons.append(
            f"lies on {m['betweenness']:.1%} of the shortest ways between two other people "
            f"(more than {above('betweenness')}): others go through them"
        )
    reasons.append(f"reaches further through well-tied people than {above('pagerank')}")
    reasons.append(f"in group {group}" if group else "in none of the groups found")
    if broker:
        reasons.append(
            f"ties into {broker} group{'s' * (broker > 1)} {'other than their own' if group else ''}".strip()
        )
    return reasons


class _HotspotTables(TypedDict):
    hotspots: list[HotspotCellRow]
    hotspot_wards: list[WardCountRow]
    hotspot_trend: list[WardMonthRow]
    hotspot_periods: list[CellPeriodRow]
    hotspot_counts: list[AreaCountRow]
    hotspot_areas: list[HotspotAreaRow]
    density: list[DensityRow]


def _hotspot_tables(spots: Mapping[str, Any] | None) -> _HotspotTables:
    if spots is None:
        return {
            "hotspots": [],
            "hotspot_wards": [],
            "hotspot_trend": [],
            "hotspot_periods": [],
            "hotspot_counts": [],
            "hotspot_areas": [],
            "density": [],
        }
    hotspot_rows = hotspot_cell_rows(spots["cells"], spots["areas"])
    wards = [WardCountRow(w, w, "ward", c) for w, c in spots["wards"].itertuples(index=False)]
    trend = [WardMonthRow(w, w, "ward", m, c) for w, m, c in spots["trend"].itertuples(index=False)]
    periods = [CellPeriodRow(c, f"hexagon {c}", "h3", q, n) for c, q, n in spots["periods"].itertuples(index=False)]
    counts = [  # what the strategic views publish: events and the distinct people behind them
        AreaCountRow(
            entity_id=a,
            label=f"hexagon {a}" if t == "h3" else a,
            area_type=t,
            ward=w,
            period=q,
            events=e,
            people=n,
            count=e,
        )
        for t, a, w, q, e, n in spots["area_counts"].itertuples(index=False)
    ]
    density = [
        DensityRow(f"kde-{i}", "density", la, lo, d)
        for i, (la, lo, d) in enumerate(spots["density"].itertuples(index=False))
    ]
    return {
        "hotspots": hotspot_rows,
        "hotspot_wards": wards,
        "hotspot_trend": trend,
        "hotspot_periods": periods,
        "hotspot_counts": counts,
        "hotspot_areas": hotspot_area_rows(spots["areas"], spots["area_period_counts"]),
        "density": density,
    }


def plain_tables(tables: ResultTables) -> ResultTables:
    """The tables with plain JSON values in every row (numpy scalars as numbers, NaN as None, sets as sorted lists)."""
    return cast(ResultTables, {name: [plain_row(r) for r in rows] for name, rows in table_items(tables)})
