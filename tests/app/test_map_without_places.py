"""A graph with no places (an imported POLE graph of people and crimes) still draws its hotspot map.

The walkthrough of issue 24 found the strategic lead's map page failing with a server error on such a
graph: folium refuses a tooltip over a hexagon layer that holds no hexagons.
"""

from __future__ import annotations

from app import map_view, strategic


def test_a_view_with_no_events_in_any_place_draws_an_empty_map() -> None:
    view = strategic.hotspot_areas([], [], None)
    html = map_view.hotspot_map(view, boundaries=None, tile_url=None)
    assert "<html" in html.lower() and "hexagons" not in html
