"""The signed-in session: settings, connections, sign-in, the purpose, and a gateway for each page.

Settings are read once per process (the Streamlit script is an entry point). A Neo4j store (a
driver with its pool of connections, thread-safe) is opened once per process and shared by every
session; an embedded store is opened per session, so that sessions read side by side, and closed
when its session signs out. A page calls :func:`page_gateway` with the capability it needs;
that stops the page with a clear message when the user is signed out, has given no purpose, or
holds a role that may not see it (and the refusal is audited).

A signed-in session lives on the server (:mod:`app.web_sessions`) and is bound to the browser's
HttpOnly cookie (:mod:`app.asgi`): every run checks that the websocket carries that cookie, so a
client that knows only a Streamlit session id is signed out; a page load carrying it is signed in
again with its purpose (a refresh keeps the user signed in); signing out or idling past the limit
deletes the server session, which ends every tab.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import streamlit as st

from app.accounts import Accounts, User
from app.gateway import Gateway, LedgerView, Viewer
from app.policy import AccessDenied, Capability, a_role, require
from app.web_sessions import CLAIM_PATH, COOKIE, WebSession, WebSessions
from common.app_db import open_app_db
from common.audit import AuditLog
from common.ledger_view import LedgerReader
from common.settings import Settings, load_settings
from graph.neo4j_config import NEO4J_SCHEMES
from graph.store import GraphStore, open_store

log = logging.getLogger(__name__)
_USER = "disrupt_user"
_PURPOSE = "disrupt_purpose"
_SEEN = "disrupt_last_seen"
_STORE = "disrupt_store"
_WEB = "disrupt_web_session"  # the id of the server session this Streamlit session is signed in under
_TOUCHED = "disrupt_touched"  # when this session last wrote its server session's last-seen time
# Activity is written to the app database at most this often per session (seconds): a write per click
# queued every session's runs behind one lock under 50 sessions, and idle limits are whole minutes.
TOUCH_EVERY = 10.0
_CLAIM = "disrupt_claim"  # the one-use claim the page spends for its fresh cookie (app/asgi.py)
ELSEWHERE = "signed out: the session was resumed from another browser"


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    accounts: Accounts
    audit: AuditLog
    sessions: WebSessions


@st.cache_resource
def _settings() -> Settings:
    return load_settings()


_THREAD = threading.local()


def runtime() -> Runtime:
    """Settings (one for the process) and this thread's connection to the app database.

    One connection shared by every session's script thread let one thread's reads and unlocked
    statements run inside another's write transaction: under 50 sessions it failed with "database is
    locked", "cannot commit - no transaction is active" and "another row available". Each thread now has
    its own connection; writes still take the one process-wide write lock, then SQLite's.
    """
    settings = _settings()
    held: Runtime | None = getattr(_THREAD, "runtime", None)
    if held is None or held.settings is not settings:
        db = open_app_db(settings.app_db_path)
        held = _THREAD.runtime = Runtime(settings, Accounts(db), AuditLog(db), WebSessions(db))
    return held


def _cookie() -> str:
    """The browser's HttpOnly session cookie as this run's websocket carried it ("" where there is none)."""
    value = st.context.cookies.get(COOKIE)
    return value if isinstance(value, str) else ""


def _served() -> bool:
    """Whether this run came over a websocket (a browser), not from the AppTest harness, which has no client."""
    return bool(st.context.headers)


@st.cache_resource
def _shared_store(url: str) -> GraphStore:
    """The Neo4j store every session of this process uses: one driver, whose pool serves them all."""
    return open_store(url)


def store() -> GraphStore:
    """This session's store: the process's shared Neo4j store, or an embedded store of its own."""
    url = runtime().settings.store_url
    if urlsplit(url).scheme in NEO4J_SCHEMES:
        return _shared_store(url)
    if _STORE not in st.session_state:
        st.session_state[_STORE] = open_store(url)
    return st.session_state[_STORE]  # type: ignore[no-any-return]


def ledger() -> LedgerView:
    """The ingest ledger's runs and rejected rows, read only, for the administrator pages."""
    settings = runtime().settings
    return LedgerReader(settings.ledger_path, settings.store_url)


