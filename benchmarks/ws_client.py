"""A Streamlit client without a browser: one signed-in session over Streamlit's own websocket protocol.

Used by ``bench_load_ws.py`` so that 50 or more sessions run from one Python process (a headless
chromium per session does not fit a small machine). It does what the page's JavaScript does, and
no more:

- an HTTP GET of a page, for the cookies the browser would get: Streamlit's ``_streamlit_xsrf`` and
  the app's HttpOnly ``disrupt_session`` (:mod:`app.asgi`);
- the websocket ``/_stcore/stream`` with those cookies, an ``Origin`` equal to the host, and the
  subprotocols ``["streamlit", <xsrf token>]`` (the app refuses a websocket without the token);
- ``BackMsg.rerun_script`` with the page, the query string and the widget states (a value per
  widget the session has set, kept while the widget is on the page, as the frontend keeps them; a
  button or a form's submit button as a trigger, the form's values sent with it);
- the ``ForwardMsg`` stream: ``new_session``/``navigation`` (the pages), ``page_info_changed`` (the
  query string a page keeps), ``delta`` (the elements, by their delta path), ``auto_rerun`` (the
  fragment the page reruns on a timer) and ``script_finished``;
- ``POST /_disrupt/session`` with the one-use claim the sign-in page hands over (what the app's
  invisible same-origin frame does), with the XSRF header, so the session survives a reconnect.

It draws nothing and runs no JavaScript: components (the network chart, the map) arrive as
elements and are not rendered, so their cost in a browser is not part of what it measures.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import re
import time
import urllib.request
from http.cookies import SimpleCookie
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

log = logging.getLogger(__name__)
XSRF_COOKIE = "_streamlit_xsrf"
CLAIM_PATH = "/_disrupt/session"
_CLAIM = re.compile(r'claim\\?"\s*:\s*\\?"([A-Za-z0-9_\-]+)')
_FINAL = {
    ForwardMsg.FINISHED_SUCCESSFULLY,
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}
_WIDGETS = ("text_input", "button", "selectbox", "checkbox", "multiselect", "slider", "radio", "text_area")


class ProtocolError(Exception):
    """The server did not answer as a page expects (refused, closed, or no end of a run in time)."""


@dataclasses.dataclass(frozen=True)
class Run:
    """What one request drew: its elements in delta-path order, how it ended and how long it took."""

    elements: list[tuple[tuple[int, ...], Element]]
    status: int
    seconds: float
    query_string: str
    page_hash: str

    def of(self, kind: str) -> list[Element]:
        return [e for _, e in self.elements if e.WhichOneof("type") == kind]

    def widget(self, kind: str, label: str) -> Any | None:
        """The first widget of ``kind`` labelled ``label`` (its proto: id, options, form_id ...)."""
        for e in self.of(kind):
            proto = getattr(e, kind)
            if proto.label == label:
                return proto
        return None

    def texts(self) -> list[str]:
        """Every text shown: headings, markdown and captions, alerts, plain text, exceptions."""
        out = []
        for _, e in self.elements:
            kind = e.WhichOneof("type")
            if kind in ("heading", "markdown", "alert", "text"):
                out.append(getattr(e, kind).body)
            elif kind == "exception":
                out.append(f"{e.exception.type}: {e.exception.message}")
        return out

    def has_text(self, fragment: str) -> bool:
        return any(fragment in t for t in self.texts())

    def headings(self) -> list[str]:
        return [e.heading.body for e in self.of("heading")]

    def alerts(self, fmt: int) -> list[str]:
        return [e.alert.body for e in self.of("alert") if e.alert.format == fmt]

    def exceptions(self) -> list[str]:
        return [f"{e.exception.type}: {e.exception.message}" for e in self.of("exception")]

    def tables(self) -> list[pa.Table]:
        """Each dataframe's rows (Arrow IPC, as the frontend reads them)."""
        out = []
        for e in self.of("dataframe"):
            data = e.dataframe.arrow_data.data
            if data:
                out.append(pa.ipc.open_stream(data).read_all())
        return out

    def srcdocs(self) -> list[str]:
        return [e.iframe.srcdoc for e in self.of("iframe")] + [e.html.body for e in self.of("html")]


