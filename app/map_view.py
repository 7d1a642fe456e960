"""The hotspot map: folium with Leaflet inlined from ``app/static/leaflet`` (no CDN).

Ward choropleth, H3 hexagons with published counts, Gi* hotspot cells outlined. Tiles come from
a configurable URL; with none, the map is a plain boundaries-only basemap. Every value placed in
a tooltip or legend is HTML-escaped here, and nothing but the aggregates passed in is drawn.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any, cast

import folium
import h3
from branca.element import Element, Figure

from analytics.hotspots import MORAN_WORDS
from app.exports import asset_text, script_safe
from app.strategic import MEASURE, NO_PATTERN, SUPPRESSED
from geodata.boundaries import boundary_points, ward_centres, ward_names

LEAFLET_DIR = Path(__file__).parent / "static" / "leaflet"
BLUES = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
HOT_OUTLINE = "#cb181d"
PATTERN_LEGEND = (*MORAN_WORDS.values(), NO_PATTERN)


def map_text(value: object) -> str:
    """HTML-escaped text that is also inert in a JavaScript template literal (backslash, backtick and ``$``).

    A backslash is an escape there: ``\\u003cimg ...`` in a name became ``<img ...>`` in the tooltip.
    """
    return escape(str(value)).replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")


def offline_map(
    centre: tuple[float, float],
    *,
    zoom: int,
    tile_url: str | None,
    tile_attribution: str | None,
    prefer_canvas: bool = False,
) -> folium.Map:
    """A folium map that loads nothing from the internet: Leaflet inlined, tiles only from ``tile_url``."""
    m = folium.Map(location=centre, zoom_start=zoom, tiles=None, control_scale=True, prefer_canvas=prefer_canvas)
    m.default_js = []  # no CDN scripts or styles: Leaflet is inlined below
    m.default_css = []
    root = cast(Figure, m.get_root())
    root.header.add_child(Element(f"<style>{leaflet_css()}</style>"))
    root.header.add_child(Element(f"<script>{script_safe(asset_text(LEAFLET_DIR / 'leaflet.js'))}</script>"))
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr=map_text(tile_attribution or "map tiles"), name="basemap").add_to(m)
    return m


@lru_cache(maxsize=1)
def leaflet_css() -> str:
    """Leaflet's stylesheet with its control images inlined, so an embedded map needs no other file."""
    css = asset_text(LEAFLET_DIR / "leaflet.css")
    for image in ("layers.png", "layers-2x.png", "marker-icon.png"):
        data = base64.b64encode((LEAFLET_DIR / "images" / image).read_bytes()).decode("ascii")
        css = css.replace(f"url(images/{image})", f"url(data:image/png;base64,{data})")
    return css


def _colour(value: int | None, top: int) -> str:
    if not value or top <= 0:
        return "#ffffff"
    return BLUES[min(len(BLUES) - 1, int(len(BLUES) * value / (top + 1)))]


def _hexagon(cell: str) -> list[list[float]]:
    ring = [[lng, lat] for lat, lng in h3.cell_to_boundary(cell)]
    return [*ring, ring[0]]


