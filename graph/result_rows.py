"""The saved analysis tables, one row type each: what the analytics make, the store saves, the app and CLI read.

Each table (``groups``, ``key_players``, ``flags`` ...) has one frozen row type here, named in
:data:`ROW_TYPES`. The analytics build rows of these types, the CLI converts them to the stored
mapping (:func:`stored_rows`) at the store's edge, and the app decodes a saved table once into
rows again (:meth:`ResultRow.from_mapping`): renaming a field is a type error everywhere it is used.

The stored names are the field names, as saved before these types existed, so an older store still
opens. A column a row was saved without (a table from an older analysis) reads as the field's blank:
None where the field may be None, else an empty text, zero, False or an empty list. A column the
type does not know is ignored.

>>> row = FlagRow.from_mapping({"entity_id": "L1", "level": "high", "reasons": [{"reason": "seen"}]})
>>> row.level, row.reasons[0].reason, row.reasons[0].sources, row.status
('high', 'seen', [], None)
>>> stored_rows([row])[0]["reasons"][0]["reason"]
'seen'
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Self, TypedDict, TypeVar, cast

_Decode = Callable[[Any], Any]


class Record:
    """What every saved row and every part of one shares: conversion to and from the stored mapping."""

    __slots__ = ()

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Self:
        """A row from its stored mapping (a missing column reads as the field's blank; unknown ones are ignored)."""
        codec = cls.__dict__.get("_codec_built") or _build_codec(cls)
        values = {name: (decode(data[name]) if name in data else blank) for name, decode, blank in codec}
        return cast(Self, cast(Any, cls)(**values))

    def to_mapping(self) -> dict[str, Any]:
        """The row as the store saves it: plain JSON values under the field names."""
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(cast(Any, self))}


def _build_codec(cls: type[Record]) -> tuple[tuple[str, _Decode, Any], ...]:
    hints = typing.get_type_hints(cls)
    codec = tuple((f.name, _decoder(hints[f.name]), _blank(hints[f.name])) for f in dataclasses.fields(cast(Any, cls)))
    type.__setattr__(cls, "_codec_built", codec)
    return codec


def _decoder(tp: Any) -> _Decode:
    """How a stored JSON value becomes a field's value: nested parts become their type, the rest stays."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if isinstance(tp, type) and issubclass(tp, Record):
        part = tp
        return lambda v: part.from_mapping(v) if isinstance(v, Mapping) else v
    if origin is list:
        inner = _decoder(args[0])
        return lambda v: [inner(x) for x in v] if isinstance(v, list | tuple) else v or []
    if origin is dict:
        inner = _decoder(args[1])
        return lambda v: (
            {str(k): inner(x) for k, x in v.items()} if isinstance(v, Mapping) else ({} if v is None else v)
        )
    if origin in (typing.Union, types.UnionType):
        kept = [a for a in args if a is not type(None)]
        if len(kept) == 1:
            inner = _decoder(kept[0])
            return lambda v: None if v is None else inner(v)
    return lambda v: v


def _blank(tp: Any) -> Any:
    """What a column missing from a stored row reads as."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        return None
    if origin is list:
        return []
    if origin is dict:
        return {}
    return {str: "", int: 0, float: 0.0, bool: False}.get(tp)


def _plain(value: Any) -> Any:
    """A JSON value: nested rows as mappings, numpy scalars as Python numbers, NaN as None, sets sorted."""
    if isinstance(value, Record):
        return value.to_mapping()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if value is None or isinstance(value, str):
        return value
    if not isinstance(value, int | float) and hasattr(value, "item"):  # a numpy scalar
        value = value.item()
    if isinstance(value, float) and not isinstance(value, bool):
        number = float(value)
        return None if math.isnan(number) else number
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    return value


class ResultRow(Record):
    """A row of a saved table: every row has an ``entity_id`` and a display ``label``."""

    __slots__ = ()
    TABLE: ClassVar[str]
    entity_id: str
    label: str


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
class FlagReason(Record):
    """One reason for a licensing flag: its level, the words, the records it cites and their grading."""

    level: str
    reason: str
    sources: list[str]
    grading: list[str]


# -- the tables


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


@dataclass(frozen=True, slots=True)
class HotspotCellRow(ResultRow):
    """``hotspots``: a hexagon with events, sightings, Gi* significance or a local Moran's I class."""

    TABLE: ClassVar[str] = "hotspots"
    entity_id: str
    label: str
    area_type: str
    latitude: float
    longitude: float
    count: int
    sightings: int
    z: float | None
    p: float | None
    significant: bool
    hotspot: bool
    area_id: str | None
    moran_i: float | None
    moran_quadrant: str
    moran_p: float | None
    moran_class: str
    moran_text: str
    note: str


