"""The hotspot map: ward choropleth, H3 hexagons, Gi* hotspots, by quarter. Counts only, no points."""

import streamlit as st

from app import exports, map_view, session, widgets

gw = session.page_gateway("view_hotspots")
st.title("Hotspot map")
periods = gw.hotspot_periods()
period = st.selectbox(
    "Period",
    ["all", *reversed(periods)],
    key="map_period",
    help="Whole calendar quarters, which cannot overlap; hotspots are from the whole window.",
)
view = gw.hotspot_areas(None if period == "all" else period)
settings = session.runtime().settings
html = map_view.hotspot_map(
    view,
    boundaries=map_view.load_boundaries(settings.boundaries_path),
    tile_url=settings.tile_url,
    tile_attribution=settings.tile_attribution,
)
widgets.map_frame(html)
st.caption(
    f"{len(view['hot_cells'])} Gi* hotspot hexagons; {len(view['cells'])} hexagons and {len(view['wards'])} wards with "
    f"10 or more events (rounded to 5); {view['cells_suppressed']} hexagons and {view['wards_suppressed']} wards "
    "with fewer are not shown."
)
left, right = st.columns(2)
with left:
    st.markdown("**Wards**")
    widgets.table(view["wards"])
with right:
    st.markdown("**Hexagons**")
    widgets.table(view["cells"])
briefing = exports.briefing_html(
    f"Hotspot briefing, {view['period']}",
    [
        ("Wards", view["wards"], ["area", "count"]),
        ("Hexagons", view["cells"], ["area", "count"]),
        ("Gi* hotspot hexagons", [{"area": c} for c in view["hot_cells"]], ["area"]),
    ],
    prepared_by=gw.viewer.name,
)
st.download_button(
    "Download briefing (HTML)",
    briefing,
    file_name="hotspot-briefing.html",
    mime="text/html",
    on_click=lambda: gw.note_export("hotspot briefing", []),
)
st.download_button(
    "Download map (HTML)",
    html,
    file_name="hotspot-map.html",
    mime="text/html",
    on_click=lambda: gw.note_export("hotspot map", []),
)