def _features(
    cells: Sequence[Mapping[str, Any]],
    hot: set[str],
    places: Mapping[str, str],
    info: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    counts = {c["area"]: c["count"] for c in cells}
    features = []
    for cell in sorted(set(counts) | hot):
        count = counts.get(cell)
        parts = [f"{MEASURE}: {count if count is not None else SUPPRESSED}"]
        if cell in places:
            parts.insert(0, places[cell])
        about = (info or {}).get(cell, {})
        if cell in hot:
            parts.append(f"in hotspot area {about['area']}" if about.get("area") else "hotspot")
        if about.get("pattern"):
            parts.append(str(about["pattern"]))
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [_hexagon(cell)]},
                "properties": {"count": count or 0, "hot": cell in hot, "info": map_text("; ".join(parts))},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _wards(boundaries: Mapping[str, Any] | None, wards: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    if not boundaries:
        return None
    counts = {w["area"]: w["count"] for w in wards}
    features = []
    for f in boundaries.get("features", []):
        props = f.get("properties", {})
        code = str(props.get("ward_code", ""))
        count = counts.get(code)
        name = str(props.get("ward_name") or code)
        info = f"{name}: {MEASURE} {count if count is not None else SUPPRESSED}"
        features.append(
            {
                "type": "Feature",
                "geometry": f.get("geometry"),
                "properties": {"count": count or 0, "info": map_text(info)},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _bounds(boundaries: Mapping[str, Any] | None, view: Mapping[str, Any]) -> list[list[float]] | None:
    points = [h3.cell_to_latlng(c) for c in [*(r["area"] for r in view["cells"]), *view["hot_cells"]]]
    points += boundary_points(boundaries)
    if not points:
        return None
    lats, lngs = [p[0] for p in points], [p[1] for p in points]
    return [[min(lats), min(lngs)], [max(lats), max(lngs)]]


def hotspot_map(
    view: Mapping[str, Any],
    *,
    boundaries: Mapping[str, Any] | None,
    tile_url: str | None,
    tile_attribution: str = "",
) -> str:
    """The map as one self-contained HTML page (Leaflet inlined; tiles only from ``tile_url``).

    The same view draws the same map, so each is drawn once per process: folium compiles its templates
    at every drawing, 27% of the server's CPU with 12 sessions on the 100k store (py-spy). A view holds
    published counts only, so one map serves every strategic user who asks for that view.
    """
    key = hashlib.sha256(
        json.dumps([view, boundaries, tile_url, tile_attribution], sort_keys=True, default=str).encode()
    ).hexdigest()
    with _MAPS_LOCK:
        if key in _MAPS:
            _MAPS.move_to_end(key)
            return _MAPS[key]
    html = _draw_hotspot_map(view, boundaries=boundaries, tile_url=tile_url, tile_attribution=tile_attribution)
    with _MAPS_LOCK:
        _MAPS[key] = html
        while len(_MAPS) > _MAPS_KEPT:
            _MAPS.popitem(last=False)
    return html


_MAPS: OrderedDict[str, str] = OrderedDict()
_MAPS_LOCK = threading.Lock()
_MAPS_KEPT = 64  # a few quarters for a few tile settings; about 1 MB each


def _draw_hotspot_map(
    view: Mapping[str, Any],
    *,
    boundaries: Mapping[str, Any] | None,
    tile_url: str | None,
    tile_attribution: str,
) -> str:
    bounds = _bounds(boundaries, view)
    centre = ((bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2) if bounds else (54.6, 0.7)
    m = offline_map(centre, zoom=12, tile_url=tile_url, tile_attribution=tile_attribution, prefer_canvas=True)
    root = cast(Figure, m.get_root())
    ward_layer = _wards(boundaries, view["wards"])
    if ward_layer and ward_layer["features"]:
        top = max((f["properties"]["count"] for f in ward_layer["features"]), default=0)
        folium.GeoJson(
            ward_layer,
            name="wards",
            style_function=lambda f, top=top: {
                "fillColor": _colour(f["properties"]["count"], top),
                "fillOpacity": 0.45,
                "color": "#555",
                "weight": 1,
            },
            tooltip=folium.GeoJsonTooltip(fields=["info"], labels=False),
        ).add_to(m)
    hot = set(view["hot_cells"])
    places = {c["area"]: c["place"] for c in view.get("cell_table", [])}
    hexes = _features(view["cells"], hot, places, view.get("cell_info"))
    top = max((c["count"] for c in view["cells"]), default=0)
    if hexes["features"]:  # folium refuses a tooltip over a layer with no features (a graph with no places)
        _hexagon_layer(hexes, top).add_to(m)
    legend = (
        "<div style='position:absolute;top:10px;left:54px;z-index:1000;background:#fff;padding:6px 8px;"
        "border:1px solid #999;font:12px sans-serif'>"
        f"<b>{map_text(MEASURE.capitalize() + ', ' + str(view.get('period_label') or view['period']))}</b><br>"
        "Blue: published count (rounded to 5; suppressed under 10 or under 10 different people)<br>"
        f"<span style='color:{HOT_OUTLINE}'>Red outline</span>: a hexagon of a hotspot area (it holds events; "
        "Gi*, FDR 5%)<br>"
        "Point at a hexagon for its local pattern (local Moran's I, 5%):<br>"
        + "".join(f"&middot; {map_text(words)}<br>" for words in PATTERN_LEGEND)
        + "</div>"
    )
    root.html.add_child(Element(legend))
    if not tile_url:
        _ward_labels(m, boundaries)
    folium.LayerControl(collapsed=True).add_to(m)
    if bounds:
        m.fit_bounds(bounds)
    return str(root.render())


def _hexagon_layer(hexes: Mapping[str, Any], top: int) -> folium.GeoJson:
    return folium.GeoJson(
        hexes,
        name="hexagons",
        style_function=lambda f, top=top: {
            "fillColor": _colour(f["properties"]["count"], top),
            "fillOpacity": 0.7 if f["properties"]["count"] else 0.1,
            "color": HOT_OUTLINE if f["properties"]["hot"] else "#3182bd",
            "weight": 3 if f["properties"]["hot"] else 1,
        },
        tooltip=folium.GeoJsonTooltip(fields=["info"], labels=False),
    )


def _ward_labels(m: folium.Map, boundaries: Mapping[str, Any] | None) -> None:
    """Ward names written on the map, where no tiles name the places (the boundaries-only basemap)."""
    names = ward_names(boundaries)
    labels = folium.FeatureGroup(name="ward names")
    for code, (lat, lng) in sorted(ward_centres(boundaries).items()):
        html = f"<div class='disrupt-ward-label'>{map_text(names.get(code, code))}</div>"
        folium.Marker((lat, lng), icon=folium.DivIcon(html=html, icon_size=(120, 16), icon_anchor=(60, 8))).add_to(
            labels
        )
    labels.add_to(m)
    cast(Figure, m.get_root()).header.add_child(Element(f"<style>{_LABEL_STYLE}</style>"))


_LABEL_STYLE = (
    ".disrupt-ward-label{font:11px sans-serif;color:#333;text-align:center;white-space:nowrap;"
    "pointer-events:none;text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 3px #fff}"
)
