"""The signed-in session: settings, connections, sign-in, the purpose, and a gateway for each page.

Settings are read once per process (the Streamlit script is an entry point). A Neo4j store (a
driver with its pool of connections, thread-safe) is opened once per process and shared by every
session; an embedded store is opened per session, so that sessions read side by side, and closed
when its session signs out. A page calls :func:`page_gateway` with the capability it needs;
that stops the page with a clear message when the user is signed out, has given no purpose, or
holds a role that may not see it (and the refusal is audited).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import streamlit as st

from app.accounts import Accounts, User, open_app_db
from app.audit import AuditLog
from app.gateway import Gateway, LedgerView, Viewer
from app.policy import AccessDenied, Capability, a_role, require
from disrupt.settings import Settings, load_settings
from graph.neo4j_config import NEO4J_SCHEMES
from graph.store import GraphStore, open_store

_USER = "disrupt_user"
_PURPOSE = "disrupt_purpose"
_SEEN = "disrupt_last_seen"
_STORE = "disrupt_store"
_BROWSER = "disrupt_browser"
_SIGNED_IN_AT = "disrupt_signed_in_at"
# Streamlit sets this cookie on the page load of each browser (XSRF protection is on); a client that
# knows only a session id does not have it. Its digest binds a signed-in session to the browser.
_BROWSER_COOKIE = "_streamlit_xsrf"


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    accounts: Accounts
    audit: AuditLog


@st.cache_resource
def runtime() -> Runtime:
    """Settings and the app database, shared by every session of this process."""
    settings = load_settings()
    db = open_app_db(settings.app_db_path)
    return Runtime(settings, Accounts(db), AuditLog(db))


@st.cache_resource
def _sign_outs() -> dict[tuple[str, str], float]:
    """When each user last signed out in each browser (this process): other tabs end with it."""
    return {}


def _browser() -> str:
    """A digest of the token that tells this browser apart ("" where there is none, as in AppTest)."""
    cookie = st.context.cookies.get(_BROWSER_COOKIE)
    token = _xsrf_token(cookie) if isinstance(cookie, str) else b""
    return hashlib.sha256(token).hexdigest() if token else ""


def _xsrf_token(cookie: str) -> bytes:
    """The browser's XSRF token from its cookie, unmasked: each page load masks it anew (Tornado's v2 format).

    >>> _xsrf_token("2|01000000|0302|1796159916") == _xsrf_token("2|03000000|0102|1796159916")
    True
    """
    parts = cookie.split("|")
    try:
        if len(parts) == 4 and parts[0] == "2":
            mask, masked = bytes.fromhex(parts[1]), bytes.fromhex(parts[2])
            return bytes(b ^ mask[i % len(mask)] for i, b in enumerate(masked)) if mask else b""
        return cookie.encode()
    except ValueError:  # not hex: keep the raw value, which still tells browsers apart
        return cookie.encode()


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


def _close_own_store() -> None:
    """Close the embedded store this session opened, if any (a shared store stays open)."""
    own: GraphStore | None = st.session_state.pop(_STORE, None)
    if own is not None:
        own.close()


def ledger() -> LedgerView:
    from ingest.ledger import Ledger  # read-only use by the administrator pages

    settings = runtime().settings
    return Ledger(settings.ledger_path, settings.store_url)


def current_user() -> User | None:
    """The signed-in user as the app database holds them now, or None.

    The account is read again on every run, so removing a user or changing their role takes
    effect at their next click: a removed user is signed out, and so is one whose role changed
    (they sign in again under the new role and give a new purpose). A session idle for longer
    than the configured limit is signed out too.
    """
    user: User | None = st.session_state.get(_USER)
    if user is None:
        return None
    if idle_for() > runtime().settings.idle_minutes * 60:
        sign_out("signed out after inactivity")
        return None
    browser = st.session_state.get(_BROWSER, "")
    if browser != _browser():
        sign_out("signed out: the session was resumed from another browser")
        return None
    if _sign_outs().get((user.name, browser), -1.0) > st.session_state.get(_SIGNED_IN_AT, 0.0):
        sign_out("signed out in another tab")
        return None
    now = runtime().accounts.get(user.name)
    if now is None:
        sign_out("signed out: the account was removed")
        return None
    if now.role != user.role:
        sign_out(f"signed out: the role changed from {user.role} to {now.role}")
        return None
    st.session_state[_SEEN] = time.monotonic()
    return user


def idle_for() -> float:
    """Seconds since this session's user last did something."""
    return time.monotonic() - float(st.session_state.get(_SEEN, 0.0))


def sign_in(user: User) -> None:
    st.session_state[_USER] = user
    st.session_state[_SEEN] = time.monotonic()
    st.session_state[_SIGNED_IN_AT] = time.monotonic()
    st.session_state[_BROWSER] = _browser()
    st.session_state.pop(_PURPOSE, None)
    runtime().audit.record(user=user.name, role=user.role, action="sign in", purpose="-", outcome="shown")


def sign_out(reason: str = "signed out", *, every_tab: bool = False) -> None:
    """End this session (and, with ``every_tab``, this user's other sessions in this browser)."""
    user: User | None = st.session_state.get(_USER)
    if user is not None and every_tab:
        _sign_outs()[(user.name, st.session_state.get(_BROWSER, ""))] = time.monotonic()
    if user is not None:
        runtime().audit.record(
            user=user.name, role=user.role, action="sign out", purpose="-", outcome="shown", detail=reason
        )
    _close_own_store()
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def purpose() -> str:
    return str(st.session_state.get(_PURPOSE, ""))


def set_purpose(text: str) -> None:
    st.session_state[_PURPOSE] = text.strip()


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
