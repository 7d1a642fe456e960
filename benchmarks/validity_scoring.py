"""Scoring one network for the validity benchmark: the figures, the baselines and the curves."""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from analytics.analysis import Analysis, analyse
from benchmarks.validity_measures import (
    Curve,
    actions_for,
    adjusted_rand_index,
    baseline_curves,
    betweenness,
    degree,
    labelling,
    rank_correlation,
    replay,
    top_by,
)
from benchmarks.validity_networks import PublishedNetwork, import_published
from benchmarks.validity_tables import Plan, Ranking, disrupt_groups, disrupt_plan, disrupt_ranking, top_options
from graph.result_rows import stored_tables

log = logging.getLogger(__name__)

SHARES = (0.01, 0.03, 0.05)  # of the nodes acted on: the checkpoints the Done-when names


@dataclass
class Result:
    """One network's figures, as the report prints them."""

    slug: str
    title: str
    kind: str  # "published" or "synthetic"
    nodes: int
    edges: int
    seconds: float
    about: list[str] = field(default_factory=list)
    ranking: list[tuple[str, str]] = field(default_factory=list)  # (measure, value) lines
    top: list[list[str]] = field(default_factory=list)  # rows: rank, Disrupt, betweenness, degree
    central: list[list[str]] = field(default_factory=list)
    groups: list[tuple[str, str]] = field(default_factory=list)
    curves: list[Curve] = field(default_factory=list)
    checkpoints: list[tuple[str, int]] = field(default_factory=list)
    curve_note: str = ""
    checks: list[list[str]] = field(default_factory=list)  # per checkpoint: the plan against the best baseline
    reported: list[Curve] = field(default_factory=list)  # the curves as the analysis reports them
    hotspots: list[tuple[str, str]] = field(default_factory=list)
    headline: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    plot: Path | None = None


def person_graph(network: PublishedNetwork, id_of: Mapping[str, str]) -> nx.Graph:
    """The published person network (for a two-mode network, its projection onto the people) with
    the entity ids the import gave its nodes: the graph the baselines are computed on."""
    H = nx.relabel_nodes(network.graph, dict(id_of), copy=True)
    nx.set_node_attributes(H, "Other", "kind")
    return H


def fmt(value: float | None, digits: int = 2) -> str:
    """A figure to print: ``n/a`` when it could not be computed."""
    return "n/a" if value is None else f"{value:.{digits}f}"


def rank_lines(result: Result, ranking: Ranking | None, H: nx.Graph, label: dict[str, str]) -> dict[str, float]:
    """Top 5 and Spearman rho against the baselines; returns the baselines' scores."""
    bet, deg = betweenness(H), degree(H)
    if ranking is None:
        result.missing.append("network-wide ranking: the analysis gives no ranking of people")
        return bet
    if not ranking.network_wide:
        result.missing.append(
            "network-wide ranking (point 1) not in the analysis yet: figures use the per-group key players, "
            "ordered by score"
        )
    result.ranking.append(("read from", ranking.source))
    rho_b, rho_d = rank_correlation(ranking.order, bet), rank_correlation(ranking.order, deg)
    result.ranking.append(("Spearman rho with betweenness (all nodes)", fmt(rho_b)))
    result.ranking.append(("Spearman rho with degree (all nodes)", fmt(rho_d)))
    result.ranking.append(("nodes ranked; people in the network", f"{len(ranking.order)}; {H.number_of_nodes()}"))
    by_b, by_d = top_by(bet, 5), top_by(deg, 5)
    for i in range(5):
        result.top.append(
            [
                str(i + 1),
                label.get(ranking.order[i], ranking.order[i]) if i < len(ranking.order) else "",
                label.get(by_b[i], by_b[i]) if i < len(by_b) else "",
                label.get(by_d[i], by_d[i]) if i < len(by_d) else "",
            ]
        )
    result.headline |= {"rho_betweenness": rho_b, "rho_degree": rho_d, "network_wide": ranking.network_wide}
    return bet


def position(order: tuple[str, ...], node: str) -> int | None:
    """A node's place in a ranking, counting from 1 (None when it is not ranked)."""
    return order.index(node) + 1 if node in order else None


def central_lines(result: Result, ranking: Ranking | None, bet: dict[str, float], ids: dict[str, str]) -> None:
    """Where each published central player stands in Disrupt's ranking and by betweenness."""
    by_b = top_by(bet, len(bet))
    ranks = []
    for name, node in ids.items():
        ours = position(ranking.order, node) if ranking else None
        ranks.append((name, ours))
        result.central.append([name, str(ours) if ours else "not ranked", str(by_b.index(node) + 1)])
    result.headline["central_ranks"] = ranks


def curve_lines(
    result: Result,
    D: nx.Graph,
    plan: Plan | None,
    candidates: Collection[Any],
    *,
    k: int,
    seed: int,
    orders: int,
    children: Collection[Any] = (),
    suspects: Collection[Any] = (),
) -> None:
    """The plan replayed on ``D`` for ``k`` actions, then each baseline; and the headline figures."""
    curves = []
    if plan is not None:
        name = f"Disrupt: {plan.source}" + (" (replayed here)" if plan.ties else "")
        curves.append(replay(D, name, plan.steps[:k], children=children, suspects=suspects, ties=plan.ties[:k]))
        if plan.objective:
            result.curve_note = f"the plan says it optimised: {plan.objective}"
    curves += baseline_curves(D, candidates, k, orders=orders, seed=seed, children=children, suspects=suspects)
    result.curves = curves
    if plan is not None:
        result.reported = list(plan.reported)
        reported = next((c for c in plan.reported if c.name.endswith("the plan")), None)
        children_first = plan.objective == "children cut off" or (plan.objective is None and bool(children))
        _plan_checks(result, curves[0], reported, curves[1:], children_first=children_first)
    for name, at in result.checkpoints:
        for curve in curves:
            key = "plan" if curve.name.startswith("Disrupt") else curve.name.split(",")[0].split(" ")[0]
            if at < len(curve.largest):
                result.headline[f"largest {name.split(' ')[0]} {key}"] = curve.largest[at]
            if curve.reachable is not None and at < len(curve.reachable):
                result.headline[f"reachable {name.split(' ')[0]} {key}"] = curve.reachable[at]


