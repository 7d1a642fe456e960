"""Check a driver, vehicle, operator or premises (concern level, reasons, register, cross-border), or
an applicant who holds no licence yet against the national register."""

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar, cast

import streamlit as st

from app import exports, session, widgets
from app.gateway import Gateway, NotFound
from app.labels import column_title
from app.licensing import LICENCE_FIELDS, ROW_FIELDS, option_label

T = TypeVar("T")
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d %m %Y")
NOTHING_FOUND_CAVEAT = (
    "Nothing found is not the same as nothing of concern: the register holds only the refusals, "
    "suspensions and revocations other authorities have reported, under the names and dates of birth they "
    "recorded. Check the applicant's identity documents and enhanced DBS certificate, and ask the "
    "authorities that licensed them before."
)


def parse_birth_date(text: str) -> dt.date | None:
    """A date of birth as typed (dd/mm/yyyy or yyyy-mm-dd); None when empty.

    Raises:
        ValueError: the text is not a date in one of those forms.
    """
    text = text.strip()
    if not text:
        return None
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date: type it as dd/mm/yyyy, e.g. 18/01/1971")


def read_once(slot: str, asked: tuple[Any, ...], fresh: bool, read: Callable[[], T]) -> T:
    """What ``read`` gave for ``asked`` in this session, read again only when pressed afresh or asked anew.

    Both tabs run on every rerun (choosing a subject, a download), and each read is an audited view:
    one check pressed is one entry in the audit log, not one per rerun.
    """
    kept: dict[str, tuple[tuple[Any, ...], Any]] = st.session_state.setdefault("licensing_reads", {})
    if fresh or slot not in kept or kept[slot][0] != asked:
        kept[slot] = (asked, read())
    return cast(T, kept[slot][1])


def _set_aside(gw: Gateway) -> list[dict[str, Any]]:
    ledger = session.ledger()
    try:
        return gw.licensing_set_aside(ledger)
    finally:
        ledger.close()


def show_trade(gw: Gateway) -> None:
    """Find the licensed trade however it is typed, then show one subject's check."""
    with st.form("licensing"):
        text = st.text_input(
            "Licence number, VRM, name or address",
            key="licensing_text",
            help="A licence or plate number, a VRM with or without spaces, a driver's name (either order), "
            "an address or postcode, or an operator's or premises' name.",
        )
        born_text = st.text_input("Date of birth, to narrow a name (optional)", key="licensing_born")
        fresh = st.form_submit_button("Check")
    if not text.strip():
        return
    try:
        born = parse_birth_date(born_text)
    except ValueError as exc:
        st.error(str(exc))
        return
    asked = (text, born)
    rows = read_once("search", asked, fresh, lambda: gw.licensing_search(text, born=born))
    if not rows:
        st.info(
            "No licensed driver, vehicle, operator or premises matches. This says only that the search "
            "found no licence: try another spelling, the licence number or the VRM."
        )
        show_what_else(gw, text, born, fresh)
        return
    st.caption(f"{len(rows)} licensed subject(s) found")
    widgets.table(rows, columns=list(ROW_FIELDS), column_config={"vrm": "VRM", "label": "Licence or name"})
    labels = {r["entity_id"]: option_label(r) for r in rows}
    chosen = st.selectbox("Subject", list(labels), format_func=labels.__getitem__, key="licensing_subject")
    try:
        view = read_once("check", (chosen, *asked), fresh, lambda: gw.licensing_check(chosen))
    except NotFound as exc:
        st.warning(str(exc))
        return
    show_check(gw, view, chosen)


def show_what_else(gw: Gateway, text: str, born: dt.date | None, fresh: bool) -> None:
    """When no licence matches: the national register for a name, and the licensing rows set aside.

    A driver whose row was set aside at ingest (no licence number, say) holds no licence in the graph,
    yet may be driving and may be on the register; "no match" must not read as "nothing of concern".
    """
    if any(c.isalpha() for c in text) and not any(c.isdigit() for c in text):
        register = read_once("names", (text, born), fresh, lambda: gw.licensing_register(text, born=born))
        if register:
            st.error(
                f"No licence is held under this name in the licensing data Disrupt holds, but the national "
                f"register records {len(register)} decision(s) against a person of this name:"
            )
            widgets.table(
                register,
                columns=["name", "date of birth", "decision", "by authority", "decided on", "register reference"],
            )
    set_aside = read_once("set aside", (text, born), fresh, lambda: _set_aside(gw))
    if set_aside:
        st.warning(
            f"{len(set_aside)} row(s) of the licensing exports were set aside when they were loaded, so a "
            "licence on them cannot be found here; the one you are looking for may be among them. Ask the "
            "licensing team to correct these rows and reload:"
        )
        widgets.table(set_aside, columns=["file", "line", "column", "reason"])


