"""What a strategic lead sees: areas and counts, never people, every count made safe to publish.

Counts under 10 are suppressed and the rest rounded to 5 (:func:`app.policy.public_count`). Time
filters are whole calendar quarters, which do not overlap, so two filters cannot be subtracted to
reveal a suppressed count beyond what rounding already blurs.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import h3

from analytics.hotspots import quarter_of
from app.labels import quarter_text
from app.policy import public_count
from geodata import boundaries as boundaries_module

SUPPRESSED = "fewer than 10"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _published(counts: Mapping[str, int]) -> tuple[list[dict[str, Any]], int]:
    shown, suppressed = [], 0
    for area, n in sorted(counts.items()):
        safe = public_count(n)
        if safe is None:
            suppressed += n > 0
        else:
            shown.append({"area": area, "count": safe})
    return shown, suppressed


def _listed(counts: Mapping[str, int], areas: Iterable[str]) -> list[dict[str, Any]]:
    """Each of ``areas`` with its published count ("fewer than 10" when suppressed, none included), biggest first."""
    rows = []
    for area in sorted(set(areas)):
        safe = public_count(counts.get(area, 0))
        rows.append({"area": area, "count": SUPPRESSED if safe is None else safe})
    rows.sort(key=lambda r: -r["count"] if isinstance(r["count"], int) else 0)
    return rows


_COMPASS = ("east", "north-east", "north", "north-west", "west", "south-west", "south", "south-east")


def _near(lat: float, lng: float) -> str:
    return f"near {abs(lat):.3f}° {'N' if lat >= 0 else 'S'}, {abs(lng):.3f}° {'E' if lng >= 0 else 'W'}"


def cell_places(cells: Iterable[str], boundaries: Mapping[str, Any] | None) -> dict[str, str]:
    """A name for each H3 hexagon a person can place: its ward, and where in the ward when it has several.

    ``Fennwick`` when the ward has one hexagon listed, else ``Fennwick, north-east`` (by the direction
    from the ward's centre), and ``Fennwick, west (2 of 3)`` when several lie in one direction.
    """
    names = boundaries_module.ward_names(boundaries)
    centres = boundaries_module.ward_centres(boundaries)
    by_ward: dict[str | None, list[str]] = defaultdict(list)
    centre_of: dict[str, tuple[float, float]] = {}
    for cell in sorted(set(cells)):
        if not h3.is_valid_cell(cell):
            continue
        centre_of[cell] = h3.cell_to_latlng(cell)
        by_ward[boundaries_module.ward_at(boundaries, *centre_of[cell])].append(cell)
    out: dict[str, str] = {}
    if not names:  # no boundaries to place them in: a point a person can put on a map
        return {cell: _near(lat, lng) for cell, (lat, lng) in centre_of.items()}
    for ward, members in by_ward.items():
        base = names.get(ward, ward or "") if ward else "Outside the wards"
        if len(members) == 1:
            out[members[0]] = base
            continue
        placed: dict[str, list[str]] = defaultdict(list)
        for cell in members:
            lat, lng = centre_of[cell]
            clat, clng = centres.get(ward or "", (lat, lng))
            angle = math.degrees(math.atan2(lat - clat, (lng - clng) * math.cos(math.radians(lat))))
            placed[f"{base}, {_COMPASS[round(angle / 45) % 8]}"].append(cell)
        for place, together in placed.items():
            for i, cell in enumerate(together, 1):
                out[cell] = place if len(together) == 1 else f"{place} ({i} of {len(together)})"
    return out


def hotspot_areas(
    hotspots: Sequence[Mapping[str, Any]],
    periods: Iterable[Mapping[str, Any]],
    trend: Iterable[Mapping[str, Any]],
    period: str | None,
    *,
    boundaries: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Published hexagon and ward counts of exploitation-related events, with the Gi* hotspot cells.

    Gi* hotspots come from the whole analysis window; the counts from ``period`` (a quarter such as
    ``2025-Q3``) or, when None, the whole window. With ``boundaries`` every ward is listed by name
    and every hexagon by the ward it lies in: ``ward_table`` lists every ward (suppressed ones read
    "fewer than 10") and ``cell_table`` the hexagons whose count is published or that are Gi* hotspots.
    """
    trend = list(trend)
    cells: dict[str, int] = defaultdict(int)
    wards: dict[str, int] = defaultdict(int)
    if period is None:
        for r in hotspots:
            cells[r["entity_id"]] += int(r.get("count") or 0)
        for r in trend:
            wards[r["entity_id"]] += int(r.get("count") or 0)
    else:
        for r in periods:
            if r["period"] == period:
                cells[r["entity_id"]] += int(r["count"])
        for r in trend:
            if quarter_of(r["month"]) == period:
                wards[r["entity_id"]] += int(r.get("count") or 0)
    hot = sorted(r["entity_id"] for r in hotspots if r.get("hotspot"))
    cell_rows, cells_suppressed = _published(cells)
    ward_rows, wards_suppressed = _published(wards)
    names = boundaries_module.ward_names(boundaries)
    ward_table = _listed(wards, names or wards)
    for w in ward_table:
        w["ward"] = names.get(w["area"], w["area"])
    cell_table = _listed(cells, [*(c["area"] for c in cell_rows), *hot])
    places = cell_places([c["area"] for c in cell_table], boundaries)
    for c in cell_table:
        c["place"] = places.get(c["area"], c["area"])
        c["hotspot"] = "Gi* hotspot" if c["area"] in hot else ""
    # Biggest first; equal counts (all "fewer than 10" in a quiet quarter) in the order of their names.
    ward_table.sort(key=lambda w: (-w["count"] if isinstance(w["count"], int) else 0, w["ward"]))
    cell_table.sort(key=lambda c: (-c["count"] if isinstance(c["count"], int) else 0, c["place"]))
    return {
        "period": period or "all",
        "period_label": quarter_text(period) if period else "the whole window",
        "cells": cell_rows,
        "wards": ward_rows,
        "hot_cells": hot,
        "cells_suppressed": cells_suppressed,
        "wards_suppressed": wards_suppressed,
        "ward_table": ward_table,
        "cell_table": cell_table,
    }


def _month_after(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + number // 12}-{number % 12 + 1:02d}"


def _every_month(months: Iterable[str]) -> list[str]:
    """Every month from the first to the last given, gaps filled: a month with no row had no events."""
    known = sorted(m for m in months if _MONTH.match(m))
    if not known:
        return []
    out = [known[0]]
    while out[-1] < known[-1] and len(out) < 1200:
        out.append(_month_after(out[-1]))
    return out


def dashboard(rows: Iterable[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Management information grouped by measure; suppressed cells read "fewer than 10".

    A monthly measure lists every month of its span in order, a month with no row as suppressed
    (no events is fewer than 10), so a chart or table never puts two months side by side that are
    not next to each other.
    """
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for r in rows:
        counts[r["measure"]][str(r["category"])] = counts[r["measure"]].get(str(r["category"]), 0) + int(r["count"])
    out: dict[str, list[dict[str, Any]]] = {}
    for measure, by_category in counts.items():
        months = _every_month(by_category) if "month" in measure else []
        categories = months if months and len(months) >= len(by_category) else list(by_category)
        shaped = []
        for category in categories:
            safe = public_count(by_category.get(category, 0))
            shaped.append({"category": category, "count": safe, "shown": SUPPRESSED if safe is None else str(safe)})
        out[measure] = shaped
    return out