def current_user() -> User | None:
    """The signed-in user as the app database holds them now, or None.

    The account is read again on every run, so removing a user or changing their role takes
    effect at their next click: a removed user is signed out, and so is one whose role changed
    (they sign in again under the new role and give a new purpose). A session idle for longer
    than the configured limit is signed out, and so is one whose websocket does not carry the
    browser cookie it was signed in with. With nobody signed in, a page load carrying the cookie
    of a live server session signs that session's user in again.
    """
    user: User | None = st.session_state.get(_USER)
    if user is None:
        return _resume()
    reason = ended()
    if reason is not None:
        sign_out(reason, end_server_session=reason != ELSEWHERE)
        return None
    now = runtime().accounts.get(user.name)
    if now is None:
        sign_out("signed out: the account was removed")
        return None
    if now.role != user.role:
        sign_out(f"signed out: the role changed from {user.role} to {now.role}")
        return None
    now_seen = time.monotonic()
    st.session_state[_SEEN] = now_seen
    web_id = st.session_state.get(_WEB)
    if web_id and now_seen - float(st.session_state.get(_TOUCHED, 0.0)) >= TOUCH_EVERY:
        runtime().sessions.touch(web_id)
        st.session_state[_TOUCHED] = now_seen
    return user


def ended() -> str | None:
    """Why this signed-in session may no longer be used (None while it may), without counting as activity."""
    limit = runtime().settings.idle_minutes * 60
    web_id = st.session_state.get(_WEB)
    if web_id is None:  # only the AppTest harness signs in without a server session
        if _served():
            return "signed out: no server session"
        return "signed out after inactivity" if idle_for() > limit else None
    row = runtime().sessions.get(web_id)
    if row is None:
        return "signed out in another tab or after inactivity"
    if not row.carried_by(_cookie()):
        return ELSEWHERE
    if row.idle_for() > limit:
        return "signed out after inactivity"
    return None


def _resume() -> User | None:
    """Sign in again the user of the live server session whose cookie this page load carries, if any."""
    rt = runtime()
    row = rt.sessions.find(_cookie())
    if row is None:
        return None
    user = rt.accounts.get(row.user)
    if row.idle_for() > rt.settings.idle_minutes * 60 or user is None or user.role != row.role:
        rt.sessions.end(row.id)
        return None
    _hold(user, row)
    if row.purpose:
        st.session_state[_PURPOSE] = row.purpose
    rt.audit.record(
        user=user.name, role=user.role, action="sign in", purpose=row.purpose or "-", outcome="shown",
        detail="resumed: a page load in the browser that signed in",
    )  # fmt: skip
    return user


def _hold(user: User, row: WebSession) -> None:
    st.session_state[_USER] = user
    st.session_state[_WEB] = row.id
    st.session_state[_SEEN] = st.session_state[_TOUCHED] = time.monotonic()
    runtime().sessions.touch(row.id)


def idle_for() -> float:
    """Seconds since this session's user last did something (in any tab of their browser)."""
    web_id = st.session_state.get(_WEB)
    row = runtime().sessions.get(web_id) if web_id else None
    if row is not None:
        return row.idle_for()
    return time.monotonic() - float(st.session_state.get(_SEEN, 0.0))


def sign_in(user: User) -> None:
    """Sign ``user`` in: a server session bound to this browser's cookie, which the page then claims."""
    rt = runtime()
    if _served() and not _cookie():  # no cookie to bind to: anyone with the session id could use it
        log.warning("refused a sign-in from a browser without the session cookie")
        st.error(
            "This browser did not send the session cookie, so signing in is not safe. Allow cookies for "
            "this site and reload the page; if that does not help, ask for the app to be served with `disrupt app`."
        )
        st.stop()
    rt.sessions.end_idle(rt.settings.idle_minutes * 60)
    row, claim = rt.sessions.begin(user.name, user.role, _cookie())
    st.session_state.pop(_PURPOSE, None)
    _hold(user, row)
    st.session_state[_CLAIM] = claim
    rt.audit.record(user=user.name, role=user.role, action="sign in", purpose="-", outcome="shown")


