"""The audit log: who, role, what, which records, when, purpose, outcome."""

import streamlit as st

from app import session, widgets

gw = session.page_gateway("view_audit")
st.title("Audit log")
who = st.text_input("Only this user (all when empty)", key="audit_user")
rows = gw.audit_entries(user=who.strip() or None)
widgets.table(rows, columns=["at", "user", "role", "action", "records", "record_ids", "purpose", "outcome", "detail"])
widgets.downloads(rows, name="audit-log", on_export=lambda: gw.note_export("audit log", []))
