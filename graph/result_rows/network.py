"""The rows of the network tables: groups, the two rankings, the disruption options and the plan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from graph.result_rows.codec import Record, ResultRow

# -- parts of rows


@dataclass(frozen=True, slots=True)
class Labelled(Record):
    """An entity a row names: its id and display label."""

    entity_id: str
    label: str


@dataclass(frozen=True, slots=True)
class GroupMember(Record):
    """A person listed with a group: their part in it, their roles, and whether they are in its core."""

    entity_id: str
    label: str
    role: str
    roles: list[str]
    membership: str
    membership_reason: str


@dataclass(frozen=True, slots=True)
class TacticChoice(Record):
    """A tactic open against a target: its name, what it is, and what it needs."""

    name: str
    description: str
    needs: str


@dataclass(frozen=True, slots=True)
class GroupRow(ResultRow):
    """``groups``: a group's profile (``entity_id`` is its organiser)."""

    TABLE: ClassVar[str] = "groups"
    group_id: str
    entity_id: str
    label: str
    size: int
    core_size: int
    core: list[Labelled]
    periphery: list[Labelled]
    density: float
    members: list[GroupMember]
    organisers: list[Labelled]
    children: list[Labelled]
    vehicles: list[Labelled]
    phones: list[Labelled]
    licences: list[Labelled]
    premises: list[Labelled]
    events: int
    first_activity: str | None
    last_activity: str | None
    sources: dict[str, int]
    gradings: dict[str, int]
    key_player_set: list[Labelled]
    fragmentation_after_key_player_set: float


@dataclass(frozen=True, slots=True)
class KeyPlayerRow(ResultRow):
    """``key_players``: a person ranked inside their group, with the group's measures and reasons."""

    TABLE: ClassVar[str] = "key_players"
    entity_id: str
    label: str
    group_id: str
    rank_in_group: int
    score: float
    network_rank: int | None
    degree: int
    degree_in_group: float
    strength_in_group: float
    betweenness_in_group: float
    pagerank_in_group: float
    brokerage: int
    in_key_player_set: bool
    roles: list[str]
    reasons: list[str]


@dataclass(frozen=True, slots=True)
class NetworkRankRow(ResultRow):
    """``network_ranking``: a person ranked on the whole person network."""

    TABLE: ClassVar[str] = "network_ranking"
    entity_id: str
    label: str
    rank: int
    score: float
    group_id: str | None
    degree: int
    strength: float
    betweenness: float
    pagerank: float
    degree_percentile: float
    strength_percentile: float
    betweenness_percentile: float
    pagerank_percentile: float
    brokerage: int
    roles: list[str]
    reasons: list[str]


@dataclass(frozen=True, slots=True)
class DisruptionOptionRow(ResultRow):
    """``disruption_options``: one action against a group, its effect measured on the whole network."""

    TABLE: ClassVar[str] = "disruption_options"
    group_id: str
    entity_id: str
    label: str
    target_kind: str
    tactics: list[TacticChoice]
    tactic_names: list[str]
    removes: list[str]
    ties_cut: int
    network_people: int
    largest_before: int
    largest_after: int
    shrinkage: float
    fragmentation: float
    children_cut_off: int
    children_reached_before: int
    paths_broken: int
    paths_before: int
    score: float
    reasons: list[str]
    note: str
    rank: int


@dataclass(frozen=True, slots=True)
class PlanStepRow(ResultRow):
    """``disruption_plan``: one step of the plan on the whole network."""

    TABLE: ClassVar[str] = "disruption_plan"
    entity_id: str
    label: str
    step: int
    objective: str
    network: str
    target_kind: str
    action: str
    tactics: list[TacticChoice]
    removes: list[str]
    ties_cut: list[list[str]]
    children_reachable: float
    children_cut_off: float
    largest_component: int
    largest_component_share: float
    fragmentation: float
    reasons: list[str]
    comparison: str
    source: str


@dataclass(frozen=True, slots=True)
class PlanCurveRow(ResultRow):
    """``disruption_curves``: a strategy's figures after some number of actions."""

    TABLE: ClassVar[str] = "disruption_curves"
    entity_id: str
    label: str
    strategy: str
    step: int
    objective: str
    largest_component: float
    largest_component_share: float
    children_reachable: float
    children_cut_off: float
    fragmentation: float
    source: str
