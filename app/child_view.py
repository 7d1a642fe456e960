"""A child's analysis in words, and the map of where the child was found (Leaflet inlined, no CDN).

The words are for the profile's "child indicators" and the child's page; the map is a small folium
page whose every value from the data is HTML-escaped here and made inert in a script (PITFALLS:
folium tooltips are HTML, and a backtick or ``${`` inside one could run).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

import folium
from branca.element import Element, Figure

from app.labels import date_text
from app.map_view import map_text, offline_map
from graph.result_rows import ChildIndicatorRow

HOT = "#cb181d"
FOUND = "#3182bd"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def indicator_lines(row: ChildIndicatorRow) -> list[str]:
    """A ``child_indicators`` row as sentences a safeguarding professional reads.

    >>> row = {"age": 14, "missing_episodes": 3, "last_missing": "2026-04-20", "days_since_missing": 70,
    ...        "trend": "rising", "episodes_last_6_months": 2, "episodes_previous_6_months": 1}
    >>> indicator_lines(ChildIndicatorRow.from_mapping(row))[:2]
    ['Age 14.', 'Missing 3 times; last reported missing 20 Apr 2026 (70 days before the analysis date).']
    """
    lines = []
    if row.age is not None:
        lines.append(f"Age {row.age}.")
    episodes = int(row.missing_episodes or 0)
    if episodes:
        last = f"; last reported missing {date_text(str(row.last_missing))}" if row.last_missing else ""
        days = row.days_since_missing
        since = f" ({_plural(int(days), 'day')} before the analysis date)" if days is not None and last else ""
        lines.append(f"Missing {_plural(episodes, 'time')}{last}{since}.")
        lines.append(
            f"Trend {row.trend or 'none'}: {_plural(int(row.episodes_last_6_months or 0), 'episode')} "
            "in the last six "
            f"months against {row.episodes_previous_6_months} in the six before."
        )
        lines.append(f"Return interviews held: {row.return_interviews or 0} of {_plural(episodes, 'episode')}.")
    else:
        lines.append("Never reported missing.")
    factors = row.exploitation_factors
    if factors:
        lines.append("Exploitation pull factors named at return interviews: " + ", ".join(map(str, factors)) + ".")
    one, two = int(row.suspects_within_1 or 0), int(row.suspects_within_2 or 0)
    lines.append(f"{_plural(one, 'suspect')} one step away, {two} within two steps in the person network.")
    if row.exposed_not_offending:
        lines.append("Exposed, not offending: two or more suspects within two steps, and no suspect role.")
    found = int(row.found_locations or 0)
    if found:
        concern = int(row.places_of_concern or 0)
        lines.append(f"Found at {_plural(found, 'place')}, {concern} of them in a hotspot.")
    peers = int(row.peer_children or 0)
    if peers:
        lines.append(f"{_plural(peers, 'other child', 'other children')} share episodes, places or adults.")
    if row.risk_level:
        lines.append(f"Risk level at the latest referral: {row.risk_level}.")
    if row.looked_after is not None:
        lines.append("Looked after by the local authority." if row.looked_after else "Not looked after.")
    if row.group_id:
        lines.append(f"In the person network of group {row.group_id}.")
    return lines


def _bounds(points: Sequence[tuple[float, float]]) -> list[list[float]]:
    lats, lngs = [p[0] for p in points], [p[1] for p in points]
    pad = 0.004  # about 400 m, so one place is not drawn at the widest zoom
    return [[min(lats) - pad, min(lngs) - pad], [max(lats) + pad, max(lngs) + pad]]


def found_places_map(
    places: Sequence[Mapping[str, Any]],
    *,
    boundaries: Mapping[str, Any] | None = None,
    tile_url: str | None = None,
    tile_attribution: str = "",
) -> str | None:
    """The places a child was found as one self-contained HTML page, or None when none has coordinates.

    Each place is a circle sized by its count of distinct episodes, red when it lies in a hotspot;
    ward outlines (with their names on hover) stand in for tiles when no tile URL is set.
    """
    located = [p for p in places if p.get("latitude") is not None and p.get("longitude") is not None]
    if not located:
        return None
    bounds = _bounds([(float(p["latitude"]), float(p["longitude"])) for p in located])
    centre = ((bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2)
    m = offline_map(centre, zoom=14, tile_url=tile_url, tile_attribution=tile_attribution)
    root = cast(Figure, m.get_root())
    if boundaries:
        wards = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": f.get("geometry"),
                    "properties": {"info": map_text((f.get("properties") or {}).get("ward_name") or "ward")},
                }
                for f in boundaries.get("features", [])
            ],
        }
        folium.GeoJson(
            wards,
            name="wards",
            style_function=lambda f: {"fillColor": "#f4f4f4", "fillOpacity": 0.4, "color": "#888", "weight": 1},
            tooltip=folium.GeoJsonTooltip(fields=["info"], labels=False),
        ).add_to(m)
    at: dict[tuple[float, float], list[Mapping[str, Any]]] = {}
    for p in located:  # places at one point (a hotel and its street) share one circle
        at.setdefault((round(float(p["latitude"]), 5), round(float(p["longitude"]), 5)), []).append(p)
    for point, here in at.items():
        episodes = max(int(p.get("episodes") or 0) for p in here)
        hot = any(p.get("in_hotspot") for p in here)
        words = "; ".join(
            f"{p.get('label')}: found here in {_plural(int(p.get('episodes') or 0), 'episode')}" for p in here
        )
        folium.CircleMarker(
            location=point,
            radius=6 + 3 * min(episodes, 6),
            color=HOT if hot else FOUND,
            fill=True,
            fill_opacity=0.6,
            tooltip=folium.Tooltip(map_text(words + (" (in a hotspot)" if hot else ""))),
        ).add_to(m)
    legend = (
        "<div style='position:absolute;top:10px;left:54px;z-index:1000;background:#fff;padding:6px 8px;"
        "border:1px solid #999;font:12px sans-serif'><b>Where the child was found</b><br>"
        f"Circle size: distinct episodes<br><span style='color:{HOT}'>Red</span>: in a hotspot; "
        f"<span style='color:{FOUND}'>blue</span>: elsewhere</div>"
    )
    root.html.add_child(Element(legend))
    m.fit_bounds(bounds)
    return str(root.render())
