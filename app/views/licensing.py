"""Check a driver, vehicle, operator or premises: concern level, reasons, register matches, cross-border."""

import streamlit as st

from app import session, widgets
from app.gateway import NotFound
from app.licensing import LICENCE_FIELDS

gw = session.page_gateway("check_licensing")
st.title("Licensing check")
st.caption(
    "Concern levels come from the multi-agency analysis and inform, not replace, your judgement. "
    "Ask the named agency for the information behind a reason."
)
with st.form("licensing"):
    text = st.text_input("Licence number, VRM, name or address", key="licensing_text")
    st.form_submit_button("Check")
if not text.strip():
    st.stop()
rows = gw.licensing_search(text)
if not rows:
    st.info("No licensed driver, vehicle, operator or premises matches.")
    st.stop()
widgets.table(rows, columns=["level", "type", "label", "status"])
labels = {r["entity_id"]: f"{r['label']} ({r['type']}, {r['level']})" for r in rows}
chosen = st.selectbox("Subject", list(labels), format_func=labels.__getitem__, key="licensing_subject")
try:
    view = gw.licensing_check(chosen)
except NotFound as exc:
    st.warning(str(exc))
    st.stop()
level = view["level"]
{"high": st.error, "medium": st.warning, "low": st.info}.get(level, st.success)(
    f"{widgets.plain(view['label'])}: concern level {level.upper()}"
)
st.markdown("**Why**")
if view["reasons"]:
    widgets.table(view["reasons"], columns=["level", "reason", "grading", "on whose information"])
else:
    st.write("Nothing of concern is recorded.")
st.markdown("**Licences**")
widgets.table(
    view["licences"],
    columns=[*LICENCE_FIELDS, "cross_border"],
)
st.markdown("**National register**")
st.markdown(
    "\n".join(f"- {widgets.plain(r)}" for r in view["register"])
    or "No refusal, suspension or revocation recorded elsewhere."
)
st.markdown("**Cross-border working**")
st.markdown(
    "\n".join(f"- {widgets.plain(c)}" for c in view["cross_border"])
    or f"Licensed here ({widgets.plain(view['home_authority'])}) only."
)
widgets.downloads(
    view["reasons"], name="licensing-check", on_export=lambda: gw.note_export("licensing check", [chosen])
)
