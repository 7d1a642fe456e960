"""Groups the analysis found: profile, key players, disruption options, timeline, briefing.

The group shown lives in the address (``?group=G001``); every person, asset and event in its
tables opens its profile when its row is selected."""

import pandas as pd
import streamlit as st

from app import exports, navigation, session, widgets
from app.gateway import NotFound
from app.labels import as_of_text, date_text
from graph.result_rows import stored_rows

gw = session.page_gateway("view_groups")
st.title("Groups")
run = gw.analysis_run()
if run is None:
    st.warning("No analysis yet: run `disrupt analyse`.")
    st.stop()
st.caption(f"Analysis {as_of_text(run.as_of)}: {run.groups} groups among {run.people} people.")
groups = gw.groups()
widgets.table(groups, columns=["group_id", "label", "size", "children", "events", "first_activity", "last_activity"])
if not groups:
    st.stop()
names = {str(g["group_id"]): str(g["label"]) for g in groups}
asked = navigation.param("group")
choice = asked if asked in names else next(iter(names))
if asked and asked not in names:
    st.warning(f"No group {asked} in the latest analysis; showing {choice}.")


def _chosen() -> None:
    navigation.keep(group=st.session_state["group_choice"])


# The choice box follows the address (a pasted link, the back button), not an older choice.
st.session_state["group_choice"] = choice
st.selectbox("Group", list(names), format_func=lambda g: names.get(g, g), key="group_choice", on_change=_chosen)
try:
    view = gw.group(choice)
except NotFound as exc:
    st.warning(str(exc))
    st.stop()
profile = view.profile
st.subheader(widgets.plain(profile.label))
st.write(
    f"{profile.size} people, {len(profile.children)} children linked, density "
    f"{profile.density}; active {date_text(str(profile.first_activity)[:10])} to "
    f"{date_text(str(profile.last_activity)[:10])}."
)
navigation.link("network", "Open the network around its organiser", entity=str(profile.entity_id))
st.caption("Select a row (the box at its left) to open that person's, asset's or event's profile.")
key_players = stored_rows(view.key_players)  # one list: its download keeps the columns its table showed
tabs = st.tabs(["Key players", "Disruption plan and options", "Members and assets", "Timeline", "Briefing"])
with tabs[0]:
    navigation.entity_table(
        key_players,
        key=f"key-players-{choice}",
        columns=[
            "rank_in_group",
            "label",
            "roles",
            "score",
            "network_rank",  # rank on the whole network (the Key players page), comparable across groups
            "degree",  # true degree, on the whole network
            "degree_in_group",
            "betweenness_in_group",
            "brokerage",
            "in_key_player_set",
            "reasons",
        ],
    )


def _plan_section(members: set[str]) -> None:
    """The disruption plan on the whole network: its ordered actions, and its curve against the baselines."""
    plan = gw.disruption_plan()
    steps, curves = plan.steps, plan.curves
    st.markdown("**Disruption plan on the whole network**")
    if not steps:
        st.info("This analysis has no disruption plan: run `disrupt analyse` again.")
        return
    objective = str(steps[0].objective)
    st.markdown(
        widgets.plain(
            f"Optimised for: {objective}, measured on {steps[0].network}. "
            + (
                "A child is cut off when no path is left in it to any exploitation suspect. "
                if objective == "children cut off"
                else ""
            )
            + "Each action is chosen by re-simulating the whole network after the ones before it. Baselines "
            "from the same run: betweenness and degree recomputed after each removal, and the mean of random orders."
        )
    )
    headline = steps[-1]  # the whole plan against as many actions of each baseline
    st.markdown(widgets.plain(str(headline.comparison)))
    for step in steps:
        st.markdown(
            widgets.plain(
                f"{step.step}. {step.action}"
                + (" (a member of this group)" if str(step.entity_id) in members else "")
                + ": "
                + "; ".join(str(r) for r in step.reasons)
            )
        )
    st.caption("Select a row (the box at its left) to open the target's profile.")
    navigation.entity_table(
        stored_rows(steps),
        key="disruption-plan",
        columns=["step", "label", "target_kind", "children_cut_off", "largest_component", "fragmentation", "source"],
    )
    measure = "children_cut_off" if objective == "children cut off" else "largest_component_share"
    title = "children cut off" if measure == "children_cut_off" else "share of the largest connected part"
    frame = pd.DataFrame(stored_rows(curves))
    st.markdown(widgets.plain(f"Curve: {title} against actions taken, for the plan and each baseline"))
    st.line_chart(
        frame.pivot_table(index="step", columns="label", values=measure, aggfunc="first"),
        x_label="actions taken",
        y_label=title,
    )
    table = frame.pivot_table(
        index="step", columns="label", values=["children_cut_off", "largest_component_share"], aggfunc="first"
    )
    shown = pd.DataFrame({"actions taken": table.index})
    for m, label in table.columns:  # counts as counts (a mean of random orders may be fractional), shares as %
        values = table[(m, label)].tolist()
        if m == "children_cut_off":
            shown[f"{label}: children cut off"] = [f"{v:g}" for v in values]
        else:
            shown[f"{label}: largest part (share)"] = [f"{v:.0%}" for v in values]
    st.table(shown, hide_index=True)


