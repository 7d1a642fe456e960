"""The shortest paths connecting two entities, each end found by name; the ends live in the
address (``?from=<id>&to=<id>``) and every step of a path opens its profile."""

from typing import Any

import streamlit as st

from app import navigation, network_view, pickers, session, widgets

gw = session.page_gateway("view_network")
st.title("Connecting paths")
first, second = navigation.param("from"), navigation.param("to")
ends: dict[str, str] = {}


def _end(label: str, name: str, current: str | None) -> None:
    shown = (pickers.name_of(current) or ends.get(current) or current) if current else "not chosen yet"
    st.markdown(f"**{label}:** {widgets.plain(shown)}")
    pickers.entity_picker(
        gw,
        f"{label}: find a person, place or thing",
        key=f"paths-{name}",
        on_pick=lambda entity_id: navigation.keep(**{name: entity_id}),
    )


def _step_rows(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A path's steps as rows: each entity with the link that reached it, kind and role in words."""
    rows = []
    for step in steps:
        via = network_view.kind_and_role(str(step["via"]), str(step.get("via_role") or "")) if step.get("via") else ""
        if via:  # which way the link points: from the step above to this one, or back up
            via = ("↓ " if step.get("via_forward", True) else "↑ ") + via
        rows.append({**step, "linked_by": via})
    return rows


chosen = st.container()  # the two ends come first on the page, though the paths are read first
hops = st.slider("Longest path (links)", 1, 6, 4, key="paths_hops")
paths = gw.paths(first, second, max_hops=hops) if first and second else []
for steps in paths[:1]:  # the path's ends name the two entities chosen (after a refresh, too)
    ends.update(
        {str(steps[0]["entity_id"]): str(steps[0]["label"]), str(steps[-1]["entity_id"]): str(steps[-1]["label"])}
    )
left, right = chosen.columns(2)
with left:
    _end("From", "from", first)
with right:
    _end("To", "to", second)
if not (first and second):
    st.info("Find both ends by name: type in each box and choose from what is found.")
    st.stop()
if first == second:
    st.info("Both ends are the same entity: choose another for one of them.")
    st.stop()
if not paths:
    st.info(f"No path of {hops} links or fewer joins them. Allow longer paths to look further.")
st.caption(
    "Select a step (the box at the left of its row) to open its profile. ↓: the link points from the step "
    "above to this one; ↑: from this one to the step above."
)
for i, steps in enumerate(paths, start=1):
    route = " → ".join(str(s["label"]) for s in steps)
    st.markdown(f"**Path {i}** ({len(steps) - 1} links): {widgets.plain(route)}")
    navigation.entity_table(
        _step_rows(steps), key=f"path-{i}-{first}-{second}", columns=["linked_by", "kind", "label", "via_sources"]
    )
