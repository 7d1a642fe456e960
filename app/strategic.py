"""What a strategic lead sees: areas and counts, never people, every count made safe to publish.

A count is published only when it is 10 or more and rests on 10 or more different people (a
hexagon of 40 events about 2 people is suppressed), rounded to 5 (:func:`app.policy.public_count`).
Where a published total less the published parts would leave one suppressed part (a ward less all
but one of its hexagons, all children less all but one age band), the smallest published part is
suppressed too. Time filters are whole calendar quarters, which do not overlap. How many areas are
suppressed is never said: with the published ones it would bound the rest.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

import h3

from analytics.dashboard import CHILD_PARTITIONS
from analytics.disclosure import THRESHOLD
from analytics.hotspots import WHOLE_WINDOW
from app.labels import quarter_text
from app.policy import public_count
from geodata import boundaries as boundaries_module
from graph.result_rows import AreaCountRow, HotspotAreaRow, HotspotCellRow, MeasureRow

SUPPRESSED = "suppressed"
SUPPRESSED_MEANS = "fewer than 10, or resting on fewer than 10 different people"
MEASURE = "exploitation-related events"  # what the map counts, in words
MEASURE_MEANS = (
    "exploitation incidents, exploitation intelligence reports and places missing children were found, each event once"
)
NO_PATTERN = "no significant local pattern"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def publish(
    counts: Mapping[str, tuple[int, int | None]],
    groups: Iterable[Collection[str]] = (),
    *,
    people_add_up: bool = False,
) -> dict[str, int | None]:
    """The published count of each key (None when suppressed) from its (count, people).

    ``groups`` are sets of keys whose total is published (the hexagons of a published ward, the
    categories of a measure that counts each child once). The total less a group's published keys
    gives its suppressed keys together; that remainder must itself be safe: under 10 (the rounding
    of the total and of each part blurs it over ten values or more) or 10 or more from 10 or more
    people. When it is not, the group's smallest published key is suppressed as well, until it is.
    The people behind a remainder are taken as the most behind any one suppressed key, unless
    ``people_add_up`` (each person in one key only, as in a partition of children).

    >>> publish({"a": (40, 2), "b": (40, 12), "c": (12, 12)})
    {'a': None, 'b': 40, 'c': 10}
    >>> publish({"w1": (37, 3), "w2": (30, 30), "w3": (40, 40)}, [{"w1", "w2", "w3"}])
    {'w1': None, 'w2': None, 'w3': 40}
    >>> publish({"w1": (3, 3), "w2": (30, 30), "w3": (40, 40)}, [{"w1", "w2", "w3"}])
    {'w1': None, 'w2': 30, 'w3': 40}
    """
    shown = {key: public_count(count, people=people) for key, (count, people) in counts.items()}
    groups = [list(g) for g in groups]
    settled = False
    while not settled:  # a key suppressed for one group can leave an earlier group's remainder unsafe
        settled = True
        for group in groups:
            members = sorted((k for k in group if k in counts and counts[k][0] > 0), key=lambda k: (counts[k][0], k))
            while True:
                hidden = [k for k in members if shown[k] is None]
                total = sum(counts[k][0] for k in hidden)
                behind = [n for k in hidden if (n := counts[k][1]) is not None]
                people = (sum(behind) if people_add_up else max(behind)) if behind else None
                published = [k for k in members if shown[k] is not None]
                if not hidden or total < THRESHOLD or public_count(total, people=people) is not None or not published:
                    break
                shown[published[0]] = None
                settled = False
    return shown


def _listed(shown: Mapping[str, int | None], areas: Iterable[str]) -> list[dict[str, Any]]:
    """Each of ``areas`` with its published count ("suppressed" when suppressed, none included)."""
    return [
        {"area": area, "count": SUPPRESSED if shown.get(area) is None else shown[area]} for area in sorted(set(areas))
    ]


_COMPASS = ("east", "north-east", "north", "north-west", "west", "south-west", "south", "south-east")


def _near(lat: float, lng: float) -> str:
    return f"near {abs(lat):.3f}° {'N' if lat >= 0 else 'S'}, {abs(lng):.3f}° {'E' if lng >= 0 else 'W'}"


def cell_places(
    cells: Iterable[str], boundaries: Mapping[str, Any] | None, wards: Mapping[str, str | None] | None = None
) -> dict[str, str]:
    """A name for each H3 hexagon a person can place: its ward, and where in the ward when it has several.

    ``Fennwick`` when the ward has one hexagon listed, else ``Fennwick, north-east`` (by the direction
    from the ward's centre), and ``Fennwick, west (2 of 3)`` when several lie in one direction.
    ``wards`` gives the ward a hexagon is counted in (where most of its events were recorded), so
    its name and its ward's count agree; a hexagon not in it is placed by its centre.
    """
    names = boundaries_module.ward_names(boundaries)
    centres = boundaries_module.ward_centres(boundaries)
    by_ward: dict[str | None, list[str]] = defaultdict(list)
    centre_of: dict[str, tuple[float, float]] = {}
    for cell in sorted(set(cells)):
        if not h3.is_valid_cell(cell):
            continue
        centre_of[cell] = h3.cell_to_latlng(cell)
        counted_in = (wards or {}).get(cell)
        by_ward[counted_in or boundaries_module.ward_at(boundaries, *centre_of[cell])].append(cell)
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
    hotspots: Sequence[HotspotCellRow],
    counts: Iterable[AreaCountRow],
    period: str | None,
    *,
    boundaries: Mapping[str, Any] | None = None,
    areas: Iterable[HotspotAreaRow] = (),
) -> dict[str, Any]:
    """Published hexagon and ward counts of exploitation-related events, with the hotspot areas.

    ``counts`` are the rows of the analysis's ``hotspot_counts`` (events and the different people
    behind them per hexagon and ward, by quarter and for the whole window): hexagons and wards
    count the same events over the same period, each hexagon whole in one ward. Gi* hotspots come
    from the whole analysis window; the counts from ``period`` (a quarter such as ``2025-Q3``) or,
    when None, the whole window. With ``boundaries`` every ward is listed by name and every
    hexagon by the ward it is counted in: ``ward_table`` lists every ward (suppressed ones read
    "suppressed") and ``cell_table`` the hexagons whose count is published or that are hotspots, each
    with its local Moran's I pattern in words. ``areas`` are the rows of ``hotspot_areas``:
    ``area_table`` lists every area (found over the whole window) with its hexagons and its events
    and people in the period, each published or "suppressed" by the same rule; a published area
    is a total of its hexagons, so a remainder it would reveal is suppressed as a ward's is.
    """
    wanted = period or WHOLE_WINDOW
    cells: dict[str, tuple[int, int | None]] = {}
    wards: dict[str, tuple[int, int | None]] = {}
    ward_of: dict[str, str | None] = {}
    for r in counts:
        if r.period != wanted:
            continue
        area, found = str(r.entity_id), (int(r.events or 0), int(r.people or 0))
        if r.area_type == "ward":
            wards[area] = found
        else:
            cells[area] = found
            ward_of[area] = str(r.ward) if r.ward else None
    in_ward: dict[str, set[str]] = defaultdict(set)
    for cell, ward in ward_of.items():
        if ward is not None:
            in_ward[ward].add(cell)
    shown_wards = publish(wards)
    area_cells, area_counts = _areas(areas, wanted)
    shown_areas = {a: public_count(e, people=n) for a, (e, n) in area_counts.items()}
    # A published ward or area less its published hexagons must not leave a single suppressed one.
    totals = [in_ward[w] for w, n in shown_wards.items() if n is not None]
    shown_cells = publish(cells, totals + [set(area_cells[a]) for a, n in shown_areas.items() if n is not None])
    hot = sorted(str(r.entity_id) for r in hotspots if r.hotspot)
    area_of = {c: a for a, members in area_cells.items() for c in members}
    pattern = {str(r.entity_id): str(r.moran_text or "") for r in hotspots}
    names = boundaries_module.ward_names(boundaries)
    ward_table = _listed(shown_wards, names or wards)
    for w in ward_table:
        w["ward"] = names.get(w["area"], w["area"])
    published_cells = [c for c, n in shown_cells.items() if n is not None]
    cell_table = _listed(shown_cells, [*published_cells, *hot])
    places = cell_places([c["area"] for c in cell_table], boundaries, ward_of)
    hot_set = set(hot)
    for c in cell_table:
        c["place"] = places.get(c["area"], c["area"])
        # An analysis from before hotspot areas marks hot cells without an area: still say hotspot.
        c["hotspot"] = (
            f"hotspot area {area_of[c['area']]}" if c["area"] in area_of else "hotspot" if c["area"] in hot_set else ""
        )
        c["pattern"] = pattern.get(c["area"]) or NO_PATTERN
    area_table = [
        {
            "hotspot area": a,
            "place": places.get(area_cells[a][0], area_cells[a][0]) if area_cells[a] else "",
            "hexagons": len(area_cells[a]),
            "events": SUPPRESSED if shown_areas[a] is None else shown_areas[a],
            # how many people, only beside a published count of their events (never for a suppressed one)
            "people": SUPPRESSED if shown_areas[a] is None or (n := public_count(area_counts[a][1])) is None else n,
        }
        for a in area_cells
    ]
    # Biggest first; equal counts (all suppressed in a quiet quarter) in the order of their names.
    ward_table.sort(key=lambda w: (-w["count"] if isinstance(w["count"], int) else 0, w["ward"]))
    cell_table.sort(key=lambda c: (-c["count"] if isinstance(c["count"], int) else 0, c["place"]))
    return {
        "period": period or "all",
        "period_label": quarter_text(period) if period else "the whole window",
        "measure": MEASURE,
        "cells": [{"area": c, "count": shown_cells[c]} for c in sorted(published_cells)],
        "wards": [{"area": w, "count": n} for w, n in sorted(shown_wards.items()) if n is not None],
        "hot_cells": hot,
        "cell_info": {c: {"area": area_of.get(c), "pattern": pattern.get(c) or NO_PATTERN} for c in {*cells, *hot}},
        "ward_table": ward_table,
        "cell_table": cell_table,
        "area_table": area_table,
    }


def _areas(rows: Iterable[HotspotAreaRow], period: str) -> tuple[dict[str, list[str]], dict[str, tuple[int, int]]]:
    """Each hotspot area's hexagons (busiest first, as the analysis lists it) and its (events, people)
    in ``period``; an area with no events in the period counts (0, 0)."""
    cells: dict[str, list[str]] = {}
    counts: dict[str, tuple[int, int]] = {}
    for r in rows:
        area = str(r.entity_id)
        if r.period == WHOLE_WINDOW:
            peak = str(r.peak_cell or "")
            members = [str(c) for c in r.cells]
            cells[area] = sorted(members, key=lambda c: (c != peak, c))
        if r.period == period:
            counts[area] = (int(r.events or 0), int(r.people or 0))
    ordered = sorted(cells, key=lambda a: (len(a), a))  # A1, A2, ..., A10: busiest first
    return {a: cells[a] for a in ordered}, {a: counts.get(a, (0, 0)) for a in ordered}


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


def dashboard(rows: Iterable[MeasureRow]) -> dict[str, list[dict[str, Any]]]:
    """Management information grouped by measure; suppressed cells read "suppressed".

    A count is published when it and the number of different children behind it (``people``;
    none for counts of businesses) are 10 or more; in a measure that counts each child once under
    one category, one suppressed category brings the smallest published one with it (all children
    are published, so one alone could be found by subtraction). A monthly measure lists every
    month of its span in order, a month with no row as suppressed (no events is fewer than 10), so
    a chart or table never puts two months side by side that are not next to each other.
    """
    counts: dict[str, dict[str, tuple[int, int | None]]] = defaultdict(dict)
    for r in rows:
        measure, category = str(r.measure), str(r.category)
        count, people = counts[measure].get(category, (0, None))
        more = r.people
        # Rows of one category add up; the people behind them are at least the most behind any one.
        people = None if more is None and people is None else max(int(more or 0), int(people or 0))
        counts[measure][category] = (count + int(r.count), people)
    out: dict[str, list[dict[str, Any]]] = {}
    for measure, by_category in counts.items():
        months = _every_month(by_category) if "month" in measure else []
        categories = months if months and len(months) >= len(by_category) else list(by_category)
        shown = publish(
            {c: by_category.get(c, (0, 0)) for c in categories},
            [categories] if measure in CHILD_PARTITIONS else [],
            people_add_up=True,
        )
        out[measure] = [
            {"category": c, "count": shown[c], "shown": SUPPRESSED if shown[c] is None else str(shown[c])}
            for c in categories
        ]
    return out
