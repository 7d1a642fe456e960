"""The rows of the licensing flags, the children's indicators, the management information and the summary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from graph.result_rows.codec import Record, ResultRow


@dataclass(frozen=True, slots=True)
class FlagReason(Record):
    """One reason for a licensing flag: its level, the words, the records it cites and their grading."""

    level: str
    reason: str
    sources: list[str]
    grading: list[str]


@dataclass(frozen=True, slots=True)
class FlagRow(ResultRow):
    """``flags``: a licence or business, its concern level and the reasons (highest first)."""

    TABLE: ClassVar[str] = "flags"
    entity_id: str
    label: str
    subject_kind: str
    subject_type: str
    authority: str | None
    status: str | None
    level: str
    reasons: list[FlagReason]


@dataclass(frozen=True, slots=True)
class ChildIndicatorRow(ResultRow):
    """``child_indicators``: a child's missing episodes, trend, return interviews and who is near them."""

    TABLE: ClassVar[str] = "child_indicators"
    entity_id: str
    label: str
    age: int | None
    missing_episodes: int
    last_missing: str | None
    days_since_missing: int | None
    episodes_last_6_months: int
    episodes_previous_6_months: int
    trend: str
    return_interviews: int
    exploitation_factors: list[str]
    suspects_within_1: int
    suspects_within_2: int
    exposed_not_offending: bool
    found_locations: int
    places_of_concern: int
    peer_children: int
    peer_ids: list[str]
    risk_level: str | None
    looked_after: bool | None
    group_id: str | None


@dataclass(frozen=True, slots=True)
class MeasureRow(ResultRow):
    """``management_information``: a count by measure and category, and how many children it rests on
    (``people``; None for counts of businesses)."""

    TABLE: ClassVar[str] = "management_information"
    entity_id: str
    label: str
    measure: str
    category: str
    count: int
    people: int | None


@dataclass(frozen=True, slots=True)
class SummaryRow(ResultRow):
    """``summary``: the analysis in counts and dates (no personal data)."""

    TABLE: ClassVar[str] = "summary"
    entity_id: str
    label: str
    as_of: str | None
    people: int
    people_ranked: int | None  # None in a summary saved before the network-wide ranking
    ties: int
    concern_seeds: int
    groups: int
    hotspot_cells: int
    hotspot_events: int
    pai: float | None
    pai_cutoff: float | None
    flags_high: int
    h3_resolution: int
    home_authority: str | None
