"""Erasure records and their lifts. Erasing and lifting are done with `disrupt erase` and
`disrupt lift-erasure`, which ask for a case reference and write who did it to the audit log."""

import streamlit as st

from app import session, widgets

gw = session.page_gateway("view_erasures")
st.title("Erasures")
records = gw.erasures()
if records:
    widgets.table(records)
else:
    st.info("No entity has been erased.")
st.caption(
    "Each record keeps when, what kind, how much was removed, the reason and the case reference; never the "
    "person or their data. Later loads set aside the rows that would bring an erased entity back, until the "
    "erasure is lifted. On the server: `disrupt erase ENTITY_ID --reason R --reference REF`, "
    "`disrupt lift-erasure ERASURE_ID --reason erased_in_error|court_order --reference REF`."
)
