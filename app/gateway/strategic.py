"""The strategic lead's reads: areas and counts, never people, every count made safe to publish."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app import strategic
from app.gateway.base import GatewayBase
from graph.result_rows import AreaCountRow, CellPeriodRow, HotspotAreaRow, HotspotCellRow, MeasureRow


class StrategicReads(GatewayBase):
    """The hotspot map and the dashboard."""

    def hotspot_areas(
        self, period: str | None = None, *, boundaries: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Hexagon, ward and hotspot-area counts of one set of events (suppressed on people, rounded), the
        hotspot cells and each cell's local pattern in words, for a quarter or all time.

        With ``boundaries`` (the ward GeoJSON) wards are named and hexagons placed in their wards.
        """
        self._allow("view_hotspots", "hotspot map")
        view = strategic.hotspot_areas(
            self.results(HotspotCellRow),
            self.results(AreaCountRow),
            period,
            boundaries=boundaries,
            areas=self.results(HotspotAreaRow),
        )
        self._log("hotspot map", (), "shown", detail=f"period={period or 'all'}; aggregates only")
        return view

    def hotspot_periods(self) -> list[str]:
        """The quarters the analysis counted events in, oldest first."""
        self._allow("view_hotspots", "hotspot periods")
        return sorted({r.period for r in self.results(CellPeriodRow)})

    def dashboard(self) -> dict[str, list[dict[str, Any]]]:
        """Management information by measure, every count suppressed under 10 (or under 10 different
        children behind it) and rounded to 5."""
        self._allow("view_dashboard", "dashboard")
        view = strategic.dashboard(self.results(MeasureRow))
        self._log("dashboard", (), "shown", detail="aggregates only")
        return view
