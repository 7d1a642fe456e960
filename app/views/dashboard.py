"""Management information: children, missing episodes, return interviews, businesses of concern."""

from collections.abc import Mapping
from typing import Any

import streamlit as st

from analytics.disclosure import THRESHOLD
from app import labels, map_view, session, widgets
from geodata.boundaries import ward_names

SHOWN_COLOUR = "#3182bd"
SUPPRESSED_COLOUR = "#d9d9d9"
SUPPRESSED_KEY = "fewer than 10 (suppressed; the grey bar is the upper bound)"


def monthly_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A Vega-Lite bar chart with every month in order: a suppressed month is a grey bar marked "<10", never left out."""
    values = [
        {
            "date": f"{r['category']}-01",
            "month": labels.month_text(r["category"]),
            "height": r["count"] if r["count"] is not None else THRESHOLD,
            "status": "published" if r["count"] is not None else SUPPRESSED_KEY,
            "shown": r["shown"],
            "mark": "" if r["count"] is not None else "<10",
        }
        for r in rows
    ]
    # Months as time, in calendar order (never sorted as text), one band each, gaps impossible.
    x = {
        "field": "date",
        "type": "ordinal",
        "timeUnit": "yearmonth",
        "title": None,
        "axis": {"labelAngle": -45, "format": "%b %Y"},
    }
    return {
        "data": {"values": values},
        "height": 260,
        "layer": [
            {
                "mark": {"type": "bar", "stroke": "#888", "strokeWidth": 1},
                "encoding": {
                    "x": x,
                    "strokeDash": {
                        "field": "status",
                        "type": "nominal",
                        "scale": {"domain": ["published", SUPPRESSED_KEY], "range": [[1, 0], [3, 2]]},
                        "legend": None,
                    },
                    "y": {"field": "height", "type": "quantitative", "title": "count (rounded to 5)"},
                    "color": {
                        "field": "status",
                        "type": "nominal",
                        "scale": {
                            "domain": ["published", SUPPRESSED_KEY],
                            "range": [SHOWN_COLOUR, SUPPRESSED_COLOUR],
                        },
                        "legend": {"orient": "bottom", "title": None, "labelLimit": 500},
                    },
                    "tooltip": [
                        {"field": "month", "title": "Month"},
                        {"field": "shown", "title": "Count"},
                    ],
                },
            },
            {
                "mark": {"type": "text", "dy": -6, "fontSize": 9, "color": "#555"},
                "encoding": {"x": x, "y": {"field": "height", "type": "quantitative"}, "text": {"field": "mark"}},
            },
        ],
    }


def category_text(measure: str, category: str, wards: Mapping[str, str]) -> str:
    """A category as a person reads it: a ward by its name, a code such as ``bed_and_breakfast`` in words."""
    if "by ward" in measure:
        return wards.get(category, category)
    return labels.code_words(category)


gw = session.page_gateway("view_dashboard")
st.title("Management information")
st.caption(
    'Counts under 10 are suppressed (shown as "fewer than 10") and the rest rounded to the nearest 5 (ONS rule). '
    "No individuals."
)
measures = gw.dashboard()
if not measures:
    st.warning("No analysis yet: run `disrupt analyse`.")
    st.stop()
wards = ward_names(map_view.load_boundaries(session.runtime().settings.boundaries_path))
for measure, rows in measures.items():
    st.subheader(measure.capitalize())
    monthly = "month" in measure
    if monthly and rows:
        suppressed = sum(r["count"] is None for r in rows)
        st.vega_lite_chart(monthly_chart(rows), width="stretch")
        if suppressed:
            st.caption(f"{suppressed} of {len(rows)} months had fewer than 10 and are marked, not left out.")
    widgets.table(
        [
            {"month": r["category"], "count": r["shown"]}
            if monthly
            else {"category": category_text(measure, r["category"], wards), "count": r["shown"]}
            for r in rows
        ],
        key=f"mi-{measure}",
        height="content",
    )
all_rows = [
    {"measure": m, "category": category_text(m, r["category"], wards), "count": r["shown"]}
    for m, rows in measures.items()
    for r in rows
]
widgets.downloads(all_rows, name="management-information", on_export=lambda: gw.note_export("dashboard", []))
