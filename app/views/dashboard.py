"""Management information: children, missing episodes, return interviews, businesses of concern."""

import pandas as pd
import streamlit as st

from app import session, widgets

gw = session.page_gateway("view_dashboard")
st.title("Management information")
st.caption("Counts under 10 are suppressed and the rest rounded to the nearest 5 (ONS rule). No individuals.")
measures = gw.dashboard()
if not measures:
    st.warning("No analysis yet: run `disrupt analyse`.")
    st.stop()
for measure, rows in measures.items():
    st.subheader(measure.capitalize())
    shown = [r for r in rows if r["count"] is not None]
    if shown and "month" in measure:
        st.bar_chart(pd.DataFrame(shown).set_index("category")["count"])
    widgets.table([{"category": r["category"], "count": r["shown"]} for r in rows])
all_rows = [
    {"measure": m, "category": r["category"], "count": r["shown"]} for m, rows in measures.items() for r in rows
]
widgets.downloads(all_rows, name="management-information", on_export=lambda: gw.note_export("dashboard", []))
