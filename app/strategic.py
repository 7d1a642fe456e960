"""What a strategic lead sees: areas and counts, never people, every count made safe to publish.

Counts under 10 are suppressed and the rest rounded to 5 (:func:`app.policy.public_count`). Time
filters are whole calendar quarters, which do not overlap, so two filters cannot be subtracted to
reveal a suppressed count beyond what rounding already blurs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from analytics.hotspots import quarter_of
from app.policy import public_count

SUPPRESSED = "fewer than 10"


def _published(counts: Mapping[str, int]) -> tuple[list[dict[str, Any]], int]:
    shown, suppressed = [], 0
    for area, n in sorted(counts.items()):
        safe = public_count(n)
        if safe is None:
            suppressed += n > 0
        else:
            shown.append({"area": area, "count": safe})
    return shown, suppressed


def hotspot_areas(
    hotspots: Sequence[Mapping[str, Any]],
    periods: Iterable[Mapping[str, Any]],
    trend: Iterable[Mapping[str, Any]],
    period: str | None,
) -> dict[str, Any]:
    """Published hexagon and ward counts of exploitation-related events, with the Gi* hotspot cells.

    Gi* hotspots come from the whole analysis window; the counts from ``period`` (a quarter such as
    ``2025-Q3``) or, when None, the whole window.
    """
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
    cell_rows, cells_suppressed = _published(cells)
    ward_rows, wards_suppressed = _published(wards)
    return {
        "period": period or "all",
        "cells": cell_rows,
        "wards": ward_rows,
        "hot_cells": sorted(r["entity_id"] for r in hotspots if r.get("hotspot")),
        "cells_suppressed": cells_suppressed,
        "wards_suppressed": wards_suppressed,
    }


def dashboard(rows: Iterable[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Management information grouped by measure; suppressed cells read "fewer than 10"."""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        safe = public_count(int(r["count"]))
        out[r["measure"]].append(
            {"category": r["category"], "count": safe, "shown": SUPPRESSED if safe is None else str(safe)}
        )
    return dict(out)