def score_published(network: PublishedNetwork, work: Path, *, seed: int, orders: int) -> Result:
    """Import one published network as an edge list, analyse it and score it."""
    imported = import_published(network, work / network.slug)
    started = time.perf_counter()
    analysis = analyse(imported.G, seed=seed)
    seconds = time.perf_counter() - started
    H = person_graph(network, imported.id_of)
    label = imported.name_of
    result = Result(network.slug, network.title, "published", H.number_of_nodes(), H.number_of_edges(), seconds)
    result.about = [network.note, f"central players: {network.central_why}"]
    if network.split:
        result.about.append(f"known split: {network.split_why}")
    ranking = disrupt_ranking(stored_tables(analysis.tables))
    bet = rank_lines(result, ranking, H, label)
    if network.attended is not None and ranking is not None:
        events = {imported.id_of[e] for e in network.attended}
        top = ranking.order[:10]
        result.ranking.append(
            ("events ranked as people among Disrupt's top 10", str(sum(1 for n in top if n in events)))
        )
        result.headline["events_in_top10"] = sum(1 for n in top if n in events)
    central_lines(result, ranking, bet, {name: imported.id_of[name] for name in network.central})
    published_group_lines(result, analysis, H, network, imported.id_of, label)
    n = H.number_of_nodes()
    k = max(actions_for(0.05, n), 5)  # as far as the plan goes: 5% of the people, at least 5 actions
    result.checkpoints = [(f"{s:.0%} ({actions_for(s, n)})", actions_for(s, n)) for s in SHARES]
    plan = disrupt_plan(stored_tables(analysis.tables))
    if plan is None:
        result.missing.append("disruption plan (point 2) not in the analysis yet")
        plan = top_options(stored_tables(analysis.tables))
        if plan is None:
            result.missing.append("no disruption options either: an imported `Other` graph gets none")
    curve_lines(result, H, plan, set(H), k=k, seed=seed, orders=orders)
    return result


def published_group_lines(
    result: Result,
    analysis: Analysis,
    H: nx.Graph,
    network: PublishedNetwork,
    id_of: dict[str, str],
    label: dict[str, str],
) -> None:
    groups = disrupt_groups(stored_tables(analysis.tables))
    sizes = sorted((len(g.members) for g in groups), reverse=True)
    result.groups.append(("groups (sizes)", f"{len(groups)} ({', '.join(map(str, sizes))})"))
    leads = [label.get(g.lead, g.lead) for g in groups if g.lead]
    result.groups.append(("group leads", ", ".join(leads) or "none"))
    if any(g.core is not None for g in groups):
        cores = [len(g.core or ()) for g in groups]
        result.groups.append(("core members per group", ", ".join(map(str, cores))))
    else:
        result.missing.append("group core members (point 4) not in the analysis yet")
    if not network.split:
        return
    truth = {id_of[name]: part for name, part in network.split.items()}
    ari = adjusted_rand_index(truth, labelling([g.members for g in groups], truth))
    result.groups.append(("adjusted Rand index vs the known split (every listed member)", fmt(ari)))
    result.headline["ari"] = ari
    if any(g.core is not None for g in groups):
        core_ari = adjusted_rand_index(truth, labelling([g.core or () for g in groups], truth))
        result.groups.append(("adjusted Rand index vs the known split (core members only)", fmt(core_ari)))
        result.headline["ari_core"] = core_ari
    cnm = nx.community.greedy_modularity_communities(H, weight="weight")
    base = adjusted_rand_index(truth, labelling(cnm, truth))
    result.groups.append((f"baseline: greedy modularity (Clauset-Newman-Moore), {len(cnm)} groups", fmt(base)))
    result.headline["ari_baseline"] = base
    halves = nx.community.kernighan_lin_bisection(H, weight="weight", seed=1)
    result.groups.append(
        ("baseline: Kernighan-Lin bisection into two", fmt(adjusted_rand_index(truth, labelling(halves, truth))))
    )


def _plan_checks(
    result: Result, plan: Curve, reported: Curve | None, baselines: list[Curve], *, children_first: bool
) -> None:
    """Whether the plan does no worse than the best baseline (computed here) at each checkpoint on
    its own objective: children still reachable where roles exist, else the largest component.
    ``reported`` is the plan's curve as the analysis reports it, set beside the replay."""
    what = "children reachable" if children_first and plan.reachable is not None else "largest component"

    def value(curve: Curve | None, k: int) -> float | None:
        series = (curve.reachable if what == "children reachable" else curve.largest) if curve else None
        return series[k] if series is not None and k < len(series) else None

    verdicts = []
    for name, k in result.checkpoints:
        ours = value(plan, k)
        scored = [(v, c.name) for c in baselines if (v := value(c, k)) is not None]
        if ours is None or not scored:
            continue
        best, who = min(scored)
        verdicts.append(ours <= best + 1e-9)
        shown = value(reported, k)
        result.checks.append(
            [
                name,
                what,
                f"{ours:.4g}",
                "-" if shown is None else f"{shown:.4g}",
                f"{best:.4g} ({who})",
                "yes" if verdicts[-1] else "NO",
            ]
        )
    result.headline["plan_never_worse"] = all(verdicts) if verdicts else None
