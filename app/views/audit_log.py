"""The audit log: who, role, what, which records (by name; a child only when asked for), when, purpose,
outcome; filtered to answer a question. Text typed to find someone is shown only as its length."""

import datetime as dt

import streamlit as st

from app import labels, session, widgets

gw = session.page_gateway("view_audit")
st.title("Audit log")
st.caption("Filter to answer a question, such as who viewed this child, what a user saw, or what an operation touched.")
left, middle, right = st.columns(3)
with left:
    users = ["Everyone", *gw.audit_users()]
    who = st.selectbox("User", users, key="audit_user")
    purpose = st.text_input("Purpose contains", key="audit_purpose")
    # Search text is never kept, only a keyed hash of its words: typing the words here finds the
    # searches that were for them, without the log ever showing what anyone typed.
    searched = st.text_input(
        "Searched for (the exact words)",
        key="audit_searched",
        help="Whole words a search, licensing check or sign-in was for, in any order or case; "
        "the entries show only how long the text was.",
    )
with middle:
    today = dt.datetime.now(dt.UTC).date()
    since = st.date_input("From (UTC)", value=None, max_value=today, key="audit_since", format="DD/MM/YYYY")
    until = st.date_input("To (UTC)", value=None, max_value=today, key="audit_until", format="DD/MM/YYYY")
with right:
    name = st.text_input("Record: a name, reference, VRM or address", key="audit_record_text")
    # One audited look-up per name typed, not one per rerun of the page.
    if st.session_state.get("audit_subjects_for") != name:
        st.session_state["audit_subjects"] = gw.audit_subjects(name) if name.strip() else []
        st.session_state["audit_subjects_for"] = name
    subjects = st.session_state["audit_subjects"]
    record = None
    if name.strip() and not subjects:
        st.info("No record has that name; try part of it.")
    elif subjects:
        picked = st.selectbox(
            "Which record",
            subjects,
            format_func=lambda s: f"{s['label']} ({labels.code_words(s['kind'])})",
            key="audit_record",
        )
        record = picked["entity_id"] if picked else None
rows = gw.audit_entries(
    user=None if who == "Everyone" else who,
    records=[record] if record else (),
    since=since if isinstance(since, dt.date) else None,
    until=until if isinstance(until, dt.date) else None,
    purpose=purpose.strip() or None,
    searched=searched.strip() or None,
)
if searched.strip():
    st.caption("Showing entries whose search text was these words (any order or case, perhaps among others).")
st.caption(f"{len(rows)} entries (newest first, at most 500).")
widgets.table(
    rows,
    columns=["at", "user", "action", "record_names", "purpose", "role", "outcome", "records", "detail", "record_ids"],
)
widgets.downloads(rows, name="audit-log", on_export=lambda: gw.note_export("audit log", []))
