"""Search as people type: a name in either order, a reference, VRM, phone, postcode or address."""

import streamlit as st

from app import session, widgets

gw = session.page_gateway("search_entities")
st.title("Search")
kinds = gw.entity_kinds()
with st.form("search"):
    text = st.text_input(
        "Name, reference, VRM, phone, licence number or address",
        key="search_text",
        help="Names in either order; VRMs, phones and postcodes with or without spaces; nominal, care, "
        "licence and intelligence references.",
    )
    chosen = st.multiselect("Kinds (all when empty)", kinds, key="search_kinds")
    submitted = st.form_submit_button("Search")
if text.strip():
    # One search, one audit entry: picking a row or pressing a button reruns this page, and shows
    # the same hits again without searching (and recording the search) a second time.
    asked = (text, tuple(chosen))
    shown = st.session_state.get("search_shown")
    if shown is not None and shown[0] == asked and not submitted:
        rows = shown[1]
    else:
        rows = gw.search(text, kinds=chosen or None)
        st.session_state["search_shown"] = (asked, rows)
    if not rows:
        st.info("Nothing matches. Try part of a name, a reference, a VRM, a phone number or a postcode.")
    else:
        found_by = ["found by"] if any(r.get("found by") for r in rows) else []  # no empty column
        event = widgets.table(
            rows,
            columns=["kind", "label", "born", "age", "address", "reference", *found_by, "sources"],
            on_select="rerun",
            selection_mode="single-row",
            key="search_results",
        )
        picked = event.selection.rows if event is not None else []
        if picked:
            session.select_entity(rows[picked[0]]["entity_id"])
        if session.selected_entity() in {r["entity_id"] for r in rows}:
            left, right = st.columns(2)
            if left.button("Open profile"):
                st.switch_page("views/profile.py")
            if right.button("Open network"):
                st.switch_page("views/network.py")