def sign_out(reason: str = "signed out", *, end_server_session: bool = True) -> None:
    """End this session and, with ``end_server_session``, the server session, so every tab of the browser.

    A session resumed from another browser keeps its server session: the client that took it over
    must not be able to sign the real browser out.
    """
    user: User | None = st.session_state.get(_USER)
    web_id = st.session_state.get(_WEB)
    if web_id and end_server_session:
        runtime().sessions.end(web_id)
    if user is not None:
        runtime().audit.record(
            user=user.name, role=user.role, action="sign out", purpose="-", outcome="shown", detail=reason
        )
    # The session's embedded store is dropped, not closed: a run Streamlit abandoned for this one may
    # still be reading it on another thread (closing it failed 18 runs under 50 sessions with "Cannot
    # operate on a closed database"). Its connection closes when the last run holding it ends.
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def claim_cookie() -> None:
    """Until the page has claimed its fresh session cookie, an invisible frame that claims it.

    The frame is same-origin (``st.iframe`` of HTML) and posts the one-use claim, which reached it over
    this session's websocket, never in a URL; the answer sets the HttpOnly cookie.
    """
    claim = st.session_state.get(_CLAIM)
    if not claim:
        return
    row = runtime().sessions.get(str(st.session_state.get(_WEB, "")))
    if row is None or row.cookie_hash is not None or not _served():
        st.session_state.pop(_CLAIM, None)
        return
    st.iframe(_claim_page(claim), height=1)


def _claim_page(claim: str) -> str:
    """The frame's script: post the claim with the XSRF token, as Streamlit's own uploads do.

    ``keepalive``: the next run may replace the frame (the purpose page gives way to the app) while
    the request is on its way; the browser still completes it and stores the cookie.
    """
    body = json.dumps(json.dumps({"claim": claim}))  # a JS string literal holding the JSON body
    return (
        "<script>const x = document.cookie.match(/(?:^|; )_streamlit_xsrf=([^;]*)/);"
        f' fetch("{CLAIM_PATH}", {{method: "POST", credentials: "same-origin", cache: "no-store", keepalive: true,'
        ' headers: {"Content-Type": "application/json", "X-Xsrftoken": x ? decodeURIComponent(x[1]) : ""},'
        f" body: {body}}});</script>"
    )


def purpose() -> str:
    return str(st.session_state.get(_PURPOSE, ""))


def set_purpose(text: str) -> None:
    """Record the purpose for this session (and its server session, so a refresh keeps it)."""
    st.session_state[_PURPOSE] = text.strip()
    if web_id := st.session_state.get(_WEB):
        runtime().sessions.set_purpose(web_id, text.strip())


def page_gateway(capability: Capability) -> Gateway:
    """The gateway for a page needing ``capability``; stops the page with a message when refused."""
    user = current_user()
    if user is None:
        st.error("Sign in first.")
        st.stop()
    if not purpose():
        st.error("Give the purpose of this session first.")
        st.stop()
    rt = runtime()
    try:
        require(user.role, capability)
    except AccessDenied as exc:
        rt.audit.record(
            user=user.name, role=user.role, action="open page", purpose=purpose(), outcome="refused", detail=capability
        )
        st.error(f"This page is not available to {a_role(user.role)}: {exc}.")
        st.stop()
    return Gateway(store(), rt.audit, Viewer(user.name, user.role, purpose()))


def selected_entity() -> str | None:
    return st.session_state.get("entity_id")


def select_entity(entity_id: str | None) -> None:
    st.session_state["entity_id"] = entity_id
