"""Hotspots of exploitation-related events: H3 hexagons and wards, Getis-Ord Gi* with a false
discovery rate, a kernel density surface, monthly trends, and the Predictive Accuracy Index.

Events come from the graph (see :func:`event_table`); every function after that takes and returns
data frames, so a reader can test each on a handful of points.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from typing import Any, Literal

import h3
import networkx as nx
import numpy as np
import pandas as pd

from analytics.places import coordinates, ward_of
from analytics.projections import event_date, parties
from analytics.roles import EXPLOITATION_SUSPECT, is_exploitation_event
from analytics.rules import Rules, default_rules
from graph.result_rows import HotspotAreaRow, HotspotCellRow

H3_RESOLUTION = 9  # cells of about 0.1 km² (edge about 200 m): a street block, finer than a 400 m hotspot
EVENT_COLUMNS = [
    "event_id", "kind", "what", "date", "month", "latitude", "longitude", "ward", "exploitation", "subjects",
]  # fmt: skip


def event_table(
    G: nx.MultiDiGraph, *, rules: Rules | None = None, roles: dict[Any, frozenset[str]] | None = None
) -> pd.DataFrame:
    """Every located event, one row each, with ``exploitation`` marking those related to exploitation.

    Exploitation-related: where missing children were found (episodes showing exploitation),
    intelligence locations of exploitation reports, exploitation incidents, and sightings of
    flagged vehicles (vehicles named in exploitation intelligence or incidents, or used by an
    exploitation suspect). Any other event at a located place is kept with ``exploitation`` False.
    ``subjects`` names who is behind each event, for disclosure control: the people party to it,
    or for a sighting the vehicles seen (each stands for whoever drives it).
    """
    rules = rules or default_rules()
    flagged_vehicles = _flagged_vehicles(G, rules, roles or {})
    rows = []
    for node, data in G.nodes(data=True):
        kind = data.get("kind")
        if kind not in ("MissingEpisode", "Intelligence", "Incident", "Sighting", "DisruptionAction"):
            continue
        where = coordinates(G, node)
        if where is None:
            continue
        if kind == "Sighting":
            what = "sighting"
            exploitation = any(v in flagged_vehicles for v, _ in G.in_edges(node))
            subjects = sorted({str(v) for v, _ in G.in_edges(node) if G.nodes[v].get("kind") == "Vehicle"})
        else:
            what = {"MissingEpisode": "missing found", "Intelligence": "intelligence", "Incident": "incident"}.get(
                kind, "action"
            )
            exploitation = is_exploitation_event(G, node, rules)
            subjects = sorted({str(person) for person, _ in parties(G, node)})
        when = event_date(G, node)
        rows.append(
            {
                "event_id": node,
                "kind": kind,
                "what": what,
                "date": when[:10] if when else None,
                "month": when[:7] if when else None,
                "latitude": where[0],
                "longitude": where[1],
                "ward": ward_of(G, node),
                "exploitation": bool(exploitation),
                "subjects": tuple(subjects),
            }
        )
    return pd.DataFrame(rows, columns=EVENT_COLUMNS)


def _flagged_vehicles(G: nx.MultiDiGraph, rules: Rules, roles: dict[Any, frozenset[str]]) -> set[Any]:
    flagged: set[Any] = set()
    for node, kind in G.nodes(data="kind"):
        if kind in ("Intelligence", "Incident") and is_exploitation_event(G, node, rules):
            flagged.update(v for v, _ in G.in_edges(node) if G.nodes[v].get("kind") == "Vehicle")
    for person, held in roles.items():
        if EXPLOITATION_SUSPECT in held:
            flagged.update(v for _, v in G.out_edges(person) if G.nodes[v].get("kind") == "Vehicle")
    return flagged


def study_cells(
    latitudes: Iterable[float], longitudes: Iterable[float], *, resolution: int = H3_RESOLUTION
) -> list[str]:
    """The hexagons of a study area: every cell holding a known place, and the ring around each."""
    cells = {h3.latlng_to_cell(lat, lon, resolution) for lat, lon in zip(latitudes, longitudes, strict=True)}
    return sorted({n for c in cells for n in h3.grid_disk(c, 1)})


def count_by_cell(events: pd.DataFrame, cells: Iterable[str], *, resolution: int = H3_RESOLUTION) -> pd.Series:
    """Events per hexagon over the study cells (zero where none); events outside are ignored."""
    index = pd.Index(list(cells), name="cell")
    if events.empty:
        return pd.Series(0, index=index, dtype="int64")
    cell = [h3.latlng_to_cell(a, b, resolution) for a, b in zip(events["latitude"], events["longitude"], strict=True)]
    counts = pd.Series(cell).value_counts()
    return counts.reindex(index, fill_value=0).astype("int64")


def quarter_of(day: str) -> str:
    """The calendar quarter of an ISO date.

    >>> quarter_of("2025-08-14")
    '2025-Q3'
    """
    return f"{day[:4]}-Q{(int(day[5:7]) - 1) // 3 + 1}"


def count_by_cell_and_quarter(events: pd.DataFrame, *, resolution: int = H3_RESOLUTION) -> pd.DataFrame:
    """Dated events per hexagon and calendar quarter (``cell``, ``period``, ``count``), non-zero rows only."""
    dated = events.dropna(subset=["date"])
    if dated.empty:
        return pd.DataFrame({"cell": [], "period": [], "count": []})
    frame = pd.DataFrame(
        {
            "cell": [
                h3.latlng_to_cell(a, b, resolution) for a, b in zip(dated["latitude"], dated["longitude"], strict=True)
            ],
            "period": [quarter_of(d) for d in dated["date"]],
        }
    )
    return frame.groupby(["cell", "period"]).size().rename("count").reset_index()


def getis_ord_hotspots(
    counts: pd.Series, *, ring: int = 1, alpha: float = 0.05, permutations: int = 999, seed: int | None = None
) -> pd.DataFrame:
    """Gi* (esda) on hexagon counts, flagged under a false discovery rate.

    The classic form (Ord and Getis 1995, as in ArcGIS Hot Spot Analysis): binary weights over the
    cells within ``ring`` H3 steps, the analytic z-score, and Benjamini-Hochberg at ``alpha`` over
    its p-values. The permutation p-value ``p_sim`` is reported too but not used to flag: on sparse
    counts (most cells empty) every isolated non-empty cell gets the smallest possible ``p_sim``, so
    it flags single events. Returns one row per cell: ``count``, ``z``, ``p``, ``p_sim``,
    ``significant`` (z > 0 and p within the threshold) and ``hotspot`` (the cell holds events
    that make a significant cell so, see :func:`cells_behind`; an empty cell never is one).
    """
    from esda import G_Local, fdr
    from libpysal.weights import W

    cells = list(counts.index)
    present = set(cells)
    neighbours = {c: [n for n in h3.grid_disk(c, ring) if n != c and n in present] for c in cells}
    out = pd.DataFrame({"cell": cells, "count": counts.to_numpy()})
    if len(cells) < 3 or counts.sum() == 0:
        return out.assign(z=0.0, p=1.0, p_sim=1.0, significant=False, hotspot=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # islands and the lattice's edge are expected here
        weights = W(neighbours, silence_warnings=True)
        gi = G_Local(
            counts.to_numpy(dtype=float),
            weights,
            transform="B",
            star=True,
            permutations=permutations,
            seed=seed,
            n_jobs=1,
        )
    z = np.nan_to_num(np.asarray(gi.Zs, dtype=float))
    p = np.nan_to_num(np.asarray(gi.p_norm, dtype=float), nan=1.0)
    threshold = fdr(p, alpha)
    out = out.assign(
        z=np.round(z, 4), p=p, p_sim=np.asarray(gi.p_sim, dtype=float), significant=(z > 0) & (p <= threshold)
    )
    return out.assign(hotspot=out["cell"].isin(cells_behind(out, ring=ring)))


def cells_behind(gi: pd.DataFrame, *, ring: int = 1) -> set[str]:
    """The hexagons whose events make Gi* significant (``gi`` has ``cell``, ``count``, ``significant``).

    Gi* (star) tests a cell's events with its ring's, so a significant cell says its disk is busy,
    not that it is. A significant cell holding events is a hotspot; an empty one is significant
    through its neighbours, and passes the flag to the busiest cell(s) within ``ring`` of it (the
    cell whose events make it so; any quieter neighbour is a hotspot only when Gi* flags it too).
    An empty cell is never a hotspot.

    >>> busy = h3.latlng_to_cell(54.55, 0.75, 9)
    >>> quiet = sorted(set(h3.grid_disk(busy, 1)) - {busy})
    >>> gi = pd.DataFrame({"cell": [busy, *quiet], "count": [9] + [0] * 6, "significant": [False] + [True] * 6})
    >>> cells_behind(gi) == {busy}
    True
    """
    count = dict(zip(gi["cell"], gi["count"], strict=True))
    behind: set[str] = set()
    for cell in gi.loc[gi["significant"], "cell"]:
        if count[cell] > 0:
            behind.add(cell)
            continue
        near = {n: count[n] for n in h3.grid_disk(cell, ring) if count.get(n, 0) > 0}
        if near:
            top = max(near.values())
            behind.update(n for n, c in near.items() if c == top)
    return behind


MoranClass = Literal["high-high", "high-low", "low-high", "low-low", "not significant"]
_QUADRANTS: dict[int, MoranClass] = {1: "high-high", 2: "low-high", 3: "low-low", 4: "high-low"}  # esda's q
MORAN_WORDS: dict[str, str] = {
    "high-high": "a busy cell among busy neighbours: part of a cluster",
    "high-low": "a busy cell with quiet neighbours: a spike",
    "low-high": "a quiet cell next to busy ones",
    "low-low": "a quiet cell among quiet ones",
}


def local_moran_classes(
    counts: pd.Series, *, ring: int = 1, alpha: float = 0.05, permutations: int = 999, seed: int | None = None
) -> pd.DataFrame:
    """Local Moran's I (esda) of every hexagon, classed high-high, high-low, low-high, low-low or
    not significant.

    Row-standardised weights over the cells within ``ring`` H3 steps, and a conditional permutation
    test (``permutations`` seeded draws of the other cells' counts as neighbours). The pseudo
    p-value counts a draw as extreme when it is at least as far out as the observed statistic, ties
    included: on sparse counts most draws give a busy cell's empty neighbours again (an identical
    statistic), and esda's ``p_sim`` then calls it significant or not by floating-point noise (a
    cell of one event among empty ones read 0.14, one of two events 0.001). With ties counted, a
    cell is significant only when neighbours like its own are rare among the cells. Not corrected
    for testing many cells: read it beside the Gi* hotspots, which are.

    Returns one row per cell: ``cell``, ``moran_i``, ``moran_quadrant`` (where the cell and its
    neighbours stand against the mean, significant or not), ``moran_p`` and ``moran_class`` (the
    quadrant when ``moran_p`` <= ``alpha``, else "not significant").
    """
    from esda import Moran_Local
    from libpysal.weights import W

    cells = list(counts.index)
    values = counts.to_numpy(dtype=float)
    out = pd.DataFrame({"cell": cells})
    if len(cells) < 3 or np.ptp(values) == 0:
        return out.assign(moran_i=0.0, moran_quadrant="low-low", moran_p=1.0, moran_class="not significant")
    present = set(cells)
    neighbours = {c: [n for n in h3.grid_disk(c, ring) if n != c and n in present] for c in cells}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # islands and the lattice's edge are expected here
        weights = W(neighbours, silence_warnings=True)
        lisa = Moran_Local(
            values, weights, transformation="r", permutations=permutations, seed=seed, n_jobs=1, keep_simulations=True
        )
    observed = np.asarray(lisa.Is, dtype=float)
    draws = np.asarray(lisa.sim, dtype=float)  # permutations x cells
    tolerance = 1e-9 * np.maximum(1.0, np.abs(observed))
    above = (draws >= observed - tolerance).sum(axis=0)
    below = (draws <= observed + tolerance).sum(axis=0)
    p = (np.minimum(above, below) + 1.0) / (permutations + 1.0)
    quadrant = [_QUADRANTS[int(q)] for q in lisa.q]
    islands = np.array([not neighbours[c] for c in cells])
    p[islands] = 1.0  # a cell with no neighbour has no local pattern to test
    return out.assign(
        moran_i=np.round(observed, 4),
        moran_quadrant=quadrant,
        moran_p=np.round(p, 4),
        moran_class=[q if pv <= alpha else "not significant" for q, pv in zip(quadrant, p, strict=True)],
    )


def moran_text(moran_class: str, quadrant: str, p: float) -> str:
    """A cell's local Moran's I class in plain words, with its p-value; a pattern that is not
    significant is still described, and said to be not significant.

    >>> moran_text("high-low", "high-low", 0.001)
    'a busy cell with quiet neighbours: a spike (high-low, p 0.001)'
    >>> moran_text("not significant", "high-low", 0.85)
    'a busy cell with quiet neighbours; not significant, so not called a spike (p 0.85)'
    """
    if moran_class in MORAN_WORDS:
        return f"{MORAN_WORDS[moran_class]} ({moran_class}, p {p:g})"
    if quadrant in MORAN_WORDS and quadrant != "low-low":  # every empty cell among empty ones: nothing to say
        seen, _, name = MORAN_WORDS[quadrant].partition(": ")
        return (
            f"{seen}; not significant, so not called {name} (p {p:g})" if name else f"{seen}; not significant (p {p:g})"
        )
    return f"no significant local pattern (p {p:g})"


AREA_COLUMNS = ["area_id", "cells", "quiet_cells", "events", "people", "peak_cell"]


def find_hotspot_areas(cells: pd.DataFrame, events: pd.DataFrame, *, resolution: int = H3_RESOLUTION) -> pd.DataFrame:
    """Contiguous hotspot areas: the hotspot cells joined through touching hotspot or Gi*-significant cells.

    ``cells`` is :func:`getis_ord_hotspots` output; ``events`` the events it counted (``event_id``,
    ``latitude``, ``longitude``, ``subjects``). Each area lists its hotspot ``cells`` (every one
    holding events), the ``quiet_cells`` Gi* marks around it with no events of their own (shown as
    such, never as hotspots), its ``events`` (distinct) and the distinct ``people`` behind them, and
    its busiest cell. Areas are numbered ``A1``, ``A2``, ... busiest first (ties by first cell).
    """
    hot = set(cells.loc[cells["hotspot"], "cell"])
    marked = hot | set(cells.loc[cells["significant"], "cell"])
    links = nx.Graph()
    links.add_nodes_from(marked)
    links.add_edges_from((c, n) for c in marked for n in h3.grid_disk(c, 1) if n in marked and n != c)
    count = dict(zip(cells["cell"], cells["count"], strict=True))
    found: list[tuple[list[str], list[str], str]] = []
    for part in nx.connected_components(links):
        members = sorted(part & hot)
        if members:  # significant cells with no events near them make no area
            found.append((members, sorted(part - hot), min(members, key=lambda c: (-count[c], c))))
    tallies = {WHOLE_WINDOW: _tally_areas({c: i for i, (m, _, _) in enumerate(found) for c in m}, events, resolution)}
    whole = tallies[WHOLE_WINDOW]
    order = sorted(range(len(found)), key=lambda i: (-whole.get(i, (0, 0))[0], found[i][0][0]))
    rows = [
        (f"A{rank}", tuple(found[i][0]), tuple(found[i][1]), *whole.get(i, (0, 0)), found[i][2])
        for rank, i in enumerate(order, start=1)
    ]
    return pd.DataFrame(rows, columns=AREA_COLUMNS)


def _event_cells(events: pd.DataFrame, resolution: int) -> list[str]:
    return [h3.latlng_to_cell(a, b, resolution) for a, b in zip(events["latitude"], events["longitude"], strict=True)]


def _tally_areas(area_of: dict[str, Any], events: pd.DataFrame, resolution: int) -> dict[Any, tuple[int, int]]:
    """Distinct events and distinct people (``subjects``) per area, from each event's hexagon."""
    events = events.drop_duplicates(subset=["event_id"])
    seen: dict[Any, tuple[set[Any], set[str]]] = {}
    subjects = events["subjects"] if "subjects" in events else pd.Series([()] * len(events), index=events.index)
    for cell, event, who in zip(_event_cells(events, resolution), events["event_id"], subjects, strict=True):
        if cell in area_of:
            ids, people = seen.setdefault(area_of[cell], (set(), set()))
            ids.add(event)
            people.update(str(p) for p in who or ())
    return {area: (len(ids), len(people)) for area, (ids, people) in seen.items()}


