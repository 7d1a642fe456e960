"""Disruption as a plan on the whole network: an ordered list of actions, each chosen by
re-simulating the network after the ones before it, with every effect measured on the whole
network (the concern network, or the whole person network where no roles are recorded).

The plan optimises one objective and says which: "children cut off" (children left with no path to
any exploitation suspect) where roles exist, else "largest component" (people in the largest
connected part). It is compared with baselines computed in the same run: removing people by
betweenness recomputed after each removal (Holme, Kim, Yoon and Han 2002, "Attack vulnerability of
complex networks"), by degree recomputed, and the mean of seeded random orders.

How the plan is chosen: a greedy order (each step takes the action that leaves the objective best,
ties broken by child-suspect connections, then the largest part, then connected pairs), and, where
a baseline does better after some number of actions, the greedy order continued from that
baseline's first actions. The plan is the first of these orders that is never worse than any
baseline after any number of actions; when none is, the greedy order is the plan and each step
says which baseline does better with that many actions (``source`` in the curves names the order
behind each figure of the "plan" curve).

>>> import networkx as nx
>>> from analytics.actions import Action
>>> N = nx.path_graph(["child", "driver", "organiser"])
>>> acts = [Action(n, "Person", (), frozenset({n}), frozenset()) for n in ("driver", "organiser")]
>>> plan = plan_disruption(N, acts, children={"child"}, suspects={"organiser"}, steps=1)
>>> plan.objective, [a.target for a in plan.actions], plan.curves["plan"][1].children_reachable
('children cut off', ['driver'], 0)
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import networkx as nx
import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from analytics.actions import Action, candidate_actions
from analytics.disruption import Tactic
from analytics.igraph_backend import betweenness
from analytics.projections import concern_network, label_of
from analytics.roles import EXPLOITATION_SUSPECT
from graph.result_rows import PlanCurveRow, PlanStepRow, TacticChoice

log = logging.getLogger(__name__)

Objective = Literal["children cut off", "largest component"]
BASELINES = ("betweenness", "degree", "random")
RANDOM_ORDERS = 20
MIN_STEPS, MAX_STEPS, STEP_SHARE = 5, 40, 0.05  # plan length: 5% of the people, at least 5, at most 40
_Pair = tuple[Any, Any]


@dataclass(frozen=True, slots=True)
class Reach:
    """The network after some actions: people left, the largest connected part, connected pairs of
    people (ordered, sum of s*(s-1)), children with a path to a suspect, and child-suspect pairs
    connected. Fractional in the mean of random orders."""

    people: float
    largest: float
    connected_pairs: float
    children_reachable: float
    child_suspect_pairs: float

    @property
    def fragmentation(self) -> float:
        """Share of pairs of the people left that cannot reach each other (Borgatti 2006)."""
        n = self.people
        return 1.0 - self.connected_pairs / (n * (n - 1)) if n > 1 else 1.0


@dataclass
class Plan:
    """An ordered plan, its objective, and the curve of every strategy (index k: after k actions)."""

    objective: Objective
    actions: list[Action]
    own: list[Reach]  # the plan's own order, after 0..k of its actions
    curves: dict[str, list[Reach]]  # "plan" (per k, the best of its order and the baselines) and each baseline
    sources: list[str]  # per k, the order behind the "plan" curve's figure ("plan" when its own)
    people: int  # people in the network before any action
    cuts: list[list[_Pair]] = field(default_factory=list)  # per step, the ties between people it cuts
    orders: dict[str, list[Any]] = field(default_factory=dict)  # each baseline's targets, in order


@dataclass(frozen=True, slots=True)
class _Singles:
    """The network as it is, after removing each person alone, and after cutting each bridge alone."""

    base: Reach
    people: dict[Any, Reach]
    bridges: dict[_Pair, Reach]


class _Live:
    """The network under simulation: who is left, and which ties are left."""

    def __init__(self, N: nx.Graph, children: Collection[Any], suspects: Collection[Any]) -> None:
        self.adj: dict[Any, set[Any]] = {n: set(N[n]) for n in N}
        self.children = {c for c in children if c in N}
        self.suspects = {s for s in suspects if s in N}
        # what each tie rests on; None when the projection kept only part of its evidence (it stays)
        self.rests_on: dict[_Pair, frozenset[Any] | None] = {}
        self.by_evidence: dict[Any, list[_Pair]] = {}
        for u, v, data in N.edges(data=True):
            pair = _pair(u, v)
            evidence = list(data.get("evidence") or ())
            counted = sum((data.get("reasons") or {}).values())
            complete = bool(evidence) and counted <= len(evidence)
            self.rests_on[pair] = frozenset(evidence) if complete else None
            for e in evidence if complete else ():
                self.by_evidence.setdefault(e, []).append(pair)
        self.gone_evidence: set[Any] = set()
        # the same network as arrays, for counting parts many times over (scipy's connected components)
        self.index = {n: i for i, n in enumerate(self.adj)}
        pairs = list(self.rests_on)
        self.edge_of = {pair: i for i, pair in enumerate(pairs)}
        self.ends = np.array([(self.index[u], self.index[v]) for u, v in pairs], dtype=np.int64).reshape(-1, 2)
        self.is_child = np.array([n in self.children for n in self.adj], dtype=bool)
        self.is_suspect = np.array([n in self.suspects for n in self.adj], dtype=bool)
        self.node_alive = np.ones(len(self.adj), dtype=bool)
        self.edge_alive = np.ones(len(pairs), dtype=bool)

    def copy(self) -> _Live:
        other = object.__new__(_Live)
        other.adj = {n: set(m) for n, m in self.adj.items()}
        other.children, other.suspects = self.children, self.suspects
        other.rests_on, other.by_evidence = self.rests_on, self.by_evidence
        other.gone_evidence = set(self.gone_evidence)
        other.index, other.edge_of, other.ends = self.index, self.edge_of, self.ends
        other.is_child, other.is_suspect = self.is_child, self.is_suspect
        other.node_alive, other.edge_alive = self.node_alive.copy(), self.edge_alive.copy()
        return other

    def cut_ties(self, action: Action) -> list[_Pair]:
        """The ties left that the action cuts: those resting only on evidence it (and earlier
        actions) took out."""
        gone, now = self.gone_evidence, action.evidence
        cut = set()
        for e in now:
            for u, v in self.by_evidence.get(e, ()):
                rests = self.rests_on[(u, v)]
                if (
                    u in self.adj
                    and v in self.adj[u]
                    and rests is not None
                    and all(r in gone or r in now for r in rests)
                ):
                    cut.add((u, v))
        return sorted(cut, key=str)

    def apply(self, action: Action) -> None:
        for u, v in self.cut_ties(action):
            self.adj[u].discard(v)
            self.adj[v].discard(u)
            self.edge_alive[self.edge_of[(u, v)]] = False
        self.gone_evidence |= action.evidence
        for person in action.people:
            self.remove(person)

    def remove(self, person: Any) -> None:
        """Take a person out (their ties go with them)."""
        for other in self.adj.pop(person, set()):
            self.adj[other].discard(person)
        if person in self.index:
            self.node_alive[self.index[person]] = False

    def degree(self, node: Any) -> int:
        return len(self.adj.get(node, ()))

    def components(self, skip: Collection[Any] = (), cut: Collection[_Pair] = ()) -> list[tuple[int, int, int]]:
        """(people, children, suspects) of each connected part, without ``skip`` and ``cut``."""
        hidden = set(cut)
        seen = set(skip)
        parts = []
        for start in self.adj:
            if start in seen:
                continue
            seen.add(start)
            stack, size, kids, bad = [start], 0, 0, 0
            while stack:
                node = stack.pop()
                size += 1
                kids += node in self.children
                bad += node in self.suspects
                for other in self.adj[node]:
                    if other not in seen and (not hidden or _pair(node, other) not in hidden):
                        seen.add(other)
                        stack.append(other)
            parts.append((size, kids, bad))
        return parts

    def reach(self, skip: Collection[Any] = (), cut: Collection[_Pair] = ()) -> Reach:
        """The network without ``skip`` (people) and ``cut`` (ties), counted with arrays."""
        alive = self.node_alive.copy()
        alive[[self.index[p] for p in skip if p in self.index]] = False
        edges = self.edge_alive.copy()
        edges[[self.edge_of[pair] for pair in cut]] = False
        edges &= alive[self.ends[:, 0]] & alive[self.ends[:, 1]]
        kept = self.ends[edges]
        n = len(alive)
        graph = coo_matrix((np.ones(len(kept)), (kept[:, 0], kept[:, 1])), shape=(n, n))
        _, labels = connected_components(graph, directed=False)
        sizes = np.bincount(labels, weights=alive)
        kids = np.bincount(labels, weights=alive & self.is_child)
        bad = np.bincount(labels, weights=alive & self.is_suspect)
        return Reach(
            int(sizes.sum()),
            int(sizes.max(initial=0)),
            int((sizes * (sizes - 1)).sum()),
            int(kids[bad > 0].sum()),
            int((kids * bad).sum()),
        )

    def single_removals(self) -> _Singles:
        """The network after removing each person alone, and after cutting each bridge alone, for
        all at once: one depth-first search (Hopcroft-Tarjan articulation points and bridges) gives
        the parts each removal leaves. Cutting a tie that is not a bridge leaves the parts as they are."""
        parts = self.components()
        singles = _Singles(_reach_of(parts), {}, {})
        sizes = sorted((p[0] for p in parts), reverse=True)
        disc: dict[Any, int] = {}
        for root in self.adj:
            if root not in disc:
                self._search(root, disc, sizes, singles)
        return singles

    def after_cutting(self, singles: _Singles, people: list[Any], cut: list[_Pair]) -> Reach:
        """The network after removing ``people`` and cutting ``cut``, the cheapest way that is exact."""
        if not people and not cut:
            return singles.base
        if len(people) == 1 and not cut:
            return singles.people[people[0]]
        if not people and len(cut) == 1:
            return singles.bridges.get(cut[0], singles.base)
        if not people and not any(pair in singles.bridges for pair in cut) and self._still_joined(cut):
            return singles.base
        return self.reach(people, cut)

    def _still_joined(self, cut: list[_Pair], budget: int = 400) -> bool:
        """Whether the ends of the cut ties still reach each other without them, found by a search
        that gives up (answers no, so the caller counts) after ``budget`` people."""
        hidden = set(cut)
        ends = {n for pair in cut for n in pair}
        start = ends.pop()
        seen, stack = {start}, [start]
        while stack and not ends <= seen and len(seen) < budget:
            node = stack.pop()
            for other in self.adj[node]:
                if other not in seen and (node, other) not in hidden and (other, node) not in hidden:
                    seen.add(other)
                    stack.append(other)
        return ends <= seen

    def _search(self, root: Any, disc: dict[Any, int], sizes: list[int], singles: _Singles) -> None:
        base, out = singles.base, singles.people
        bridges: list[tuple[_Pair, list[int]]] = []
        low: dict[Any, int] = {}
        sub: dict[Any, list[int]] = {}  # subtree people, children, suspects
        pieces: dict[Any, list[list[int]]] = {}
        order: list[Any] = []
        disc[root] = low[root] = len(disc)
        stack: list[tuple[Any, Any, Any]] = [(root, None, iter(self.adj[root]))]
        while stack:
            node, parent, neighbours = stack[-1]
            advanced = False
            for other in neighbours:
                if other not in disc:
                    disc[other] = low[other] = len(disc)
                    stack.append((other, node, iter(self.adj[other])))
                    advanced = True
                    break
                if other != parent:
                    low[node] = min(low[node], disc[other])
            if advanced:
                continue
            stack.pop()
            order.append(node)
            own = sub.setdefault(node, [0, 0, 0])
            own[0] += 1
            own[1] += node in self.children
            own[2] += node in self.suspects
            if parent is not None:
                low[parent] = min(low[parent], low[node])
                mine = sub.setdefault(parent, [0, 0, 0])
                for i in range(3):
                    mine[i] += own[i]
                if low[node] >= disc[parent]:
                    pieces.setdefault(parent, []).append(own)
                if low[node] > disc[parent]:
                    bridges.append((_pair(parent, node), own))
        whole = sub[root]
        # the largest part other than this one (if this is the largest, the next one down)
        other_largest = (sizes[1] if len(sizes) > 1 else 0) if sizes[0] == whole[0] else sizes[0]
        for node in order:
            split = [(p[0], p[1], p[2]) for p in pieces.get(node, ())]
            rest = (
                whole[0] - 1 - sum(p[0] for p in split),
                whole[1] - (node in self.children) - sum(p[1] for p in split),
                whole[2] - (node in self.suspects) - sum(p[2] for p in split),
            )
            if rest[0] > 0:
                split.append(rest)
            out[node] = _replace_part(base, (whole[0], whole[1], whole[2]), split, other_largest)
        for pair, below in bridges:
            halves = [(below[0], below[1], below[2]), (whole[0] - below[0], whole[1] - below[1], whole[2] - below[2])]
            singles.bridges[pair] = _replace_part(base, (whole[0], whole[1], whole[2]), halves, other_largest, lost=0)


def _pair(u: Any, v: Any) -> _Pair:
    return (u, v) if str(u) <= str(v) else (v, u)


def _reach_of(parts: Iterable[tuple[int, int, int]]) -> Reach:
    people = largest = pairs = reachable = exposed = 0
    for size, kids, bad in parts:
        people += size
        largest = max(largest, size)
        pairs += size * (size - 1)
        reachable += kids if bad else 0
        exposed += kids * bad
    return Reach(people, largest, pairs, reachable, exposed)


def _replace_part(
    base: Reach, whole: tuple[int, int, int], split: list[tuple[int, int, int]], other_largest: int, lost: int = 1
) -> Reach:
    """``base`` with the part ``whole`` replaced by the parts ``split`` (``lost`` people removed)."""
    size, kids, bad = whole
    after = _reach_of(split)
    return Reach(
        base.people - lost,
        max(other_largest, after.largest),
        base.connected_pairs - size * (size - 1) + after.connected_pairs,
        base.children_reachable - (kids if bad else 0) + after.children_reachable,
        base.child_suspect_pairs - kids * bad + after.child_suspect_pairs,
    )


def _key(reach: Reach, objective: Objective) -> tuple[float, ...]:
    """Smaller is better: the objective first, then finer measures that break its ties."""
    if objective == "children cut off":
        return (reach.children_reachable, reach.child_suspect_pairs, reach.largest, reach.connected_pairs)
    return (reach.largest, reach.connected_pairs)


def _primary(reach: Reach, objective: Objective) -> float:
    return reach.children_reachable if objective == "children cut off" else reach.largest


def plan_length(people: int) -> int:
    """How many actions a plan lists: 5% of the people, at least 5 and at most 40."""
    return min(MAX_STEPS, max(MIN_STEPS, math.ceil(STEP_SHARE * people)))


def _greedy(live: _Live, actions: Sequence[Action], objective: Objective, steps: int) -> list[Action]:
    """Each step, the action whose result is best (``live`` is changed as actions are taken)."""
    taken: list[Action] = []
    left = list(actions)
    while len(taken) < steps and left:
        singles = live.single_removals()
        best: tuple[tuple[Any, ...], int] | None = None
        for i, action in enumerate(left):
            people = [p for p in action.people if p in live.adj]
            cut = live.cut_ties(action)
            if not people and not cut:
                continue  # takes nothing out now (its person gone; its ties rest on other evidence too)
            after = live.after_cutting(singles, people, cut)
            weight = len(cut) + sum(live.degree(p) for p in people)
            key = (*_key(after, objective), -weight, i)
            if best is None or key < best[0]:
                best = (key, i)
        if best is None:
            break
        chosen = left[best[1]]
        live.apply(chosen)
        taken.append(chosen)
        left = [a for a in left if a is not chosen]
    return taken


def _baseline_order(live: _Live, eligible: Sequence[Any], measure: str, steps: int) -> list[Any]:
    """People removed by betweenness or degree recomputed after each removal (unweighted)."""
    order: list[Any] = []
    left = [p for p in eligible if p in live.adj]
    rank = {p: i for i, p in enumerate(sorted(left, key=str))}  # ties go to the smallest id: a stable order
    while len(order) < steps and left:
        if measure == "betweenness":
            H = nx.Graph()
            H.add_nodes_from(live.adj)
            H.add_edges_from((u, v) for u, near in live.adj.items() for v in near if str(u) < str(v))
            score = betweenness(H, weight=None)
        else:
            score = {p: float(live.degree(p)) for p in left}
        chosen = max(left, key=lambda p: (score.get(p, 0.0), live.degree(p), -rank[p]))
        order.append(chosen)
        live.remove(chosen)
        left = [p for p in left if p != chosen]
    return order


def _curve(live: _Live, actions: Iterable[Action]) -> list[Reach]:
    live = live.copy()
    curve = [live.reach()]
    for action in actions:
        live.apply(action)
        curve.append(live.reach())
    return curve


def _mean(curves: Sequence[list[Reach]]) -> list[Reach]:
    length = min(len(c) for c in curves)
    return [
        Reach(*(sum(getattr(c[k], f) for c in curves) / len(curves) for f in Reach.__dataclass_fields__))
        for k in range(length)
    ]


def _pad(curve: list[Reach], length: int) -> list[Reach]:
    """A curve that ran out of actions stays where it ended."""
    return curve + [curve[-1]] * (length - len(curve)) if curve else curve


def plan_disruption(
    N: nx.Graph,
    actions: Sequence[Action],
    *,
    children: Collection[Any],
    suspects: Collection[Any],
    steps: int | None = None,
    random_orders: int = RANDOM_ORDERS,
    seed: int | None = 1,
) -> Plan:
    """The ordered plan of ``steps`` actions on ``N`` (default :func:`plan_length`), with the
    curves of the plan and of each baseline (see the module's docstring for how it is chosen).

    Args:
        N: the person network the plan acts on (its nodes are people; ties carry evidence).
        actions: the candidate actions (:func:`analytics.actions.candidate_actions`).
        children: the children among the nodes (never acted on by any strategy).
        suspects: the exploitation suspects; children with no path to any are cut off.
    """
    base = _Live(N, children, suspects)
    start = base.reach()
    objective: Objective = "children cut off" if start.children_reachable else "largest component"
    steps = plan_length(N.number_of_nodes()) if steps is None else steps
    steps = min(steps, len(actions))
    people = [a.target for a in actions if a.people == {a.target} and not a.evidence]
    person_action = {a.target: a for a in actions if a.people == {a.target} and not a.evidence}
    orders = {m: _baseline_order(base.copy(), people, m, steps) for m in ("betweenness", "degree")}
    curves = {m: _pad(_curve(base, [person_action[p] for p in order]), steps + 1) for m, order in orders.items()}
    rng = random.Random(seed)
    shuffled = []
    for _ in range(random_orders if people else 0):
        order = list(people)
        rng.shuffle(order)
        shuffled.append(_pad(_curve(base, [person_action[p] for p in order[:steps]]), steps + 1))
    curves["random"] = _mean(shuffled) if shuffled else [start] * (steps + 1)
    best_baseline = [min(_primary(curves[m][k], objective) for m in BASELINES) for k in range(steps + 1)]

    chosen, chosen_curve = _choose(base, actions, objective, steps, orders, person_action, best_baseline)
    sources = ["plan"] * (steps + 1)
    plan_curve = list(chosen_curve)
    for k in range(steps + 1):  # where the plan's order falls behind, the better baseline's figure, named
        for m in ("betweenness", "degree"):
            if _primary(curves[m][k], objective) < _primary(plan_curve[k], objective):
                plan_curve[k], sources[k] = curves[m][k], m
    curves = {"plan": plan_curve, **curves}
    log.info("plan of %d actions on %d people (%s)", len(chosen), N.number_of_nodes(), objective)
    replay, cuts = base.copy(), []
    for action in chosen:
        cuts.append(replay.cut_ties(action))
        replay.apply(action)
    return Plan(objective, chosen, chosen_curve, curves, sources, N.number_of_nodes(), cuts, orders)


def _choose(
    base: _Live,
    actions: Sequence[Action],
    objective: Objective,
    steps: int,
    orders: Mapping[str, list[Any]],
    person_action: Mapping[Any, Action],
    best_baseline: list[float],
) -> tuple[list[Action], list[Reach]]:
    """The greedy order, or the greedy order continued from a baseline's first actions where the
    plain greedy order falls behind: the first that is never worse than the best baseline."""

    def behind(curve: list[Reach]) -> list[int]:
        return [k for k in range(len(curve)) if _primary(curve[k], objective) > best_baseline[k]]

    greedy = _greedy(base.copy(), actions, objective, steps)
    curve = _pad(_curve(base, greedy), steps + 1)
    for first in behind(curve)[:4]:  # switch to a baseline's first actions where greedy falls behind
        for m in ("betweenness", "degree"):
            head = [person_action[p] for p in orders[m][:first]]
            live = base.copy()
            for action in head:
                live.apply(action)
            taken = {id(a) for a in head}
            rest = _greedy(live, [a for a in actions if id(a) not in taken], objective, steps - len(head))
            hybrid = _pad(_curve(base, head + rest), steps + 1)
            if not behind(hybrid):
                return head + rest, hybrid
    return greedy, curve


def single_effects(
    N: nx.Graph, actions: Sequence[Action], *, children: Collection[Any], suspects: Collection[Any]
) -> list[dict[str, Any]]:
    """Each action alone, simulated on the whole of ``N``: what it touches and its effect (the
    fields of :func:`analytics.disruption.simulate_disruption`, plus ``ties_cut`` and ``network_people``)."""
    live = _Live(N, children, suspects)
    start = live.reach()
    singles = live.single_removals()
    out = []
    for action in actions:
        people = [p for p in action.people if p in live.adj]
        cut = live.cut_ties(action)
        after = live.after_cutting(singles, people, cut)
        touches = set(people) | {n for pair in cut for n in pair}
        out.append(
            {
                "target": action.target,
                "target_kind": action.target_kind,
                "tactic_names": [t.name for t in action.tactics],
                "touches": sorted(touches, key=str),
                "removes": sorted(people, key=str),
                "ties_cut": len(cut),
                "network_people": int(start.people),
                "largest_before": int(start.largest),
                "largest_after": int(after.largest),
                "shrinkage": round(1.0 - after.largest / start.largest, 4) if start.largest else 0.0,
                "fragmentation": round(after.fragmentation, 4),
                "children_cut_off": int(start.children_reachable - after.children_reachable),
                "children_reached_before": int(start.children_reachable),
                "paths_broken": int(start.child_suspect_pairs - after.child_suspect_pairs),
                "paths_before": int(start.child_suspect_pairs),
            }
        )
    return out


def plan_tables(plan: Plan, labels: Mapping[Any, str], *, network: str) -> tuple[list[PlanStepRow], list[PlanCurveRow]]:
    """The ``disruption_plan`` rows (one per step: the action, what it achieves, how it compares)
    and the ``disruption_curves`` rows (one per strategy and step) of a plan.

    ``labels`` names the targets; ``network`` says in words which network was measured.
    """
    curves, objective, total = plan.curves, plan.objective, plan.people
    own = plan.own
    plan_rows = []
    for k, action in enumerate(plan.actions, start=1):
        before, after = own[k - 1], own[k]
        plan_rows.append(
            PlanStepRow(
                entity_id=action.target,
                label=labels.get(action.target, str(action.target)),
                step=k,
                objective=objective,
                network=network,
                target_kind=action.target_kind,
                action=_action_text(action, labels.get(action.target, str(action.target))),
                tactics=[TacticChoice(t.name, t.description, t.needs) for t in action.tactics],
                removes=sorted({str(p) for p in action.people} | {str(action.target)}),
                ties_cut=[[str(u), str(v)] for u, v in plan.cuts[k - 1]],
                children_reachable=round(after.children_reachable, 2),
                children_cut_off=round(own[0].children_reachable - after.children_reachable, 2),
                largest_component=int(after.largest),
                largest_component_share=round(after.largest / total, 4) if total else 0.0,
                fragmentation=round(after.fragmentation, 4),
                reasons=_step_reasons(before, after, own[0], total),
                comparison=compare_in_words(plan, k),
                source=plan.sources[k],
            )
        )
    curve_rows = []
    for strategy, curve in curves.items():
        for k, reach in enumerate(curve):
            curve_rows.append(
                PlanCurveRow(
                    entity_id=f"{strategy}-{k}",
                    label=STRATEGY_LABELS[strategy],
                    strategy=strategy,
                    step=k,
                    objective=objective,
                    largest_component=round(reach.largest, 2),
                    largest_component_share=round(reach.largest / total, 4) if total else 0.0,
                    children_reachable=round(reach.children_reachable, 2),
                    children_cut_off=round(curve[0].children_reachable - reach.children_reachable, 2),
                    fragmentation=round(reach.fragmentation, 4),
                    source=plan.sources[k] if strategy == "plan" else strategy,
                )
            )
    return plan_rows, curve_rows


STRATEGY_LABELS = {
    "plan": "the plan",
    "betweenness": "betweenness, recomputed after each removal",
    "degree": "degree, recomputed after each removal",
    "random": f"random orders (mean of {RANDOM_ORDERS})",
}


def _action_text(action: Action, label: str) -> str:
    """What to do, in a line: the first tactic open against the target (the rest are listed with it)."""
    if not action.tactics:
        return f"act on {label}"
    more = len(action.tactics) - 1
    return f"{action.tactics[0].name}: {label}" + (f" (or {more} other tactic{'s' * (more > 1)})" if more else "")


def _step_reasons(before: Reach, after: Reach, start: Reach, total: int) -> list[str]:
    reasons = []
    cut = before.children_reachable - after.children_reachable
    if cut > 0:
        reasons.append(
            f"cuts {cut:g} more children off from every suspect "
            f"({start.children_reachable - after.children_reachable:g} of {start.children_reachable:g} so far)"
        )
    broken = before.child_suspect_pairs - after.child_suspect_pairs
    if broken > 0:
        reasons.append(f"breaks {broken:g} child-suspect connections ({after.child_suspect_pairs:g} left)")
    if after.largest < before.largest:
        reasons.append(
            f"the largest connected part falls from {before.largest:g} to {after.largest:g} of the {total} people"
        )
    if after.fragmentation - before.fragmentation >= 0.0005:
        reasons.append(f"fragmentation rises from {before.fragmentation:.3f} to {after.fragmentation:.3f}")
    return reasons or ["no change on its own to the children reached or the largest part: it readies later steps"]


def compare_in_words(plan: Plan, k: int) -> str:
    """How the plan after ``k`` actions compares with each baseline after as many, in words."""
    objective = plan.objective
    start = plan.own[0]

    def figure(reach: Reach) -> str:
        if objective == "children cut off":
            cut = start.children_reachable - reach.children_reachable
            return f"{cut:g} {'child' if cut == 1 else 'children'} cut off"
        return f"largest part {reach.largest:g} of {plan.people}"

    others = "; ".join(f"{STRATEGY_LABELS[m]}: {figure(plan.curves[m][k])}" for m in BASELINES)
    text = f"After {k} action{'s' * (k != 1)}, the plan: {figure(plan.own[k])}; {others}."
    if plan.sources[k] != "plan":
        text += (
            f" With only {k} action{'s' * (k != 1)}, the {plan.sources[k]} order's first {k} do better "
            f"than the plan's first {k}: take those instead."
        )
    if objective == "children cut off":  # the measure it did not optimise, so the trade-off is in view
        own = plan.own[k].largest
        best = min(BASELINES, key=lambda m: plan.curves[m][k].largest)
        theirs = plan.curves[best][k].largest
        if theirs < own:
            text += (
                f" The plan does not aim to break the network up: its largest connected part is still {own:g} "
                f"of {plan.people} people, against {theirs:g} after the {STRATEGY_LABELS[best]} order, which "
                "splits the network more but leaves more children with a path to a suspect."
            )
    return text


@dataclass
class NetworkPlan:
    """What the analysis saves of the plan: its tables, and every single action's effect (for the
    per-group options)."""

    plan_rows: list[PlanStepRow]
    curve_rows: list[PlanCurveRow]
    effects: list[dict[str, Any]]


def plan_network_disruption(
    G: nx.MultiDiGraph,
    P: nx.Graph,
    *,
    roles: Mapping[Any, frozenset[str]],
    seeds: Collection[Any],
    hops: int,
    places: Mapping[Any, set[Any]],
    tactics: Mapping[str, Sequence[Tactic]] | None = None,
    seed: int | None = 1,
) -> NetworkPlan:
    """The plan on the concern network (the people within ``hops`` of the seeds), or on the whole
    person network ``P`` when there are no seeds (no roles recorded), with its curves and each
    single action's effect on that same network."""
    N = concern_network(P, seeds, hops=hops) if seeds else P
    network = (
        f"the concern network ({N.number_of_nodes()} people: everyone within {hops} ties of a suspect or victim)"
        if seeds
        else f"the whole person network ({N.number_of_nodes()} people)"
    )
    children = {n for n in N if "child" in roles.get(n, frozenset())}
    suspects = {n for n in N if EXPLOITATION_SUSPECT in roles.get(n, frozenset())}
    actions = candidate_actions(G, N, roles=roles, places=places, tactics=tactics)
    plan = plan_disruption(N, actions, children=children, suspects=suspects, seed=seed)
    labels = {a.target: label_of(G, a.target) if a.target in G else str(a.target) for a in actions}
    plan_rows, curve_rows = plan_tables(plan, labels, network=network)
    effects = single_effects(N, actions, children=children, suspects=suspects)
    return NetworkPlan(plan_rows, curve_rows, effects)