def show_check(gw: Gateway, view: dict[str, Any], chosen: str) -> None:
    """One subject's check: level, what tells it apart, why, licences, register, cross-border."""
    level = str(view["level"] or "none")
    clear = st.warning if view.get("incomplete") else st.success  # never green on an incomplete record
    # "NONE" on an incomplete record read as clear for a vehicle whose driver the register holds as revoked
    said = "NOT KNOWN (incomplete record)" if view.get("incomplete") and level == "none" else level.upper()
    {"high": st.error, "medium": st.warning, "low": st.info}.get(level, clear)(
        f"{widgets.plain(view['label'])}: concern level {said}"
    )
    facts = [(name, view.get(key)) for name, key in (("Holder", "holder"), ("VRM", "vrm"), ("Address", "address"))]
    facts.append(("Authority", view.get("authority")))
    st.markdown("  \n".join(f"**{name}:** {widgets.plain(value)}" for name, value in facts if value))
    if view.get("incomplete"):
        st.warning(
            "Incomplete record: "
            + "; ".join(view["incomplete"])
            + ". This check cannot say there is nothing of concern: ask the licensing team for the full "
            "record, and check the person against the national register by name and date of birth."
        )
    st.markdown("**Why**")
    if view["reasons"]:
        widgets.table(view["reasons"], columns=["level", "reason", "grading", "on whose information"])
    else:
        st.write(
            "No concern is recorded in the partner data Disrupt holds. That is not a clearance: "
            "Disrupt holds only what police, children's social care and licensing have shared."
        )
    st.markdown("**Licences**")
    widgets.table(view["licences"], columns=[*LICENCE_FIELDS, "cross_border"])
    st.markdown("**National register**")
    unchecked = (
        "Not checked: the holder's own record was not loaded, so there is no name and date of birth to check. "
        "Check the holder by name on the national register tab."
    )
    st.markdown(
        "\n".join(f"- {widgets.plain(r)}" for r in view["register"])
        or (unchecked if view.get("incomplete") else "No refusal, suspension or revocation recorded elsewhere.")
    )
    st.markdown("**Cross-border working**")
    st.markdown(
        "\n".join(f"- {widgets.plain(c)}" for c in view["cross_border"])
        or f"Licensed here ({widgets.plain(view['home_authority'])}) only."
    )
    record = _check_record(gw, view, said)
    widgets.downloads(
        [{**record, **r} for r in view["reasons"]] or [{**record, "reason": NO_CONCERN}],
        name="licensing-check",
        on_export=lambda: gw.note_export("licensing check", [chosen]),
        columns=[*record, "level", "reason", "grading", "on whose information"],
    )

    def check_pdf() -> bytes:
        """The check as a PDF record, made only when asked for and after the export is audited."""
        gw.note_export("licensing check pdf", [chosen])
        register = [{"decision": r} for r in view["register"]] or [{"decision": "none recorded elsewhere"}]
        return exports.briefing_pdf(
            f"Licensing check: {view['label']}",
            [
                (
                    "Subject",
                    [{"of the check": column_title(k), "": v} for k, v in record.items()],
                    ["of the check", ""],
                ),
                (
                    "Why",
                    view["reasons"] or [{"reason": NO_CONCERN}],
                    ["level", "reason", "grading", "on whose information"],
                ),
                ("Licences", view["licences"], [*LICENCE_FIELDS, "cross_border"]),
                ("National register", register, ["decision"]),
            ],
            prepared_by=gw.viewer.name,
            purpose=gw.viewer.purpose,
        )

    st.download_button(
        "Download the check (PDF)",
        check_pdf,
        file_name="licensing-check.pdf",
        mime="application/pdf",
        on_click="ignore",
    )


NO_CONCERN = "No concern is recorded in the partner data Disrupt holds (not a clearance)"


def _check_record(gw: Gateway, view: dict[str, Any], said: str) -> dict[str, Any]:
    """What a saved check is about, who made it, when and why: the columns before its reasons."""
    return {
        "checked at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "checked by": gw.viewer.name,
        "purpose": gw.viewer.purpose,
        "subject": view["label"],
        "concern level": said,
        **{name: view.get(key) or "" for name, key in (("holder", "holder"), ("vrm", "vrm"), ("address", "address"))},
        "authority": view.get("authority") or "",
    }


def show_register(gw: Gateway) -> None:
    """Check an applicant who holds no licence yet against the national register."""
    with st.form("register"):
        name = st.text_input("Applicant's name", key="register_name")
        born_text = st.text_input("Applicant's date of birth (dd/mm/yyyy)", key="register_born")
        fresh = st.form_submit_button("Check the register")
    if not name.strip():
        return
    try:
        born = parse_birth_date(born_text)
    except ValueError as exc:
        st.error(str(exc))
        return
    if born is None:
        st.warning("Without a date of birth, matches are by name only and may be other people.")
    rows = read_once("register", (name, born), fresh, lambda: gw.licensing_register(name, born=born))
    who = widgets.plain(name.strip()) + (f", born {born:%d/%m/%Y}" if born else "")
    if rows:
        st.error(f"{len(rows)} national register decision(s) recorded against {who}.")
        widgets.table(
            rows,
            columns=["name", "date of birth", "decision", "by authority", "decided on", "register reference"],
        )
        st.info(
            "A match by name and date of birth is not yet the same person: confirm it with the deciding "
            "authority, quoting the register reference, and ask for its reasons."
        )
    else:
        st.warning(f"No national register decision found for {who}.")
        if born is not None:
            show_other_births(gw, name, born, fresh)
        st.info(NOTHING_FOUND_CAVEAT)


def show_other_births(gw: Gateway, name: str, born: dt.date, fresh: bool) -> None:
    """Decisions against the same name under another date of birth: a date typed or recorded one day
    out must not read as a clean register."""
    others = read_once("register, any birth", (name,), fresh, lambda: gw.licensing_register(name, born=None))
    if others:
        st.error(
            f"{len(others)} decision(s) are recorded against this name with another date of birth. It may be "
            "another person, or a date mistyped here or by the deciding authority: check the applicant's documents."
        )
        widgets.table(
            others, columns=["name", "date of birth", "decision", "by authority", "decided on", "register reference"]
        )


gw = session.page_gateway("check_licensing")
st.title("Licensing check")
st.caption(
    "Concern levels come from the multi-agency analysis and inform, not replace, your judgement. "
    "Ask the named agency for the information behind a reason."
)
trade, applicant = st.tabs(["Licensed driver, vehicle, operator or premises", "Applicant: national register"])
with trade:
    show_trade(gw)
with applicant:
    show_register(gw)