class StreamlitSession:
    """One browser tab's worth of Streamlit: cookies, a websocket, widget states, the current page."""

    def __init__(self, base_url: str, *, timeout: float = 120.0) -> None:
        self.base = base_url.rstrip("/")
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.pages: dict[str, str] = {}  # url path name -> page script hash
        self.page_hash = ""
        self.query_string = ""
        self.values: dict[str, WidgetState] = {}  # what the session has set, by widget id
        self.fragments: dict[str, float] = {}  # fragment id -> seconds between its automatic reruns
        self.last: Run | None = None
        self.fragment_runs = 0
        self.fragment_failures: list[str] = []
        self.closed_reason = ""
        self._ws: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._elements: dict[tuple[int, ...], Element] = {}
        self._finished: asyncio.Queue[int] = asyncio.Queue()
        self._fragment_request = False

    # -- connecting

    def _http(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> int:
        request = urllib.request.Request(self.base + path, data=body, method=method, headers=headers or {})
        if self.cookies:
            request.add_header("Cookie", self._cookie_header())
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
                status, set_cookies = int(response.status), response.headers.get_all("Set-Cookie") or []
        except urllib.error.HTTPError as exc:
            status, set_cookies = exc.code, exc.headers.get_all("Set-Cookie") or []
        for line in set_cookies:
            jar: SimpleCookie = SimpleCookie()
            # Streamlit sets the XSRF cookie unquoted ("2|mask|token|time"), which SimpleCookie accepts
            jar.load(line)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value
        return status

    def _cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    async def open(self, path: str = "/", *, fragments: bool = True) -> None:
        """Load the page (for its cookies), open the websocket, and with ``fragments`` rerun timers as a page does."""
        status = await asyncio.to_thread(self._http, "GET", path)
        # the page's health check, before its websocket, is where Streamlit sets the XSRF cookie
        health = await asyncio.to_thread(self._http, "GET", "/_stcore/health")
        if status != 200 or health != 200 or XSRF_COOKIE not in self.cookies:
            raise ProtocolError(f"GET {path}: {status}, health {health}, cookies {sorted(self.cookies)}")
        url = "ws" + self.base[len("http") :] + "/_stcore/stream"
        self._ws = await websockets.connect(
            url,
            subprotocols=["streamlit", self.cookies[XSRF_COOKIE]],  # type: ignore[list-item]
            additional_headers={"Cookie": self._cookie_header()},
            origin=self.base,  # type: ignore[arg-type]
            max_size=None,
            open_timeout=self.timeout,
            ping_interval=None,
        )
        self._reader = asyncio.create_task(self._read())
        self.page_name = path.strip("/").split("?")[0]
        if fragments:
            self._ticker = asyncio.create_task(self._tick())

    async def close(self) -> None:
        for task in (self._ticker, self._reader):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()

    async def claim(self, run: Run) -> bool:
        """Spend the one-use claim the page was handed (as the app's frame does); True when it was there."""
        found = next((m.group(1) for doc in run.srcdocs() if (m := _CLAIM.search(doc))), None)
        if found is None:
            return False
        headers = {
            "Content-Type": "application/json",
            "Origin": self.base,
            "X-Xsrftoken": self.cookies[XSRF_COOKIE],
        }
        body = json.dumps({"claim": found}).encode()
        status = await asyncio.to_thread(self._http, "POST", CLAIM_PATH, body, headers)
        if status != 204:
            raise ProtocolError(f"POST {CLAIM_PATH}: {status}")
        return True

    # -- the message stream

    async def _read(self) -> None:
        try:
            async for data in self._ws:
                if isinstance(data, bytes):
                    self._handle(ForwardMsg.FromString(data))
        except websockets.ConnectionClosed as exc:
            self.closed_reason = f"connection closed ({exc.rcvd.code if exc.rcvd else 'no code'})"
        except Exception as exc:  # a message this client cannot read: report it as the session's error
            self.closed_reason = f"reader failed: {exc!r}"
            log.exception("reading the websocket")
        else:
            self.closed_reason = "connection closed"
        self._finished.put_nowait(-1)

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            if not self._fragment_request:
                # a new script run draws the page again, and asks again for the timers it wants
                self._elements.clear()
                self.fragments.clear()
            self.page_hash = msg.new_session.page_script_hash or self.page_hash
            for p in msg.new_session.app_pages:
                self.pages[p.url_pathname] = p.page_script_hash
        elif kind == "navigation":
            for p in msg.navigation.app_pages:
                self.pages[p.url_pathname] = p.page_script_hash
            self.page_hash = msg.navigation.page_script_hash or self.page_hash
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "delta":
            path = tuple(msg.metadata.delta_path)
            which = msg.delta.WhichOneof("type")
            if which == "new_element":
                self._elements[path] = msg.delta.new_element
            elif which == "add_block":
                # a new block at a path replaces whatever was drawn inside it before
                for old in [p for p in self._elements if p[: len(path)] == path]:
                    del self._elements[old]
        elif kind == "auto_rerun":
            self.fragments[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
        elif kind == "stop_auto_rerun":
            self.fragments.clear()
        elif kind == "script_finished":
            self._finished.put_nowait(msg.script_finished)

    async def _tick(self) -> None:
        """Rerun each timed fragment at its interval, as the page's timer does (never during a request)."""
        last: dict[str, float] = {}
        while True:
            await asyncio.sleep(1.0)
            now = time.monotonic()
            for fragment, interval in list(self.fragments.items()):
                if now - last.setdefault(fragment, now) >= interval and not self._lock.locked():
                    last[fragment] = now
                    try:
                        await self.rerun(fragment_id=fragment, timeout=min(self.timeout, 30.0))
                        self.fragment_runs += 1
                    except ProtocolError as exc:
                        # the page goes on (a browser's timer does not hold up the next click either)
                        self.fragment_failures.append(str(exc))

    # -- requests

    async def rerun(
        self,
        *,
        page: str | None = None,
        query: str | None = None,
        trigger: str | None = None,
        fragment_id: str = "",
        timeout: float | None = None,
    ) -> Run:
        """Send one rerun (a click, a submitted form, a page opened) and wait for the run to end."""
        async with self._lock:
            if self.closed_reason:
                raise ProtocolError(self.closed_reason)
            state = ClientState(query_string=self.query_string if query is None else query)
            if page is not None:
                # opening a page, as a click on its link: the page's hash (or its path name), no widget states
                if page in self.pages:
                    state.page_script_hash = self.pages[page]
                else:
                    state.page_name = page
                self.values.clear()
            else:
                state.page_script_hash = self.page_hash
                if not self.page_hash:
                    state.page_name = getattr(self, "page_name", "")
            if fragment_id:
                state.fragment_id = fragment_id
                state.is_auto_rerun = True
            state.widget_states.widgets.extend(self.values.values())
            if trigger is not None:
                state.widget_states.widgets.append(WidgetState(id=trigger, trigger_value=True))
            while not self._finished.empty():
                self._finished.get_nowait()
            self._fragment_request = bool(fragment_id)
            started = time.monotonic()
            await self._ws.send(BackMsg(rerun_script=state).SerializeToString())
            limit = self.timeout if timeout is None else timeout
            deadline = started + limit
            while True:
                try:
                    status = await asyncio.wait_for(self._finished.get(), max(0.1, deadline - time.monotonic()))
                except TimeoutError as exc:
                    raise ProtocolError(f"no end of the run within {limit:.0f} s") from exc
                if status == -1:
                    raise ProtocolError(self.closed_reason)
                if status in _FINAL:
                    break
            seconds = time.monotonic() - started
            self._fragment_request = False
            run = Run(sorted(self._elements.items()), status, seconds, self.query_string, self.page_hash)
            if not fragment_id:
                self.last = run
                # the frontend forgets the state of widgets no longer drawn
                shown = {getattr(e, k).id for _, e in run.elements if (k := e.WhichOneof("type")) in _WIDGETS}
                self.values = {i: v for i, v in self.values.items() if i in shown}
            return run

    async def open_page(self, page: str, query: str = "") -> Run:
        return await self.rerun(page=page, query=query)

    async def click(self, label: str) -> Run:
        """Press a button (not a form's) labelled ``label`` on the page last drawn."""
        button = self._current().widget("button", label)
        if button is None:
            raise ProtocolError(f"no button {label!r} on the page")
        return await self.rerun(trigger=button.id)

    async def submit(self, button_label: str, fields: dict[str, str]) -> Run:
        """Fill a form's text boxes by label and press its submit button, as one request."""
        run = self._current()
        button = next((e.button for e in run.of("button") if e.button.label == button_label), None)
        if button is None or not button.is_form_submitter:
            raise ProtocolError(f"no form submit button {button_label!r} on the page")
        for label, value in fields.items():
            box = next(
                (e.text_input for e in run.of("text_input") if e.text_input.label == label),
                None,
            )
            if box is None or box.form_id != button.form_id:
                raise ProtocolError(f"no text box {label!r} in the form of {button_label!r}")
            self.values[box.id] = WidgetState(id=box.id, string_value=value)
        return await self.rerun(trigger=button.id)

    async def choose(self, label: str, index: int) -> Run:
        """Choose option ``index`` of the select box labelled ``label`` (it reruns the page at once)."""
        box = self._current().widget("selectbox", label)
        if box is None:
            raise ProtocolError(f"no select box {label!r} on the page")
        if not 0 <= index < len(box.options):
            raise ProtocolError(f"select box {label!r} has {len(box.options)} options, not {index + 1}")
        self.values[box.id] = WidgetState(id=box.id, string_value=box.options[index])
        return await self.rerun()

    async def select_row(self, index: int) -> Run:
        """Select row ``index`` of the first selectable table on the page (it reruns the page at once)."""
        table = next((e.dataframe for e in self._current().of("dataframe") if e.dataframe.id), None)
        if table is None:
            raise ProtocolError("no selectable table on the page")
        chosen = {"selection": {"rows": [index], "columns": [], "cells": []}}
        self.values[table.id] = WidgetState(id=table.id, string_value=json.dumps(chosen))
        return await self.rerun()

    async def follow(self, label: str) -> Run:
        """Follow the page link labelled ``label``: its page, with its query string."""
        link = next((e.page_link for e in self._current().of("page_link") if e.page_link.label == label), None)
        if link is None:
            raise ProtocolError(f"no page link {label!r} on the page")
        page = next((name for name, h in self.pages.items() if h == link.page_script_hash), link.page)
        return await self.rerun(page=page, query=link.query_string)

    def forget(self, kind: str, label: str) -> None:
        """Drop the value the session holds for a widget, so the server uses its default."""
        widget = self.last.widget(kind, label) if self.last is not None else None
        if widget is not None:
            self.values.pop(widget.id, None)

    def _current(self) -> Run:
        if self.last is None:
            raise ProtocolError("nothing drawn yet")
        return self.last