with tabs[1]:
    _plan_section({str(m.entity_id) for m in profile.members})
    st.markdown("**Options against this group**: each action alone, its effect measured on the whole network")
    options = view.disruption_options
    for option in options:
        with st.expander(f"{option.rank}. {widgets.plain(option.label)} (score {option.score})"):
            for reason in option.reasons:
                st.markdown("- " + widgets.plain(reason))
            for tactic in option.tactics:
                st.markdown(
                    f"*{widgets.plain(tactic.name)}*: {widgets.plain(tactic.description)} "
                    f"Needs: {widgets.plain(tactic.needs)}"
                )
            st.caption(widgets.plain(option.note))
with tabs[2]:
    members = stored_rows(profile.members)
    shown = ["label", "role", "membership_reason", "roles"]
    if members and not any(m["membership"] for m in members):  # an analysis from before groups had a core
        st.markdown("**Members**")
        navigation.entity_table(members, key=f"members-{choice}", columns=["label", "role", "roles"])
    else:
        core = [m for m in members if m["membership"] == "core"]
        periphery = [m for m in members if m["membership"] != "core"]
        st.markdown(f"**Core members ({len(core)})**")
        st.caption(
            "Tied to at least two others at the group's centre by more than family, a shared address or "
            "one incident: association, co-offending, intelligence, a shared phone or vehicle, or being "
            "found with a missing person."
        )
        if core:
            navigation.entity_table(core, key=f"core-{choice}", columns=shown)
        else:
            st.info("No core: no one here is tied to the others by more than family, an address or an incident.")
        st.markdown(f"**Periphery ({len(periphery)}): family, neighbours, one-off contacts, and children**")
        st.caption("Listed with the group but not counted as its members; children are safeguarded, never members.")
        navigation.entity_table(periphery, key=f"periphery-{choice}", columns=shown)
    for kind, title, things in (
        ("vehicles", "Vehicles", profile.vehicles),
        ("phones", "Phones", profile.phones),
        ("licences", "Licences", profile.licences),
        ("premises", "Premises", profile.premises),
    ):
        if things:
            st.markdown(f"**{title}**")
            navigation.entity_table(stored_rows(things), key=f"{kind}-{choice}", columns=["label"])
with tabs[3]:
    navigation.entity_table(view.timeline, key=f"timeline-{choice}", columns=["date", "kind", "label", "who"])
with tabs[4]:
    ids = [m.entity_id for m in profile.members]

    def briefing(pdf: bool = False) -> bytes:
        """The briefing (HTML, or PDF), made only when asked for and after the export is audited (PITFALLS)."""
        plan = gw.disruption_plan().steps
        gw.note_export(f"briefing {choice}", sorted({*ids, *(str(s.entity_id) for s in plan)}))
        make = exports.briefing_pdf if pdf else exports.briefing_html
        summary = {
            "people": profile.size,
            "children linked": len(profile.children),
            "density": profile.density,
            "first activity": str(profile.first_activity)[:10],
            "last activity": str(profile.last_activity)[:10],
        }
        plan_heading = "Disruption plan on the whole network" + (
            f" (optimised for {plan[0].objective}; {plan[-1].comparison})" if plan else ""
        )
        return make(
            f"Group briefing: {profile.label}",
            [
                ("Summary", [summary], list(summary)),
                (plan_heading, stored_rows(plan), ["step", "action", "reasons"]),
                ("Key players", key_players, ["rank_in_group", "label", "score", "reasons"]),
                ("Disruption options", stored_rows(options), ["rank", "label", "score", "reasons", "note"]),
                ("Members", stored_rows(profile.members), ["label", "role", "membership", "membership_reason"]),
                ("Timeline", view.timeline, ["date", "kind", "label", "who"]),
            ],
            prepared_by=gw.viewer.name,
            purpose=gw.viewer.purpose,
        )

    st.download_button(
        "Download briefing (HTML)",
        briefing,
        file_name=f"briefing-{choice}.html",
        mime="text/html",
        on_click="ignore",
    )
    st.download_button(
        "Download briefing (PDF)",
        lambda: briefing(pdf=True),
        file_name=f"briefing-{choice}.pdf",
        mime="application/pdf",
        on_click="ignore",
    )
    widgets.downloads(
        key_players,
        name=f"key-players-{choice}",
        on_export=lambda: gw.note_export(f"key players {choice}", ids),
    )
