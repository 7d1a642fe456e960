"""Management information: children, missing episodes, return interviews, businesses of concern."""

from collections.abc import Mapping
from typing import Any

import streamlit as st

from analytics.disclosure import THRESHOLD
from app import labels, session, widgets
from geodata.boundaries import load_boundaries, ward_names

SHOWN_COLOUR = "#3182bd"
SUPPRESSED_COLOUR = "#d9d9d9"
SUPPRESSED_KEY = "s: suppressed (a faint band, no value shown)"


def monthly_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A Vega-Lite bar chart with every month in order: a suppressed month is a grey band marked "s", never left out."""
    top = max([THRESHOLD, *(r["count"] for r in rows if r["count"] is not None)])
    values = [
        {
            "date": f"{r['category']}-01",
            "month": labels.month_text(r["category"]),
            # A suppressed month is a faint band the height of the chart: a value would be a disclosure.
            "height": r["count"] if r["count"] is not None else top,
            "status": "published" if r["count"] is not None else SUPPRESSED_KEY,
            "shown": r["shown"],
            "mark": "" if r["count"] is not None else "s",
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
                    "opacity": {
                        "field": "status",
                        "type": "nominal",
                        "scale": {"domain": ["published", SUPPRESSED_KEY], "range": [1, 0.35]},
                        "legend": None,
                    },
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
measures = gw.dashboard()
if not measures:
    st.warning("No analysis yet: run `disrupt analyse`.")
    st.stop()
st.caption(
    "A count is shown only when it is 10 or more and rests on 10 or more different children (a month of 11 "
    'missing episodes of 8 children is suppressed), rounded to the nearest 5 (ONS rule); others read "suppressed". '
    "Where the suppressed categories of a measure could be worked out from the others and the number of all "
    "children, another is suppressed with them. No individuals."
)
run = gw.analysis_run()
on = labels.date_text(str(run.as_of)) if run and run.as_of else "the latest date in the data"
st.info(
    f"Who is counted as a child: a person under 18 on {widgets.plain(on)} (the latest date in the data) who is known to "
    "children's social care (a referral), was reported missing, or is recorded as the victim of a crime; each "
    "child once. Children's social care's own list holds only the first of these: compare it with "
    '"known to children\'s social care" under "Children by how they are known".'
)
wards = ward_names(load_boundaries(session.runtime().settings.boundaries_path))
for measure, rows in measures.items():
    st.subheader(measure.capitalize())
    monthly = "month" in measure
    if monthly and rows:
        suppressed = sum(r["count"] is None for r in rows)
        st.vega_lite_chart(monthly_chart(rows), width="stretch")
        if suppressed:  # how many is not said: a caption states no count of suppressed cells
            st.caption("Suppressed months are marked in their place, not left out.")
    if measure == "children by how they are known":
        st.caption("A child can be known in more than one way, so these add up to more than all children.")
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
