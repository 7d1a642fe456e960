"""An entity's profile: properties with their sources and grading, roles, analysis results, timeline.

The entity lives in the address (``?entity=<id>``), so a refresh or a pasted link reopens it; rows
of the timeline open the event, rows of "Linked to" open what the entity is linked to.
"""

from typing import Any

import streamlit as st

from app import child_view, navigation, session, widgets
from app.gateway import NotFound
from app.labels import cell_value, code_words, column_title


def _reasons(rows: list[dict[str, Any]]) -> list[str]:
    """The reasons an analysis table gives for this entity, as text."""
    return [
        str(reason.get("reason") if isinstance(reason, dict) else reason)
        for row in rows
        for reason in row.get("reasons") or []
    ]


def _analysis_lines(name: str, rows: list[dict[str, Any]]) -> list[str]:
    if name == "child_indicators":
        return [line for row in rows for line in child_view.indicator_lines(row)]
    if name == "key_players":
        ranks = [f"Rank {r['rank_in_group']} in group {r['group_id']}." for r in rows if r.get("rank_in_group")]
        return ranks + _reasons(rows)
    return _reasons(rows)


gw = session.page_gateway("view_profile")
st.title("Profile and timeline")
current = navigation.param("entity") or session.selected_entity() or ""
# No widget key: a new entity in the address gives a new box holding it, not the old typed value.
entity_id = st.text_input("Entity id", value=current).strip()
if not entity_id:
    st.info("Find someone or something on the Search page and open the profile.")
    st.stop()
try:
    profile = gw.profile(entity_id)
except NotFound:
    # The id came from the address or the box: shown as plain text (markdown would make a link of a URL).
    st.warning("No record with that id is held: it may have been erased or merged away.")
    st.text(f"Record asked for: {entity_id}")
    st.stop()
e = profile.entity
navigation.keep(entity=e.id)
session.select_entity(e.id)
# Tables are keyed by the entity shown, so a row selected here is not selected again on the
# profile it opens (which would open a row of that profile in turn).
st.subheader(f"{code_words(e.kind)}: {widgets.plain(e.label)}")
if profile.roles:
    st.write("Roles: " + ", ".join(code_words(r).lower() for r in profile.roles))
if "child_indicators" in profile.results and st.button("Open the child's page", type="primary"):
    navigation.open_entity(e.id, page="child")
left, right = st.columns(2)
with left:
    st.markdown("**Properties**")
    widgets.table(
        [{"property": column_title(k), "value": str(cell_value(k, v))} for k, v in profile.properties.items()]
    )
with right:
    st.markdown("**Sources and grading**")
    widgets.table(profile.sources)
for group in profile.results.get("groups", []):
    navigation.link("groups", f"Open its group: {group['label']}", group=str(group["group_id"]))
for name, rows in profile.results.items():
    if name == "groups":
        continue
    with st.expander(f"Analysis: {name.replace('_', ' ')}", expanded=name in ("flags", "child_indicators")):
        lines = _analysis_lines(name, rows)
        for line in lines:
            st.text("• " + line)  # plain text: markdown would make a link of a URL in the data
        if not lines:
            st.caption("Listed by the analysis, with no reasons recorded.")
st.markdown("**Timeline**")
if profile.timeline:
    st.caption("Select a row to open the event.")
    navigation.entity_table(profile.timeline, key=f"profile_timeline-{e.id}", columns=["date", "kind", "label", "who"])
    widgets.downloads(
        profile.timeline,
        name="timeline",
        on_export=lambda: gw.note_export("timeline", [t["entity_id"] for t in profile.timeline]),
    )
else:
    st.caption("No dated events linked.")
st.markdown("**Linked to**")
if profile.linked:
    st.caption("Select a row to open its profile.")
    navigation.entity_table(profile.linked, key=f"profile_linked-{e.id}", columns=["kind", "label"])
else:
    st.caption("Nothing else linked.")
if st.button("Open network around it"):
    navigation.open_entity(e.id, page="network")