@dataclass(frozen=True, slots=True)
class WardCountRow(ResultRow):
    """``hotspot_wards``: events counted in a ward."""

    TABLE: ClassVar[str] = "hotspot_wards"
    entity_id: str
    label: str
    area_type: str
    count: int


@dataclass(frozen=True, slots=True)
class WardMonthRow(ResultRow):
    """``hotspot_trend``: events in a ward in a month."""

    TABLE: ClassVar[str] = "hotspot_trend"
    entity_id: str
    label: str
    area_type: str
    month: str
    count: int


@dataclass(frozen=True, slots=True)
class CellPeriodRow(ResultRow):
    """``hotspot_periods``: events in a hexagon in a quarter."""

    TABLE: ClassVar[str] = "hotspot_periods"
    entity_id: str
    label: str
    area_type: str
    period: str
    count: int


@dataclass(frozen=True, slots=True)
class AreaCountRow(ResultRow):
    """``hotspot_counts``: what the strategic views publish: events and the distinct people behind them,
    by hexagon or ward (``area_type``) and period (a quarter, or ``all``)."""

    TABLE: ClassVar[str] = "hotspot_counts"
    entity_id: str
    label: str
    area_type: str
    ward: str | None
    period: str
    events: int
    people: int
    count: int


@dataclass(frozen=True, slots=True)
class HotspotAreaRow(ResultRow):
    """``hotspot_areas``: a contiguous hotspot area in a period, its cells and its counts."""

    TABLE: ClassVar[str] = "hotspot_areas"
    entity_id: str
    label: str
    area_type: str
    period: str
    events: int
    people: int
    count: int
    cells: list[str]
    cell_count: int
    quiet_cells: list[str]
    peak_cell: str
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class DensityRow(ResultRow):
    """``density``: a point of the kernel density surface."""

    TABLE: ClassVar[str] = "density"
    entity_id: str
    label: str
    latitude: float
    longitude: float
    density: float


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


class ResultTables(TypedDict):
    """Every table one analysis saves, by name, each a list of its rows."""

    groups: list[GroupRow]
    key_players: list[KeyPlayerRow]
    network_ranking: list[NetworkRankRow]
    disruption_options: list[DisruptionOptionRow]
    disruption_plan: list[PlanStepRow]
    disruption_curves: list[PlanCurveRow]
    hotspots: list[HotspotCellRow]
    hotspot_wards: list[WardCountRow]
    hotspot_trend: list[WardMonthRow]
    hotspot_periods: list[CellPeriodRow]
    hotspot_counts: list[AreaCountRow]
    hotspot_areas: list[HotspotAreaRow]
    density: list[DensityRow]
    flags: list[FlagRow]
    child_indicators: list[ChildIndicatorRow]
    management_information: list[MeasureRow]
    summary: list[SummaryRow]


_ALL: tuple[type[ResultRow], ...] = (
    GroupRow,
    KeyPlayerRow,
    NetworkRankRow,
    DisruptionOptionRow,
    PlanStepRow,
    PlanCurveRow,
    HotspotCellRow,
    WardCountRow,
    WardMonthRow,
    CellPeriodRow,
    AreaCountRow,
    HotspotAreaRow,
    DensityRow,
    FlagRow,
    ChildIndicatorRow,
    MeasureRow,
    SummaryRow,
)
ROW_TYPES: Mapping[str, type[ResultRow]] = {t.TABLE: t for t in _ALL}
"""Each saved table's name and its row type."""

R = TypeVar("R", bound=ResultRow)


def field_names(row_type: type[ResultRow]) -> tuple[str, ...]:
    """The columns of a row type, in order."""
    return tuple(f.name for f in dataclasses.fields(cast(Any, row_type)))


def decode_rows(row_type: type[R], rows: Iterable[Mapping[str, Any]]) -> list[R]:
    """Stored mappings as rows of ``row_type``."""
    return [row_type.from_mapping(r) for r in rows]


def stored_rows(rows: Iterable[Record]) -> list[dict[str, Any]]:
    """Rows as the store saves them (plain JSON values under the column names)."""
    return [r.to_mapping() for r in rows]


def plain_row(row: R) -> R:
    """The same row with plain values (numpy scalars made Python numbers, NaN None, sets sorted lists)."""
    return type(row).from_mapping(row.to_mapping())


def table_items(tables: ResultTables) -> list[tuple[str, Sequence[ResultRow]]]:
    """The tables as (name, rows) pairs, in the order :class:`ResultTables` names them."""
    held = cast(Mapping[str, Sequence[ResultRow]], tables)
    return [(name, held[name]) for name in ROW_TYPES if name in held]


def stored_tables(tables: ResultTables) -> dict[str, list[dict[str, Any]]]:
    """Every table as the store saves it: name -> plain mappings (for readers that take any table by name)."""
    return {name: stored_rows(rows) for name, rows in table_items(tables)}
