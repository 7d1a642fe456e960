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

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict, cast

from graph.result_rows.codec import R, Record, ResultRow, decode_rows, field_names, plain_row, stored_rows
from graph.result_rows.network import (
    DisruptionOptionRow,
    GroupMember,
    GroupRow,
    KeyPlayerRow,
    Labelled,
    NetworkRankRow,
    PlanCurveRow,
    PlanStepRow,
    TacticChoice,
)
from graph.result_rows.people import ChildIndicatorRow, FlagReason, FlagRow, MeasureRow, SummaryRow
from graph.result_rows.places import (
    AreaCountRow,
    CellPeriodRow,
    DensityRow,
    HotspotAreaRow,
    HotspotCellRow,
    WardCountRow,
    WardMonthRow,
)


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


def table_items(tables: ResultTables) -> list[tuple[str, Sequence[ResultRow]]]:
    """The tables as (name, rows) pairs, in the order :class:`ResultTables` names them."""
    held = cast(Mapping[str, Sequence[ResultRow]], tables)
    return [(name, held[name]) for name in ROW_TYPES if name in held]


def stored_tables(tables: ResultTables) -> dict[str, list[dict[str, Any]]]:
    """Every table as the store saves it: name -> plain mappings (for readers that take any table by name)."""
    return {name: stored_rows(rows) for name, rows in table_items(tables)}


__all__ = [
    "ROW_TYPES",
    "AreaCountRow",
    "CellPeriodRow",
    "ChildIndicatorRow",
    "DensityRow",
    "DisruptionOptionRow",
    "FlagReason",
    "FlagRow",
    "GroupMember",
    "GroupRow",
    "HotspotAreaRow",
    "HotspotCellRow",
    "KeyPlayerRow",
    "Labelled",
    "MeasureRow",
    "NetworkRankRow",
    "PlanCurveRow",
    "PlanStepRow",
    "R",
    "Record",
    "ResultRow",
    "ResultTables",
    "SummaryRow",
    "TacticChoice",
    "WardCountRow",
    "WardMonthRow",
    "decode_rows",
    "field_names",
    "plain_row",
    "stored_rows",
    "stored_tables",
    "table_items",
]
