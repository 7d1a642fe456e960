"""An entity's profile: properties with their sources and grading, roles, analysis results, timeline.

The entity lives in the address (``?entity=<id>``), so a refresh or a pasted link reopens it; rows
of the timeline open the event, rows of "Linked to" open what the entity is linked to.
"""

import streamlit as st

from app import child_view, navigation, pickers, session, widgets
from app.gateway import NotFound, Profile
from app.labels import cell_value, code_words, column_title


def _analysis(profile: Profile) -> list[tuple[str, list[str]]]:
    """What each analysis table says about the entity, in words (only the tables that list it)."""
    key_players = [f"Rank {r.rank_in_group} in group {r.group_id}." for r in profile.key_players if r.rank_in_group]
    key_players += [reason for r in profile.key_players for reason in r.reasons]
    found = [
        ("key_players", key_players, bool(profile.key_players)),
        ("flags", [reason.reason for r in profile.flags for reason in r.reasons], bool(profile.flags)),
        (
            "child_indicators",
            [line for r in profile.child_indicators for line in child_view.indicator_lines(r)],
            bool(profile.child_indicators),
        ),
        (
            "disruption_options",
            [reason for r in profile.disruption_options for reason in r.reasons],
            bool(profile.disruption_options),
        ),
    ]
    return [(name, lines) for name, lines, listed in found if listed]


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
if profile.child_indicators:
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
for group in profile.groups:
    navigation.link("groups", f"Open its group: {group.label or group.group_id}", group=str(group.group_id))
for name, lines in _analysis(profile):
    with st.expander(f"Analysis: {name.replace('_', ' ')}", expanded=name in ("flags", "child_indicators")):
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
