"""The hotspot map: ward choropleth, H3 hexagons, hotspot areas and each hexagon's local pattern, by quarter.
Counts only, no points."""

from collections.abc import Callable

import streamlit as st

from app import exports, labels, map_view, session, strategic, widgets
from geodata.boundaries import load_boundaries

AREA_COLUMNS = ["hotspot area", "place", "hexagons", "events", "people"]
CELL_COLUMNS = ["place", "count", "hotspot", "pattern"]
PATTERN_MEANS = (  # fixed words, not data
    "**a busy cell among busy neighbours: part of a cluster** (high-high)",
    "**a busy cell with quiet neighbours: a spike** (high-low)",
    "**a quiet cell next to busy ones** (low-high)",
    "**a quiet cell among quiet ones** (low-low)",
    "**no significant local pattern**: neighbours like these are usual here",
)

gw = session.page_gateway("view_hotspots")
st.title("Hotspot map")
periods = gw.hotspot_periods()
period = st.selectbox(
    "Quarter",
    ["all", *reversed(periods)],
    format_func=lambda p: "Whole window (all quarters)" if p == "all" else labels.quarter_text(p),
    key="map_period",
    help="Whole calendar quarters, which cannot overlap; hotspots are from the whole window.",
)
settings = session.runtime().settings
boundaries = load_boundaries(settings.boundaries_path)
view = gw.hotspot_areas(None if period == "all" else period, boundaries=boundaries)
html = map_view.hotspot_map(
    view,
    boundaries=boundaries,
    tile_url=settings.tile_url,
    tile_attribution=settings.tile_attribution,
)
widgets.map_frame(html)
# How many areas were suppressed is not said: with the published ones it would bound the rest.
st.caption(
    f"Counted: {strategic.MEASURE} in {view['period_label']} ({strategic.MEASURE_MEANS}). Hexagons and wards "
    "count the same events; each hexagon is counted whole in the ward where most of its events were recorded, "
    "so a ward holds all of its hexagons' events. A count is shown only when its events involve 10 or more "
    "different people, rounded to the nearest 5; some areas are suppressed "
    f"({strategic.SUPPRESSED_MEANS}, or suppressed with another so that it cannot be worked out by "
    "subtraction). Hotspot areas (hexagons outlined) are found over the whole analysis window, whichever quarter "
    "is shown."
)
st.markdown(f"**Hotspot areas**: {strategic.MEASURE} and the different people behind them")
widgets.table(view["area_table"], columns=AREA_COLUMNS)
st.caption(
    "A hotspot area is a run of touching hexagons that hold events and that Gi* finds significantly busy "
    "(false discovery rate 5%). A hexagon with no events is never a hotspot, even where Gi* marks it "
    "through its neighbours' events. Each area's events are counted once, and its people are the "
    "different people behind them; both are suppressed under 10 and rounded to 5 as above."
)
if boundaries is None:
    st.info("No ward boundaries are configured (DISRUPT_BOUNDARIES), so wards are shown by code.")
left, _ = st.columns([2, 3])
with left:
    st.markdown(f"**Wards**: {strategic.MEASURE}")
    widgets.table(view["ward_table"], columns=["ward", "count"])
# The whole width: each hexagon carries its pattern in words.
st.markdown(f"**Hexagons**: {strategic.MEASURE} (published counts and hotspot areas)")
widgets.table(
    view["cell_table"], columns=CELL_COLUMNS, column_config={"pattern": st.column_config.TextColumn(width="large")}
)
st.markdown("**What each hexagon's pattern means** (local Moran's I: a hexagon against its six neighbours)")
st.markdown("\n".join(f"- {text}" for text in PATTERN_MEANS))
st.caption(
    "A pattern is named when it is significant at 5% (999 seeded permutations; not corrected for testing many "
    "hexagons, so read it beside the hotspot areas, which are). Where most hexagons are empty, quiet neighbours "
    "are usual, so a busy hexagon among them is often not significant as a spike, though it may still be a hotspot. "
    "Patterns are found over the whole analysis window, whichever quarter is shown."
)
briefing_title = f"Hotspot briefing, {view['period_label']}"
briefing_sections = [
    ("Hotspot areas", view["area_table"], AREA_COLUMNS),
    ("Wards", view["ward_table"], ["ward", "count"]),
    ("Hexagons", view["cell_table"], CELL_COLUMNS),
]
briefing = exports.briefing_html(
    briefing_title, briefing_sections, prepared_by=gw.viewer.name, purpose=gw.viewer.purpose
)


def _audited(what: str, data: bytes | str) -> Callable[[], bytes | str]:
    """The file, made only once the download is recorded in the audit log."""

    def make() -> bytes | str:
        gw.note_export(what, [])
        return data

    return make


st.download_button(
    "Download briefing (HTML)",
    _audited("hotspot briefing", briefing),
    file_name="hotspot-briefing.html",
    mime="text/html",
    on_click="ignore",
)


def _briefing_pdf() -> bytes:
    """The briefing as a PDF, made (in a few seconds) only once the download is recorded in the audit log."""
    gw.note_export("hotspot briefing", [])
    return exports.briefing_pdf(
        briefing_title, briefing_sections, prepared_by=gw.viewer.name, purpose=gw.viewer.purpose
    )


st.download_button(
    "Download briefing (PDF)",
    _briefing_pdf,
    file_name="hotspot-briefing.pdf",
    mime="application/pdf",
    on_click="ignore",
)
st.download_button(
    "Download map (HTML)",
    _audited("hotspot map", html),
    file_name="hotspot-map.html",
    mime="text/html",
    on_click="ignore",
)