AREA_PERIOD_COLUMNS = ["area_id", "period", "events", "people"]


def hotspot_area_counts(areas: pd.DataFrame, events: pd.DataFrame, *, resolution: int = H3_RESOLUTION) -> pd.DataFrame:
    """Distinct events and people of each hotspot area, for each calendar quarter and the whole window.

    The areas are found over the whole window; this counts their events quarter by quarter (so a
    quarter's view shows the same areas), with every area present for ``"all"`` and otherwise
    only in quarters with events. Undated events count in the whole window only.
    """
    area_of = {c: a for a, members in zip(areas["area_id"], areas["cells"], strict=True) for c in members}
    whole = _tally_areas(area_of, events, resolution)
    rows = [(a, WHOLE_WINDOW, *whole.get(a, (0, 0))) for a in areas["area_id"]]
    dated = events[[isinstance(d, str) and bool(d) for d in events["date"]]]
    quarters = pd.Series([quarter_of(d) for d in dated["date"]], index=dated.index, dtype=object)
    for quarter in sorted(set(quarters)):
        part = dated[quarters == quarter]
        rows += [(a, quarter, e, n) for a, (e, n) in sorted(_tally_areas(area_of, part, resolution).items())]
    return pd.DataFrame(rows, columns=AREA_PERIOD_COLUMNS)


