"""The rows of the hotspot tables: hexagons, wards, periods, areas and density."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from graph.result_rows.codec import ResultRow


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
