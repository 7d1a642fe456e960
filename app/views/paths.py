"""The shortest paths connecting two entities."""

import streamlit as st

from app import session, widgets

gw = session.page_gateway("view_network")
st.title("Connecting paths")
with st.form("paths"):
    first = st.text_input("From entity id", value=session.selected_entity() or "", key="paths_from")
    second = st.text_input("To entity id", key="paths_to")
    hops = st.slider("Longest path (links)", 1, 6, 4, key="paths_hops")
    st.form_submit_button("Find paths")
if first.strip() and second.strip():
    paths = gw.paths(first.strip(), second.strip(), max_hops=hops)
    if not paths:
        st.info(f"No path of {hops} links or fewer joins them.")
    for i, steps in enumerate(paths, start=1):
        st.markdown(f"**Path {i}** ({len(steps) - 1} links)")
        widgets.table(steps, columns=["via", "kind", "label", "via_sources", "entity_id"])
