"""Ingest runs and the rows set aside, with file, row, column and reason."""

from pathlib import Path

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
# The export's folder and name, not the server's path to it (in the download too, which keeps the
# table's columns because it is given the same rows); "line" as the licensing check says it.
shown = [{**r, "file": "/".join(Path(str(r["file"])).parts[-2:])} for r in rejects]
widgets.table(shown, columns=["source", "file", "row", "column", "reason", "run_id"], column_config={"row": "Line"})
widgets.downloads(shown, name="rejected-rows", on_export=lambda: gw.note_export("rejected rows", []))