def kernel_density(events: pd.DataFrame, *, cell_m: float = 100.0, bandwidth_m: float = 250.0) -> pd.DataFrame:
    """A kernel density surface: events binned on a grid of ``cell_m`` metres and smoothed with a
    Gaussian of ``bandwidth_m`` (scipy), returned as the grid cells holding 99% of the density,
    with their centres in WGS84 and the density in events per km².
    """
    from scipy.ndimage import gaussian_filter

    if events.empty:
        return pd.DataFrame(columns=["latitude", "longitude", "density"])
    lat0 = float(events["latitude"].mean())
    m_lat, m_lon = 111_320.0, 111_320.0 * math.cos(math.radians(lat0))
    y = (events["latitude"].to_numpy() - events["latitude"].min()) * m_lat
    x = (events["longitude"].to_numpy() - events["longitude"].min()) * m_lon
    pad = 3 * bandwidth_m
    nx_, ny_ = int((x.max() + 2 * pad) // cell_m) + 1, int((y.max() + 2 * pad) // cell_m) + 1
    grid, _, _ = np.histogram2d(y + pad, x + pad, bins=(ny_, nx_), range=((0, ny_ * cell_m), (0, nx_ * cell_m)))
    surface = gaussian_filter(grid, sigma=bandwidth_m / cell_m) / (cell_m * cell_m / 1e6)
    order = np.argsort(surface, axis=None)[::-1]
    cumulative = np.cumsum(surface.ravel()[order])
    keep = order[: int(np.searchsorted(cumulative, 0.99 * cumulative[-1])) + 1]
    rows, cols = np.unravel_index(keep, surface.shape)
    return pd.DataFrame(
        {
            "latitude": events["latitude"].min() + ((rows + 0.5) * cell_m - pad) / m_lat,
            "longitude": events["longitude"].min() + ((cols + 0.5) * cell_m - pad) / m_lon,
            "density": np.round(surface[rows, cols], 4),
        }
    )


def monthly_trend(events: pd.DataFrame, *, by: str = "ward") -> pd.DataFrame:
    """Events per area and month (``by`` is ``ward`` or ``cell``), with every month of the span present."""
    if events.empty or events[by].isna().all():
        return pd.DataFrame(columns=[by, "month", "count"])
    frame = events.dropna(subset=[by, "month"])
    months = pd.period_range(frame["month"].min(), frame["month"].max(), freq="M").astype(str)
    table = frame.groupby([by, "month"]).size().unstack(fill_value=0).reindex(columns=months, fill_value=0)
    table.columns.name = "month"
    return table.stack().rename("count").reset_index()


AREA_COUNT_COLUMNS = ["area_type", "area", "ward", "period", "events", "people"]
WHOLE_WINDOW = "all"


def cell_wards(events: pd.DataFrame, *, resolution: int = H3_RESOLUTION) -> dict[str, str]:
    """The ward each hexagon is counted in: the ward recorded for most of its events (ties: the first code).

    A hexagon of about 200 m can straddle a ward boundary; counting it whole in one ward is what
    keeps a hexagon's count from ever exceeding its ward's (a hexagon of 35 in a ward of "fewer
    than 10" was a hexagon counted in one ward and named after another).

    >>> events = pd.DataFrame({"latitude": [54.5, 54.5, 54.5], "longitude": [0.7, 0.7, 0.7],
    ...                        "ward": ["Z2", "Z1", "Z2"]})
    >>> list(cell_wards(events).values())
    ['Z2']
    """
    located = events.dropna(subset=["ward"])
    votes: dict[str, dict[str, int]] = {}
    for lat, lon, ward in zip(located["latitude"], located["longitude"], located["ward"], strict=True):
        tally = votes.setdefault(h3.latlng_to_cell(lat, lon, resolution), {})
        tally[str(ward)] = tally.get(str(ward), 0) + 1
    return {cell: min(tally, key=lambda w: (-tally[w], w)) for cell, tally in votes.items()}


def area_counts(events: pd.DataFrame, *, resolution: int = H3_RESOLUTION) -> pd.DataFrame:
    """Distinct events and the distinct people behind them, per hexagon and per ward, for each
    calendar quarter and for the whole window (``period`` ``"all"``, undated events included).

    Hexagons and wards count the same events: a hexagon is counted whole in the ward of
    :func:`cell_wards`, so a ward holds every event of its hexagons. ``people`` is how many
    different subjects (the ``subjects`` column) the events involve, the number disclosure
    control is decided on; an event known twice is counted once. Returns the columns
    ``area_type`` (``h3`` or ``ward``), ``area``, ``ward`` (for a hexagon, the ward it is
    counted in), ``period``, ``events`` and ``people``; non-empty areas only.
    """
    if events.empty:
        return pd.DataFrame(columns=AREA_COUNT_COLUMNS)
    events = events.drop_duplicates(subset=["event_id"])
    cells = [h3.latlng_to_cell(a, b, resolution) for a, b in zip(events["latitude"], events["longitude"], strict=True)]
    ward_of_cell = cell_wards(events, resolution=resolution)
    subjects = events["subjects"] if "subjects" in events else pd.Series([()] * len(events), index=events.index)
    tally: dict[tuple[str, str, str | None, str], tuple[set[Any], set[Any]]] = {}
    for cell, event, day, who in zip(cells, events["event_id"], events["date"], subjects, strict=True):
        periods = [WHOLE_WINDOW] if not isinstance(day, str) or not day else [WHOLE_WINDOW, quarter_of(day)]
        ward = ward_of_cell.get(cell)
        areas: list[tuple[str, str, str | None]] = [("h3", cell, ward)]
        if ward is not None:
            areas.append(("ward", ward, ward))
        for area_type, area, in_ward in areas:
            for period in periods:
                seen, people = tally.setdefault((area_type, area, in_ward, period), (set(), set()))
                seen.add(event)
                people.update(who or ())
    rows = [
        (area_type, area, ward, period, len(seen), len(people))
        for (area_type, area, ward, period), (seen, people) in sorted(tally.items(), key=lambda kv: str(kv[0]))
    ]
    return pd.DataFrame(rows, columns=AREA_COUNT_COLUMNS)


def predictive_accuracy_index(
    flagged: Iterable[str], cells: Iterable[str], later: pd.DataFrame, *, resolution: int = H3_RESOLUTION
) -> float:
    """Chainey's PAI: the share of later events in the flagged cells over the share of area flagged.

    All cells of one H3 resolution have nearly equal area, so the area share is the cell share.
    Returns 0.0 when there are no later events or no flagged cells.
    """
    study = set(cells)
    chosen = set(flagged) & study
    if not chosen or later.empty:
        return 0.0
    hits = count_by_cell(later, study, resolution=resolution)
    in_study = int(hits.sum())
    if in_study == 0:
        return 0.0
    hit_rate = float(hits[list(chosen)].sum()) / in_study
    return round(hit_rate / (len(chosen) / len(study)), 4)


def find_hotspots(
    events: pd.DataFrame,
    places: pd.DataFrame,
    *,
    resolution: int = H3_RESOLUTION,
    holdout: float = 0.25,
    seed: int | None = None,
) -> dict[str, Any]:
    """The full hotspot analysis of an event table.

    ``places`` holds ``latitude`` and ``longitude`` of every known place and defines the study
    area. The harm layer is the exploitation events other than ANPR sightings (every event when
    none is marked as exploitation): camera reads are located where the cameras are, not where
    harm happens, so they would draw hotspots at camera sites. Sightings of flagged vehicles are
    counted per hexagon as their own layer. The PAI re-runs Gi* on the earliest ``1 - holdout``
    of the harm events and scores it on the latest ``holdout`` share.

    Returns ``cells`` (Gi* per hexagon, with ``sightings``, the local Moran's I class of
    :func:`local_moran_classes` and the ``area_id`` of its hotspot area), ``areas`` (the contiguous
    hotspot areas of :func:`find_hotspot_areas`), ``area_period_counts`` (their events and people
    by quarter), ``wards`` (counts per ward),
    ``trend`` (per ward and month), ``periods`` (per hexagon and quarter), ``area_counts``
    (events and people per hexagon and ward, by quarter and whole window, the published counts
    rest on these), ``density`` (kernel
    surface), ``pai``, ``cutoff`` (the date that splits the events) and ``events`` (how many the
    harm layer holds).
    """
    flagged = events[events["exploitation"]] if events["exploitation"].any() else events
    harm = flagged[flagged["kind"] != "Sighting"]
    sightings = flagged[flagged["kind"] == "Sighting"]
    cells = study_cells(places["latitude"], places["longitude"], resolution=resolution)
    counts = count_by_cell(harm, cells, resolution=resolution)
    gi = getis_ord_hotspots(counts, seed=seed)
    gi["sightings"] = count_by_cell(sightings, cells, resolution=resolution).to_numpy()
    gi = gi.merge(local_moran_classes(counts, seed=seed), on="cell", how="left")
    areas = find_hotspot_areas(gi, harm, resolution=resolution)
    area_of = {c: a for a, members in zip(areas["area_id"], areas["cells"], strict=True) for c in members}
    gi["area_id"] = [area_of.get(c) for c in gi["cell"]]
    dated = harm.dropna(subset=["date"]).sort_values("date")
    cutoff = dated["date"].iloc[int(len(dated) * (1 - holdout))] if len(dated) >= 8 else None
    pai = 0.0
    if cutoff is not None:
        early, later = dated[dated["date"] < cutoff], dated[dated["date"] >= cutoff]
        early_gi = getis_ord_hotspots(count_by_cell(early, cells, resolution=resolution), seed=seed)
        pai = predictive_accuracy_index(early_gi.loc[early_gi["hotspot"], "cell"], cells, later, resolution=resolution)
    wards = harm.dropna(subset=["ward"]).groupby("ward").size().rename("count").reset_index()
    return {
        "cells": gi,
        "wards": wards.sort_values(["count", "ward"], ascending=[False, True]),
        "trend": monthly_trend(harm, by="ward"),
        "periods": count_by_cell_and_quarter(harm, resolution=resolution),
        "area_counts": area_counts(harm, resolution=resolution),
        "areas": areas,
        "area_period_counts": hotspot_area_counts(areas, harm, resolution=resolution),
        "density": kernel_density(harm),
        "pai": pai,
        "cutoff": cutoff,
        "events": len(harm),
    }


def place_table(G: nx.MultiDiGraph) -> pd.DataFrame:
    """Latitude and longitude of every located place in the graph (the study area)."""
    rows = [
        (data["latitude"], data["longitude"])
        for _, data in G.nodes(data=True)
        if data.get("kind") in ("Location", "Business")
        and isinstance(data.get("latitude"), int | float)
        and isinstance(data.get("longitude"), int | float)
    ]
    return pd.DataFrame(rows, columns=["latitude", "longitude"])


def hotspot_cell_rows(cells: pd.DataFrame, areas: pd.DataFrame) -> list[HotspotCellRow]:
    """The ``hotspots`` result table: every hexagon with events, sightings, Gi* significance or a
    significant local Moran's I class, hotspots first.

    ``hotspot`` is True only for a cell in a hotspot area (it holds events); ``significant`` is Gi*
    itself, so an empty cell Gi* marks reads ``hotspot`` False and its ``note`` says why it is listed.
    Quiet cells with no significant pattern are left out, as they are alike.
    """
    beside = {c: a for a, quiet in zip(areas["area_id"], areas["quiet_cells"], strict=True) for c in quiet}
    listed = cells[
        (cells["count"] > 0)
        | cells["hotspot"]
        | cells["significant"]
        | (cells["sightings"] > 0)
        | (cells["moran_class"] != "not significant")
    ]
    rows: list[HotspotCellRow] = []
    for row in listed.itertuples(index=False):
        lat, lon = h3.cell_to_latlng(row.cell)
        area = row.area_id if isinstance(row.area_id, str) else None
        rows.append(
            HotspotCellRow(
                entity_id=row.cell,
                label=f"hexagon {row.cell}",
                area_type="h3",
                latitude=lat,
                longitude=lon,
                count=int(row.count),
                sightings=int(row.sightings),
                z=row.z,
                p=row.p,
                significant=bool(row.significant),
                hotspot=bool(row.hotspot),
                area_id=area,
                moran_i=row.moran_i,
                moran_quadrant=row.moran_quadrant,
                moran_p=row.moran_p,
                moran_class=row.moran_class,
                moran_text=moran_text(row.moran_class, row.moran_quadrant, row.moran_p),
                note=_cell_note(int(row.count), bool(row.significant), area, beside.get(row.cell)),
            )
        )
    rows.sort(key=lambda r: (-r.hotspot, -r.significant, -(r.z or 0.0), r.entity_id))
    return rows


def _cell_note(count: int, significant: bool, area: str | None, beside: str | None) -> str:
    """Why a hexagon is, or is not, a hotspot, in words."""
    events = f"{count} event{'s' * (count != 1)}"
    if area and significant:
        return f"hotspot area {area}: {events}; Gi* significant (FDR 5%)"
    if area:
        return f"hotspot area {area}: {events}; Gi* marks the empty cells around it, through these events"
    if significant and count == 0:
        where = f" (hotspot area {beside})" if beside else ""
        return f"not a hotspot: no events here; Gi* is significant only through the events next to it{where}"
    if count:
        return f"not a hotspot: {events}, but Gi* (FDR 5%) finds neither it nor the cells around it significantly busy"
    return "no events"


def hotspot_area_rows(areas: pd.DataFrame, by_period: pd.DataFrame) -> list[HotspotAreaRow]:
    """The ``hotspot_areas`` result table: one row per area and period (``"all"`` for the whole window).

    Each row carries the area's hotspot ``cells``, the empty ``quiet_cells`` Gi* marks around it,
    its distinct ``events`` (also as ``count``) and the distinct ``people`` behind them in that period,
    and its busiest cell's centre.
    """
    about = {str(r.area_id): r for r in areas.itertuples(index=False)}
    rows: list[HotspotAreaRow] = []
    for area, period, events, people in by_period.itertuples(index=False):
        info = about[str(area)]
        lat, lon = h3.cell_to_latlng(info.peak_cell)
        rows.append(
            HotspotAreaRow(
                entity_id=area,
                label=f"hotspot area {area}",
                area_type="hotspot_area",
                period=period,
                events=int(events),
                people=int(people),
                count=int(events),
                cells=list(info.cells),
                cell_count=len(info.cells),
                quiet_cells=list(info.quiet_cells),
                peak_cell=info.peak_cell,
                latitude=lat,
                longitude=lon,
            )
        )
    return rows
