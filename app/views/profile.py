"""An entity's profile: properties with their sources and grading, roles, analysis results, timeline.

The entity lives in the address (``?entity=<id>``), so a refresh or a pasted link reopens it; rows
of the timeline open the event, rows of "Linked to" open what the entity is linked to.
"""

from typing import Any

import streamlit as st

from app import child_view, navigation, pickers, session, widgets
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


def _open_typed_id() -> None:
    """Open the record whose id was typed (ids are quoted in reports and exports), then empty the box."""
    typed = str(st.session_state.get(_ID_BOX) or "").strip()
    st.session_state[_ID_BOX] = ""
    if typed:
        navigation.keep(entity=typed)


def _open_another() -> None:
    """Find another record by name, reference, VRM, phone or address; or open one by its record id."""
    pickers.entity_picker(gw, "Find a person, vehicle, place or event", key="profile_find", on_pick=_open_picked)
    st.text_input("Entity id", key=_ID_BOX, on_change=_open_typed_id, help="A record id quoted in an export or report.")


def _open_picked(entity_id: str) -> None:
    navigation.keep(entity=entity_id)


_ID_BOX = "profile_entity_id"
gw = session.page_gateway("view_profile")
st.title("Profile and timeline")
entity_id = navigation.param("entity") or session.selected_entity() or ""
if not entity_id:
    _open_another()
    st.stop()
try:
    profile = gw.profile(entity_id)
except NotFound:
    # The id came from the address or the box: shown as plain text (markdown would make a link of a URL).
    st.warning("No record with that id is held: it may have been erased or merged away.")
    st.text(f"Record asked for: {entity_id}")
    _open_another()
    st.stop()
e = profile.entity
navigation.keep(entity=e.id)
session.select_entity(e.id)
# Tables are keyed by the entity shown, so a row selected here is not selected again on the
# profile it opens (which would open a row of that profile in turn).
st.subheader(f"{code_words(e.kind)}: {widgets.plain(e.label)}")
if profile.roles:
    st.write("Roles: " + ", ".join(code_words(r).lower() for r in profile.roles))
if "child_indicators" in profile.results:
    navigation.link("child", "Open the child's page", entity=e.id)
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
navigation.link("network", "Open network around it", entity=e.id)
st.divider()
st.markdown("**Open another record**")
_open_another()
