"""An entity's profile: properties with their sources and grading, roles, analysis results, timeline."""

import streamlit as st

from app import session, widgets
from app.gateway import NotFound

gw = session.page_gateway("view_profile")
st.title("Profile and timeline")
entity_id = st.text_input("Entity id", value=session.selected_entity() or "", key="profile_id")
if not entity_id:
    st.info("Find someone or something on the Search page, or paste an entity id.")
    st.stop()
try:
    profile = gw.profile(entity_id.strip())
except NotFound as exc:
    st.warning(str(exc))
    st.stop()
session.select_entity(profile.entity.id)
e = profile.entity
st.subheader(f"{e.kind}: {widgets.plain(e.label)}")
if profile.roles:
    st.write("Roles: " + ", ".join(r.replace("_", " ") for r in profile.roles))
left, right = st.columns(2)
with left:
    st.markdown("**Properties**")
    widgets.table([{"property": k, "value": str(v)} for k, v in profile.properties.items()])
with right:
    st.markdown("**Sources and grading**")
    widgets.table(profile.sources)
for name, rows in profile.results.items():
    with st.expander(f"Analysis: {name.replace('_', ' ')}", expanded=name == "flags"):
        for row in rows:
            for reason in row.get("reasons", []):
                st.markdown("- " + widgets.plain(reason["reason"] if isinstance(reason, dict) else reason))
st.markdown("**Timeline**")
if profile.timeline:
    widgets.table(profile.timeline, columns=["date", "kind", "label", "who"])
    widgets.downloads(
        profile.timeline,
        name="timeline",
        on_export=lambda: gw.note_export("timeline", [t["entity_id"] for t in profile.timeline]),
    )
else:
    st.caption("No dated events linked.")
st.markdown("**Linked to**")
widgets.table(profile.linked, columns=["kind", "label", "entity_id"])
if st.button("Open network around it"):
    st.switch_page("views/network.py")
