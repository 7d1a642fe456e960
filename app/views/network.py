"""The network around an entity: click a node to select it, then expand around it or open its profile."""

import streamlit as st

from app import network_view, session, widgets

gw = session.page_gateway("view_network")
st.title("Network")
focus = st.text_input("Centre on entity id", value=session.selected_entity() or "", key="network_focus")
c1, c2, c3 = st.columns(3)
hops = c1.selectbox("Hops", [1, 2, 3], index=1, key="network_hops")
cap = c2.slider("Node cap", 20, 400, 150, step=10, key="network_cap")
link_kinds = c3.multiselect("Link kinds (all when empty)", sorted(gw.store.schema.links), key="network_links")
if not focus:
    st.info("Choose an entity on the Search page, or paste an entity id.")
    st.stop()
sub = gw.network(focus.strip(), hops=hops, max_nodes=cap, link_kinds=link_kinds or None)
if not sub.entities:
    st.warning("No such entity, or it has been erased.")
    st.stop()
status = network_view.status_line(sub)
if sub.truncated:
    st.warning(status)
net = network_view.build_network(sub, focus=focus.strip())
data = network_view.network_data(net)
selected = widgets.network_canvas(data, digest=network_view.network_key(data), status=status)
labels = {e.id: f"{e.kind}: {e.label}" for e in sub.entities}
if selected in labels:
    st.markdown(f"Selected: {widgets.plain(labels[selected])}")
    left, right = st.columns(2)
    if left.button("Expand around it"):
        session.select_entity(selected)
        st.rerun()
    if right.button("Open its profile"):
        session.select_entity(selected)
        st.switch_page("views/profile.py")
st.download_button(
    "Network as HTML",
    network_view.network_html(net, title=f"Network around {labels.get(focus.strip(), focus)}"),
    file_name="network.html",
    mime="text/html",
    on_click=lambda: gw.note_export("network html", [e.id for e in sub.entities]),
)
