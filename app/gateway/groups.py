"""The analyst's reads of the analysis: groups, a group's view, the network-wide ranking, the disruption plan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.gateway.base import GatewayBase, NotFound, timeline
from graph.result_rows import DisruptionOptionRow, GroupRow, KeyPlayerRow, NetworkRankRow, PlanCurveRow, PlanStepRow


@dataclass(frozen=True, slots=True)
class GroupView:
    """A group's profile, its key players and disruption options, and its members' events in date order."""

    profile: GroupRow
    key_players: list[KeyPlayerRow]
    disruption_options: list[DisruptionOptionRow]
    timeline: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class DisruptionPlan:
    """The plan's ordered steps, and the curve of the plan and each baseline after each number of actions."""

    steps: list[PlanStepRow]
    curves: list[PlanCurveRow]


class GroupReads(GatewayBase):
    """Groups, the ranking and the plan, as the analysis saved them."""

    def groups(self) -> list[dict[str, Any]]:
        """The groups the analysis found, one summary row each."""
        self._allow("view_groups", "groups")
        found = self.results(GroupRow)
        rows = [
            {
                "group_id": g.group_id,
                "label": g.label,
                "size": g.size,
                "children": len(g.children),
                "events": g.events,
                "first_activity": g.first_activity,
                "last_activity": g.last_activity,
                "density": g.density,
            }
            for g in found
        ]
        self._log("groups", [g.entity_id for g in found])
        return rows

    def network_ranking(self, *, limit: int = 50) -> list[NetworkRankRow]:
        """The top ``limit`` people of the network-wide key-player ranking (the whole person network,
        comparable across groups), each with their rank, group, measures and reasons; children are
        never ranked. Only the rows returned are recorded as viewed."""
        self._allow("view_groups", "network ranking")
        rows = list(self.results(NetworkRankRow)[: max(limit, 0)])
        self._log("network ranking", [str(r.entity_id) for r in rows], detail=f"top {limit}")
        return rows

    def group(self, group_id: str) -> GroupView:
        """A group's profile, key players, disruption options and timeline."""
        self._allow("view_groups", "group")
        found = [g for g in self.results(GroupRow) if g.group_id == group_id]
        if not found:
            self._log("group", (), detail=f"no group {group_id}")
            raise NotFound(f"no group {group_id!r} in the latest analysis")
        profile = found[0]
        members = [m.entity_id for m in profile.members]
        G = self._store.to_networkx(entity_ids=self._with_events(members), provenance=False)
        view = GroupView(
            profile=profile,
            key_players=[r for r in self.results(KeyPlayerRow) if r.group_id == group_id],
            disruption_options=[r for r in self.results(DisruptionOptionRow) if r.group_id == group_id],
            timeline=timeline(G, members),
        )
        self._log("group", [*members, *(m.entity_id for m in profile.children)], detail=group_id)
        return view

    def disruption_plan(self) -> DisruptionPlan:
        """The analysis's disruption plan on the whole network: ``steps`` (ordered actions, each with
        what it achieves and how it compares with the baselines) and ``curves`` (the plan's and each
        baseline's figures after each number of actions). The plan's targets are recorded as viewed."""
        self._allow("view_groups", "disruption plan")
        steps = sorted(self.results(PlanStepRow), key=lambda r: int(r.step))
        curves = list(self.results(PlanCurveRow))
        self._log("disruption plan", [str(r.entity_id) for r in steps])
        return DisruptionPlan(steps, curves)
