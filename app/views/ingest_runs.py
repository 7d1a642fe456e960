"""Ingest runs and the rows set aside, with file, row, column and reason."""

import streamlit as st

from app import session, widgets

gw = session.page_gateway("view_ingest")
st.title("Ingest runs and rejected rows")
ledger = session.ledger()
try:
    st.subheader("Runs")
    widgets.table(gw.ingest_runs(ledger))
    st.subheader("Rejected rows")
    rejects = gw.rejected_rows(ledger)
finally:
    ledger.close()
widgets.table(rejects, columns=["source", "file", "row", "column", "reason", "run_id"])
widgets.downloads(rejects, name="rejected-rows", on_export=lambda: gw.note_export("rejected rows", []))
